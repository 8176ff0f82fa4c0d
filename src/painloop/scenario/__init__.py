"""Scenarios: what happens to the simulated person (cause, stress, sleep, duration)."""

from ._inputs import scenario_inputs
from ._load import ScenarioError, builtin, builtin_names, load_scenario, parse_scenario
from ._schema import Scenario

__all__ = ["Scenario", "ScenarioError", "builtin", "builtin_names", "load_scenario", "parse_scenario",
           "scenario_inputs"]
