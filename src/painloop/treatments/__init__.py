"""Treatments: drug pharmacokinetics/pharmacodynamics, dosing regimens and non-drug therapies (SYSTEM.md §6)."""

from .catalogue import DRUGS, THERAPIES, Drug, Therapy
from .regimen import DoseRecord, RegimenError, dose_events, parse_regimen, parse_therapy, parse_treatment, records

__all__ = ["DRUGS", "THERAPIES", "Drug", "Therapy", "DoseRecord", "RegimenError", "dose_events", "parse_regimen",
           "parse_therapy", "parse_treatment", "records"]
