"""Tests of pytest_intacct/checks/: every decision of every check kind, and kinds from outside."""
