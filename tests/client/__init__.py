"""Tests of pytest_intacct/client/: the gateway client, its endpoints, and its parser under fuzzing."""
