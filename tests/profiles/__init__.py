"""Tests of pytest_intacct/profiles/: the built-in runbooks and the refusal of broken profiles."""
