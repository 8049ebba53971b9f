"""The one error type users see for bad input: it names the key and what is allowed."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["ConfigError"]


class ConfigError(ValueError):
    """Bad user input, caught before any training starts; the CLI prints it without a traceback."""

    def __init__(self, key: str, problem: str, allowed: Iterable[object] | str | None = None):
        self.key = key
        self.problem = problem
        if allowed is None:
            self.allowed = None
        elif isinstance(allowed, str):
            self.allowed = allowed
        else:
            self.allowed = ", ".join(str(a) for a in allowed)
        msg = f"{key}: {problem}"
        if self.allowed:
            msg += f" (allowed: {self.allowed})"
        super().__init__(msg)
