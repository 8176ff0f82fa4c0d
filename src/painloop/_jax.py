"""JAX configuration shared by every numerical path: 64-bit floats and a persistent compile cache.

Importing this module before ``jax``/``equinox`` are used makes solver
failures return NaN instead of raising inside compiled code (so one bad
patient does not abort a population) and caches compiled programs on disk,
so a second process starts in about a second instead of recompiling.
"""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("EQX_ON_ERROR", "nan")

import jax  # noqa: E402

CACHE_DIR = Path(os.environ.get("PAINLOOP_CACHE", Path.home() / ".cache" / "painloop" / "jax"))

jax.config.update("jax_enable_x64", True)
if "JAX_PLATFORMS" not in os.environ:  # the CPU unless asked otherwise (e.g. JAX_PLATFORMS=cuda for --engine jax)
    jax.config.update("jax_platforms", "cpu")
jax.config.update("jax_compilation_cache_dir", str(CACHE_DIR))
jax.config.update("jax_persistent_cache_min_entry_size_bytes", -1)
jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
