"""Data files as they come from spreadsheets and older tools: a UTF-8 byte-order mark is
accepted, `dataset.encoding=` is honoured, and a file that does not decode is refused before any
trial runs (trial and sweep), naming the file, the byte offset and the option."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from clitools import no_training
from datafiles import text_rows

from harness import trial as wiring
from harness.cli import main
from harness.config import load_spec
from harness.data import read_dataset

ROOT = Path(__file__).resolve().parents[2]


def _csv(path: Path, rows: list[tuple[str, str]], encoding: str, bom: bool = False) -> Path:
    text = "text,label\n" + "".join(f"{t},{y}\n" for t, y in rows)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding))
    return path


def _files(folder: Path, encoding: str, bom: bool = False) -> list[str]:
    """train/test CSVs whose texts carry accented words (café, naïve) in `encoding`."""
    folder.mkdir(parents=True, exist_ok=True)
    accented = [(f"café {t} naïve", y) for t, y in text_rows(120)]
    train = _csv(folder / "train.csv", accented, encoding, bom)
    test = _csv(folder / "test.csv", [(f"crème {t}", y) for t, y in text_rows(24)], encoding, bom)
    return ["dataset=local", f"dataset.train_path={train}", f"dataset.test_path={test}"]


def test_a_utf8_file_with_a_byte_order_mark_trains(
    tiny_overrides: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Excel's 'CSV UTF-8': the BOM is not part of the first column's name."""
    files = _files(tmp_path / "data", "utf-8", bom=True)
    assert main(["trial", *tiny_overrides, *files]) == 0, capsys.readouterr().err
    assert capsys.readouterr().out.startswith("completed: full on tiny (bert), local n=48")
    raw = read_dataset(load_spec([*tiny_overrides, *files]).data)
    assert raw.pool.texts[0].startswith("café ") and not raw.test.texts[0].startswith("\ufeff")


def test_an_undecodable_file_is_refused_before_the_trial(
    tiny_overrides: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(wiring, "train", no_training)
    files = _files(tmp_path / "data", "latin-1")
    assert main(["trial", *tiny_overrides, *files]) == 2
    err = capsys.readouterr().err
    train = tmp_path / "data" / "train.csv"
    offset = train.read_bytes().index("é".encode("latin-1"))
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"error: dataset.train_path: {train} is not utf-8 text")
    assert f"byte offset {offset}" in err and "dataset.encoding=" in err
    assert not list((tmp_path / "runs").glob("*.json"))  # no failed record: nothing ran


def test_dataset_encoding_is_honoured(tiny_overrides: list[str], tmp_path: Path) -> None:
    files = _files(tmp_path / "data", "latin-1")
    spec = load_spec([*tiny_overrides, *files, "dataset.encoding=latin-1"])
    assert spec.data.encoding == "latin-1"
    raw = read_dataset(spec.data)
    assert raw.pool.texts[0].startswith("café ") and raw.pool.texts[0].endswith(" naïve")
    assert raw.test.texts[0].startswith("crème ")
    assert main(["trial", *tiny_overrides, *files, "dataset.encoding=latin-1"]) == 0


def test_an_unknown_encoding_is_refused_naming_the_key(
    tiny_overrides: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = _files(tmp_path / "data", "utf-8")
    assert main(["trial", *tiny_overrides, *files, "dataset.encoding=klingon"]) == 2
    assert capsys.readouterr().err.startswith("error: dataset.encoding: unknown encoding 'klingon'")


def test_a_sweep_refuses_an_undecodable_file_before_any_trial(tmp_path: Path) -> None:
    """Every trial would fail the same way: the sweep checks each data file once, up front."""
    files = _files(tmp_path / "data", "cp1252")
    raw = yaml.safe_load((ROOT / "sweeps" / "smoke.yaml").read_text())
    raw["base"] += files
    raw["grid"] = {"strategy": ["full", "head_only"], "train_size": [32]}
    sweep = tmp_path / "latin.yaml"
    sweep.write_text(yaml.safe_dump(raw))
    done = subprocess.run(
        [sys.executable, "-m", "harness", "sweep", str(sweep), f"out={tmp_path / 'out'}"]
        + ["tracker=none"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "HARNESS_TORCH_THREADS": "1", "PYTHONWARNINGS": "ignore"},
    )
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and str(tmp_path / "data" / "train.csv") in lines[0], done.stderr
    assert "byte offset" in lines[0] and "dataset.encoding=" in lines[0]
    assert not (tmp_path / "out" / "records").exists()
