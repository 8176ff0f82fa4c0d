"""Published figures as population checks: the shipped target sets (calibration vs validation), the evaluator of
each kind of check, ``painloop validate`` and its credibility report (in the spirit of ASME V&V 40)."""

from .targets import CALIBRATION_FILE, VALIDATION_FILE, Target, load_targets
from .checks import PopulationCache, evaluate

__all__ = ["CALIBRATION_FILE", "VALIDATION_FILE", "PopulationCache", "Target", "evaluate", "load_targets"]
