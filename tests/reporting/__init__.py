"""Tests of pytest_intacct/reporting/: what each report shows, down to the terminal, JUnit and the PDF."""
