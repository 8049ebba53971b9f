"""The CLI and the user's files: `harness cache clear` removes only what the harness wrote,
`record_path=` never replaces a file that is not a record, a path problem is one line naming the
path (exit 2) for every command, and records and caches honour the umask."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

import pytest
import torch
from clitools import harness as _harness
from clitools import no_training as _no_training

from harness import trial as wiring
from harness.cache_store import DiskStore, content_key
from harness.cli import main
from harness.record import read_record, validate_record

ROOT = Path(__file__).resolve().parents[1]
FIXTURE_SWEEP = ROOT / "tests" / "fixtures" / "report" / "sweep"


def _one_error_line(err: str, *needles: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


# -- harness cache clear ------------------------------------------------------------------------


def test_cache_clear_removes_only_the_files_the_harness_wrote(
    tmp_path: Path, prefix_cache_dir: Path
) -> None:
    """HARNESS_CACHE_DIR pointed at a folder the user shares with other files: their lock files,
    a `.prefix` note of theirs and an empty lock of another tool all stay."""
    key = content_key("weights", "split")
    store = DiskStore(prefix_cache_dir, max_mb=10)
    with store.lock(key):
        store.save(key, {"values": torch.zeros(3)})
    orphan = prefix_cache_dir / f"{content_key('a build that failed')}.lock"
    orphan.touch()  # the lock of a key whose build never finished: the harness's too
    foreign = {
        "poetry.lock": "[[package]]\nname = 'x'\n",
        "uv.lock": "version = 1\n",
        "mlflow.db.lock": "",
        "notes.prefix": "my notes, not a cache\n",
        f"{'0' * 40}.prefix": "named like a cache file, written by someone else\n",
        "digest.prefix": f"{'0' * 64}\nits first line looks like a checksum, and is not\n",
        "data.csv": "text,label\n",
    }
    for name, text in foreign.items():
        (prefix_cache_dir / name).write_text(text)

    cleared = _harness("cache", "clear", cwd=tmp_path)

    assert cleared.returncode == 0, cleared.stderr
    for name, text in foreign.items():
        assert (prefix_cache_dir / name).read_text() == text, name
    assert not store.path(key).exists() and not (prefix_cache_dir / f"{key}.lock").exists()
    assert not orphan.exists()
    lines = cleared.stdout.splitlines()
    assert lines[0].startswith(f"cleared 1 cache file(s), 0.0 MiB, from {prefix_cache_dir}")
    assert sorted(lines[1:4]) == sorted(
        f"  removed {n}" for n in (f"{key}.prefix", f"{key}.lock", orphan.name)
    )
    assert lines[4] == f"  kept {len(foreign)} other file(s): not cache files the harness wrote"
    info = _harness("cache", "info", str(prefix_cache_dir), cwd=tmp_path)
    assert info.stdout.startswith(f"{prefix_cache_dir}: 0 cache file(s)")  # the notes do not count


def test_the_size_cap_never_evicts_a_file_the_harness_did_not_write(tmp_path: Path) -> None:
    notes = tmp_path / "notes.prefix"
    notes.write_bytes(b"x" * 3 * 2**20)  # 3 MiB of the user's, above the 1 MiB cap
    store = DiskStore(tmp_path, max_mb=1)
    store.save(content_key("k"), {"values": torch.zeros(3)})
    assert notes.read_bytes() == b"x" * 3 * 2**20
    assert store.files() == [store.path(content_key("k"))]


# -- record_path= -------------------------------------------------------------------------------


def test_record_path_refuses_to_replace_a_file_that_is_not_a_record(
    tiny_overrides: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(wiring, "train", _no_training)
    notes = tmp_path / "notes.json"
    for text in ("my notes\n", '{"todo": ["write the paper"]}\n'):  # any text, any JSON
        notes.write_text(text)
        assert main(["trial", *tiny_overrides, f"record_path={notes}"]) == 2
        _one_error_line(capsys.readouterr().err, "record_path", str(notes))
        assert notes.read_text() == text


def test_record_path_may_replace_a_record_of_the_harness(run_tiny, tmp_path: Path) -> None:
    """Re-running a trial onto its own record (what sweeps do when they flag or adopt) works."""
    path = tmp_path / "mine.json"
    first, _ = run_tiny(f"record_path={path}")
    again, _ = run_tiny(f"record_path={path}", "seed=1")
    assert first["seed"] == 0 and read_record(path)["seed"] == again["seed"] == 1
    assert validate_record(read_record(path)) == []


# -- path problems: one line naming the path, exit 2, for every command --------------------------


@pytest.fixture
def a_file(tmp_path: Path) -> Path:
    path = tmp_path / "a-file"
    path.write_text("not a folder\n")
    return path


def test_trial_out_under_a_regular_file(
    tiny_overrides: list[str],
    a_file: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(wiring, "train", _no_training)  # refused before training, not after
    assert main(["trial", *tiny_overrides, f"out={a_file / 'runs'}"]) == 2
    _one_error_line(capsys.readouterr().err, str(a_file / "runs"))


def test_trial_record_path_under_a_regular_file(
    tiny_overrides: list[str],
    a_file: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(wiring, "train", _no_training)
    assert main(["trial", *tiny_overrides, f"record_path={a_file / 'r.json'}"]) == 2
    _one_error_line(capsys.readouterr().err, str(a_file))


def test_report_out_under_a_regular_file(
    tmp_path: Path, a_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sweep = tmp_path / "sweep"
    shutil.copytree(FIXTURE_SWEEP, sweep)
    assert main(["report", str(sweep), f"out={a_file / 'report'}"]) == 2
    _one_error_line(capsys.readouterr().err, str(a_file / "report"))


def test_sweep_out_under_a_regular_file(a_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    smoke = str(ROOT / "sweeps" / "smoke.yaml")
    assert main(["sweep", smoke, f"out={a_file / 'out'}", "tracker=none"]) == 2
    _one_error_line(capsys.readouterr().err, str(a_file / "out"))


def test_cache_folder_that_is_a_regular_file(
    a_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for action in ("info", "clear"):
        assert main(["cache", action, str(a_file)]) == 2
        _one_error_line(capsys.readouterr().err, str(a_file))
    assert a_file.read_text() == "not a folder\n"


# -- the umask ----------------------------------------------------------------------------------


def test_records_and_caches_honour_the_umask(tmp_path: Path, prefix_cache_dir: Path) -> None:
    """A shared `out=` with umask 002: the group can read (and write) what a trial wrote."""
    tiny = ["model=tiny", "tracker=none", "dataset.train_size=48", "dataset.val_size=32"]
    tiny += ["train.epochs=1", "train.batch_size=16", "train.drift_examples=16"]
    out = f"out={tmp_path / 'runs'}"
    done = _harness("trial", *tiny, "strategy=head_only", out, cwd=tmp_path, umask=0o002)
    assert done.returncode == 0, done.stderr
    records = list((tmp_path / "runs").glob("*.json"))
    caches = DiskStore(prefix_cache_dir, max_mb=10).files()
    assert len(records) == 1 and caches  # head_only caches its frozen encoder on disk
    for path in [*records, *caches]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o664, (path, oct(path.stat().st_mode))
