"""Tests of pytest_intacct/plugin/: the pytest glue, end to end through pytester."""
