"""Checkout-root conftest: the project's own tests drive the plugin through pytest itself."""

pytest_plugins = ["pytester"]
