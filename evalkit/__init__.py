"""evalkit: evaluation tables and significance tests for Danish youth substance-use programme exports."""

from __future__ import annotations

__version__ = "0.1.0"
