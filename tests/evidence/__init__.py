"""Tests of pytest_intacct/evidence/: collection into snapshots, concurrent lanes, evidence packs."""
