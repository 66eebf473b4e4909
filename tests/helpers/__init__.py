"""What more than one test module needs: gateway answers, a hostile gateway, runs, pages and results.

Test modules import from here (and get fixtures from a conftest), never from one another.
"""
