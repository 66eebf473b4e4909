"""Tests of pytest_intacct/results/: findings, waivers and the readiness verdict."""
