"""Frozen-prefix caches on disk: shared by processes and workers, keyed by content, size-capped.

A cache file is `<digest>.prefix`: a 64-hex SHA-256 of the payload, a newline, then the payload
(`torch.save` of the tensor and its facts). The key hashes what the cached values depend on —
the frozen weights themselves (not their path), the tokenized split, the prefix depth, the
pooling and the device type — so a changed checkpoint or tokenizer can never hit a stale file.
Writes are atomic (temp file + rename); a per-key lock makes concurrent workers build a cache
once (the others wait, then read it); a corrupt or truncated file fails its checksum, is deleted
with a warning naming it, and is rebuilt. Above the size cap the least recently used files go.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import tempfile
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path

import torch
from filelock import FileLock

__all__ = ["DiskStore", "content_key", "tensor_digest"]

SUFFIX = ".prefix"


def tensor_digest(tensors: Iterable[torch.Tensor]) -> str:
    """SHA-256 over the bytes of tensors in order (dtype and shape included)."""
    h = hashlib.sha256()
    for t in tensors:
        t = t.detach().to("cpu").contiguous()
        h.update(f"{t.dtype}{tuple(t.shape)}".encode())
        h.update(t.view(torch.uint8).numpy().tobytes() if t.numel() else b"")
    return h.hexdigest()


def content_key(*parts: object) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:40]


class DiskStore:
    """One folder of cache files with a size cap (MB); see the module docstring."""

    def __init__(self, root: str | Path, max_mb: int):
        self.root, self.max_bytes = Path(root), int(max_mb) * 2**20

    def path(self, key: str) -> Path:
        return self.root / f"{key}{SUFFIX}"

    @contextlib.contextmanager
    def lock(self, key: str) -> Iterator[None]:
        """Exclusive per-key lock across processes: one builder, the others wait for its file."""
        self.root.mkdir(parents=True, exist_ok=True)
        with FileLock(self.root / f"{key}.lock"):  # flock on POSIX, msvcrt on Windows
            yield

    def load(self, key: str) -> dict[str, object] | None:
        """The stored payload, or None when absent or corrupt (a corrupt file is discarded)."""
        path = self.path(key)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        digest, _, payload = raw.partition(b"\n")
        if hashlib.sha256(payload).hexdigest().encode() != digest:
            warnings.warn(f"prefix cache {path} is corrupt (checksum): discarded, rebuilding", stacklevel=2)  # fmt: skip
            path.unlink(missing_ok=True)
            return None
        os.utime(path)  # recently used: evicted last
        found: dict[str, object] = torch.load(io.BytesIO(payload), weights_only=True)
        return found

    def save(self, key: str, payload: dict[str, object]) -> Path:
        """Write atomically, then evict least recently used files above the cap."""
        buffer = io.BytesIO()
        torch.save(payload, buffer)
        data = buffer.getvalue()
        path = self.path(key)
        self.root.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(hashlib.sha256(data).hexdigest().encode() + b"\n" + data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self.evict(keep=path)
        return path

    def files(self) -> list[Path]:
        return sorted(self.root.glob(f"*{SUFFIX}")) if self.root.is_dir() else []

    def evict(self, keep: Path | None = None) -> int:
        """Delete the least recently used files until the folder fits the cap; returns how many."""
        files = sorted(self.files(), key=lambda p: p.stat().st_mtime)
        total, removed = sum(p.stat().st_size for p in files), 0
        for p in files:
            if total <= self.max_bytes:
                break
            if p != keep:
                total -= p.stat().st_size
                p.unlink(missing_ok=True)
                removed += 1
        return removed

    def clear(self) -> tuple[int, int]:
        """Delete every cache file (and lock); returns (files, bytes) removed."""
        files = self.files()
        size = sum(p.stat().st_size for p in files)
        for p in [*files, *self.root.glob("*.lock")] if self.root.is_dir() else []:
            p.unlink(missing_ok=True)
        return len(files), size
