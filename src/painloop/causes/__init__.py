"""Causes of neuropathic pain: drivers of nerve damage over time."""

from ._base import Cause
from .catalogue import CAUSES

__all__ = ["CAUSES", "Cause"]
