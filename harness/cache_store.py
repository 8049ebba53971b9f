"""Frozen-prefix caches on disk: shared by processes and workers, keyed by content, size-capped.

A cache file is `<key>.prefix`: a 64-hex SHA-256 of the payload, a newline, then the payload
(`torch.save` of the tensor and its facts). The key hashes what the cached values depend on —
the frozen weights themselves (not their path), the tokenized split, the prefix depth, the
pooling and the device type — so a changed checkpoint or tokenizer can never hit a stale file.
Writes are atomic (temp file + rename, with the umask's mode); a per-key lock makes concurrent
workers build a cache once (the others wait, then read it); a corrupt or truncated file fails its
checksum, is deleted with a warning naming it, and is rebuilt. Above the size cap the least
recently used files go. The checksum line is also the files' signature: the cache folder may be
one the user shares with other files, and the size cap and `harness cache clear` only ever
delete files that carry it (clear: whose checksum verifies) and their empty locks.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path

import torch
from filelock import FileLock

from harness.atomic import atomic_write

__all__ = ["DiskStore", "content_key", "tensor_digest"]

SUFFIX = ".prefix"
_HEADER = re.compile(rb"[0-9a-f]{64}\n")  # the checksum line every cache file starts with
_KEY_LOCK = re.compile(r"[0-9a-f]{40}\.lock")  # a lock named by `content_key`, with no cache file


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
            warnings.warn(
                f"prefix cache {path} is corrupt (checksum): discarded, rebuilding", stacklevel=2
            )
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
        path = atomic_write(
            self.path(key), hashlib.sha256(data).hexdigest().encode() + b"\n" + data
        )
        self.evict(keep=path)
        return path

    @staticmethod
    def signed(path: Path, verify: bool = False) -> bool:
        """The file starts with a checksum line (`verify`: which matches the rest of it)."""
        try:
            with open(path, "rb") as f:
                header = f.read(65)
                if not _HEADER.fullmatch(header):
                    return False
                if not verify:
                    return True
                digest = hashlib.sha256()
                for chunk in iter(lambda: f.read(2**20), b""):
                    digest.update(chunk)
        except OSError:
            return False
        return digest.hexdigest().encode() == header[:64]

    def files(self, verify: bool = False) -> list[Path]:
        """The cache files in the folder: `*.prefix` files with the signature, nothing else."""
        if not self.root.is_dir():
            return []
        found = self.root.glob(f"*{SUFFIX}")
        return sorted(p for p in found if p.is_file() and self.signed(p, verify))

    def leftovers(self, files: list[Path]) -> list[Path]:
        """The locks of these cache files (and empty locks named like a cache key), and the
        temp files of writes that were killed before their rename."""
        stems = {p.stem for p in files}
        locks = [
            p
            for p in self.root.glob("*.lock")
            if p.is_file()
            and p.stat().st_size == 0  # the harness never writes into a lock
            and (p.stem in stems or _KEY_LOCK.fullmatch(p.name))
        ]
        temps = [p for p in self.root.glob(f".*{SUFFIX}.*.tmp") if p.is_file() and self.signed(p)]
        return sorted([*locks, *temps])

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

    def clear(self) -> tuple[list[Path], int]:
        """Delete the harness's cache files and their locks, nothing else; returns (paths
        removed, bytes of cache files removed)."""
        files = self.files(verify=True)
        size = sum(p.stat().st_size for p in files)
        removed = [*files, *self.leftovers(files)]
        for p in removed:
            p.unlink(missing_ok=True)
        return removed, size
