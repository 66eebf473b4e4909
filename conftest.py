"""Checkout-root conftest.

It is also the conftest above ``suites/`` when the acceptance suites are collected from a checkout,
so it must stay free of ``pytest_plugins`` (pytest refuses those outside the rootdir): the plugin
registers through its ``pytest11`` entry point and the project's tests get ``pytester`` from
``addopts`` in pyproject.toml.
"""
