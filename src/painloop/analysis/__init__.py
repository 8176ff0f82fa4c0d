"""What drives what: the weight of each feedback loop and the sensitivity of outcomes to parameters."""

from .loops import LOOP_GAINS, loop_strengths
from .sensitivity import morris_sensitivity, sobol_indices, sobol_sensitivity

__all__ = ["LOOP_GAINS", "loop_strengths", "morris_sensitivity", "sobol_indices", "sobol_sensitivity"]
