"""The on-disk prefix store: atomic files with a checksum, one builder under concurrency, a size cap."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

import pytest
import torch

from harness.cache_store import DiskStore


def _payload(n: int = 4) -> dict[str, object]:
    return {
        "values": torch.arange(n * 8, dtype=torch.float32).reshape(n, 8),
        "start": 6,
        "pooled": True,
        "build_s": 1.5,
    }


def test_round_trip_and_a_corrupt_file_is_discarded(tmp_path: Path) -> None:
    store = DiskStore(tmp_path, max_mb=10)
    path = store.save("k", _payload())
    back = store.load("k")
    assert back is not None and torch.equal(back["values"], _payload()["values"])  # type: ignore[arg-type]
    assert back["build_s"] == 1.5 and [
        p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock")
    ] == ["k.prefix"]
    path.write_bytes(path.read_bytes()[:-10])  # truncated, as by a killed writer without rename
    with pytest.warns(UserWarning, match=rf"prefix cache {path} is corrupt \(checksum\)"):
        assert store.load("k") is None
    assert not path.exists()  # discarded: the next trial rebuilds it


def test_least_recently_used_files_are_evicted_above_the_cap(tmp_path: Path) -> None:
    store = DiskStore(tmp_path, max_mb=1)
    big = {**_payload(), "values": torch.zeros(100_000)}  # ~0.4 MB each
    for key in ("a", "b", "c"):
        store.save(key, big)
        time.sleep(0.02)
    assert {p.stem for p in store.files()} == {"b", "c"}
    assert len(store.clear()[0]) == 2 and store.files() == []


def _build_once(root: str, out: str) -> None:
    store = DiskStore(root, max_mb=10)
    with store.lock("cell"):
        if store.load("cell") is None:
            with open(out, "a") as f:  # a record of who built
                f.write("built\n")
            time.sleep(0.2)
            store.save("cell", _payload())


def test_three_workers_build_one_cache_once(tmp_path: Path) -> None:
    log = tmp_path / "builds.txt"
    ctx = multiprocessing.get_context("spawn")
    procs = [
        ctx.Process(target=_build_once, args=(str(tmp_path / "c"), str(log))) for _ in range(3)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0, 0]
    assert log.read_text().splitlines() == ["built"]
