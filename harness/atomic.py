"""Atomic file writes: a temp file in the same folder, renamed over the target.

Readers never see half a file. `tempfile.mkstemp` creates its file 0600 whatever the umask, so
the temp file gets the mode `open()` would have given (0o666 minus the umask) before the rename:
on a shared `out=` folder colleagues can read the records and caches (the umask decides).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["atomic_write", "file_mode"]


def _umask() -> int:
    """The process umask, read without changing it (Linux); else set-and-restore."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def file_mode() -> int:
    """The mode a new regular file gets from `open()` under the current umask."""
    return 0o666 & ~_umask()


def atomic_write(path: str | Path, data: bytes, fsync: bool = False) -> Path:
    """Write `data` to `path` atomically (creating its folder), with the umask's mode."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            if fsync:
                f.flush()
                os.fsync(f.fileno())
        os.chmod(tmp, file_mode())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
