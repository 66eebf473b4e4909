"""A wire-faithful simulator of the Sage Intacct XML Web Services gateway (API / DTD 3.0).

Companies are TOML scenario files; see docs/simulator.md. Typical use::

    from pytest_intacct.simulator import Simulator, load_scenario

    with Simulator(load_scenario("trelica-ready")) as sim:
        login = sim.primary_login
        ...  # point a client at sim.endpoint
"""

from .faults import Faults
from .journal import Journal, JournalEntry
from .model import Scenario, ScenarioLogin
from .scenario import ScenarioError, available_scenarios, load_scenario
from .server import Simulator

__all__ = [
    "Faults",
    "Journal",
    "JournalEntry",
    "Scenario",
    "ScenarioError",
    "ScenarioLogin",
    "Simulator",
    "available_scenarios",
    "load_scenario",
]
