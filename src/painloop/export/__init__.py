"""Export of the model to other formats: SBML Level 3 Version 2 and Antimony, generated from the declarations."""

from .sbml import symbolic_model, to_antimony, to_sbml, validate_sbml, write_antimony, write_sbml

__all__ = ["symbolic_model", "to_antimony", "to_sbml", "validate_sbml", "write_antimony", "write_sbml"]
