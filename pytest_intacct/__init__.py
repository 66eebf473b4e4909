"""pytest-intacct: a Sage Intacct setup runbook as an executable acceptance report."""

__version__ = "0.1.0"
