"""pytest integration for pytest-intacct (options, environments, fixtures)."""
