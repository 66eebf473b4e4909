"""Tests of pytest_intacct/settings/: environment settings and fleet files."""
