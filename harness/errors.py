"""The one error type users see for bad input: it names the key and what is allowed."""

from __future__ import annotations

import errno
from collections.abc import Iterable

__all__ = ["ConfigError", "path_problem"]

# what a user can do about the usual path errors, by errno
_PATH_HINTS = {
    errno.ENOTDIR: "a part of this path is a file, not a folder",
    errno.EEXIST: "a file is in the way of a folder",
    errno.EISDIR: "a folder, where a file was expected",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "read-only file system",
    errno.ENOSPC: "no space left on the device",
    errno.ENOENT: "no such file or folder",
}


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


def path_problem(exc: OSError) -> str | None:
    """One line naming the path of a file-system error (an `out=` under a regular file, a
    folder without write permission); None when the error names no path."""
    if exc.filename is None:
        return None
    hint = _PATH_HINTS.get(exc.errno or 0) or exc.strerror or type(exc).__name__
    target = f" -> {exc.filename2}" if exc.filename2 is not None else ""
    return f"{exc.filename}{target}: {hint}"
