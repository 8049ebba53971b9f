"""Reading a study: a report folder, a sweep folder or a sweep file; confirmation runs only."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from harness.advise.study import read_study
from harness.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "fixtures" / "report" / "sweep"


@pytest.fixture
def sweep_copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURE, tmp_path / "runs" / "fixture_sweep"))


def test_a_report_folder_gives_its_confirmation_runs_score_and_machine() -> None:
    study = read_study(REPO / "reports" / "default")
    assert study.name == "default"  # from the sweep file the report embeds
    assert study.score_label == "accuracy"
    assert len(study.runs) == 45  # 5 strategies x 3 sizes x 3 confirmation runs
    assert set(study.runs["train_size"]) == {100, 300, 1000}
    assert study.runs["score"].between(50, 100).all()  # points
    assert study.margin == 1.0 and study.margin_from.startswith("default")
    assert "2 CPU cores" in study.machine and study.machine.startswith("cpu")
    assert study.verdicts is not None and {"vs full", "vs best"} <= set(study.verdicts["family"])
    assert study.label("") == "sst2"


def test_a_suite_report_has_one_unit_per_dataset_scored_by_its_metric() -> None:
    study = read_study(REPO / "reports" / "suite")
    assert study.score_label == "macro-F1"
    assert [study.label(u) for u in study.units] == ["cr", "mpqa", "sst2", "sst5", "subj", "trec"]


def test_a_sweep_folder_uses_only_completed_confirmation_runs(sweep_copy: Path) -> None:
    study = read_study(sweep_copy)
    runs = study.runs
    assert set(runs["strategy"]) == {"full", "lora", "head_only"}  # bitfit: failed / search only
    assert len(runs[(runs["strategy"] == "lora") & (runs["train_size"] == 5000)]) == 4  # 2 lost
    assert len(runs[(runs["strategy"] == "full") & (runs["train_size"] == 100)]) == 6
    assert study.verdicts is None  # no report yet
    assert any("still_improving" in f for f in study.flags[("", "full", 100)])


def test_a_sweep_file_finds_its_output_folder(sweep_copy: Path, tmp_path: Path) -> None:
    sweep_file = tmp_path / "mine.yaml"
    sweep_file.write_text(f"name: fixture_sweep\nout: {sweep_copy}\n", encoding="utf-8")
    assert len(read_study(sweep_file).runs) == len(read_study(sweep_copy).runs)


def test_the_margin_comes_from_the_sweep_file_unless_overridden(sweep_copy: Path) -> None:
    path = sweep_copy / "sweep.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "report:\n  margin: 2.5\n", encoding="utf-8")
    study = read_study(sweep_copy)
    assert study.margin == 2.5 and "report.margin" in study.margin_from
    assert read_study(sweep_copy, margin=0.5).margin == 0.5


def test_a_missing_path_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such report folder"):
        read_study(tmp_path / "nowhere")


def test_a_folder_without_records_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"no records/"):
        read_study(tmp_path)


def test_a_sweep_without_confirmation_runs_is_refused(sweep_copy: Path) -> None:
    for folder in sweep_copy.glob("records/*/confirm"):
        shutil.rmtree(folder)
    with pytest.raises(ConfigError, match="no completed confirmation runs"):
        read_study(sweep_copy)
