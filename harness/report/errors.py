"""The one error the report raises for bad input, so the CLI can print it without a traceback."""

from __future__ import annotations

__all__ = ["ReportError"]


class ReportError(ValueError):
    """Raised when a path holds no sweep or no usable records; the message names the path."""
