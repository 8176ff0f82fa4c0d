"""Simulation of one patient or many (patients as a batch axis of one state array)."""

from ._engine import SolverOptions, solve
from ._run import history_state, patient_params, simulate, to_dataset, use_engine

__all__ = ["SolverOptions", "history_state", "patient_params", "simulate", "solve", "to_dataset", "use_engine"]
