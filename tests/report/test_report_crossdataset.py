"""Across datasets: suites from the summary's groups, wins / ties / losses counted from the
per-dataset verdicts, majority findings with exceptions, and combined sweeps (`DIR DIR ...`)
giving the same cross-dataset section as one sweep with a dataset grid axis."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest

from harness.report import ReportError, build_report
from harness.report.cli import run_report_command
from harness.report.crossdataset import Suite, suites, verdict_counts
from harness.report.crossfindings import majority_verdict


def _verdict(group: str, strategy: str, size: int, verdict: str, diff: float) -> dict[str, object]:
    return {
        "family": "vs full",
        "group": group,
        "train_size": size,
        "strategy": strategy,
        "reference": "full",
        "verdict": verdict,
        "diff": diff,
        "ci_low": diff - 1,
        "ci_high": diff + 1,
    }


def _section(text: str, title: str) -> str:
    """One `## ` section of a report, up to the next."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## )", text, flags=re.S | re.M)
    assert match, f"no section {title!r}"
    return match.group(1)


def test_suites_group_datasets_that_share_every_other_axis() -> None:
    summary = pd.DataFrame({"group": ["dataset=a,head=x", "dataset=b,head=x", "dataset=a,head=y"]})
    (suite,) = suites(summary)
    assert suite.rest == "head=x" and suite.datasets == ("a", "b")
    assert suites(pd.DataFrame({"group": ["", ""]})) == []
    assert suites(pd.DataFrame({"group": ["dataset=a"]})) == []


def test_verdict_counts_count_wins_ties_and_losses_per_strategy_and_size() -> None:
    suite = Suite("", (("a", "dataset=a"), ("b", "dataset=b"), ("c", "dataset=c")))
    verdicts = pd.DataFrame(
        [
            _verdict("dataset=a", "lora", 100, "better", 3.0),
            _verdict("dataset=b", "lora", 100, "better", 2.0),
            _verdict("dataset=c", "lora", 100, "worse", -4.0),
            _verdict("dataset=a", "lora", 1000, "equivalent", 0.1),
            _verdict("dataset=b", "lora", 1000, "undecided", -0.8),
            _verdict("dataset=c", "lora", 1000, "equivalent", 0.2),
            _verdict("dataset=a", "head_only", 100, "worse", -5.0),
            _verdict("dataset=b", "head_only", 100, "worse", -6.0),  # none on c: not compared
            _verdict("dataset=z", "head_only", 100, "better", 1.0),  # another suite: not counted
            {**_verdict("dataset=c", "head_only", 100, "best", 0.0), "family": "vs best"},
        ]
    )
    counts = verdict_counts(verdicts, suite).set_index(["strategy", "train_size"])
    assert counts.loc[("lora", 100), ["better", "equivalent", "worse", "undecided"]].tolist() == [
        2,
        0,
        1,
        0,
    ]
    assert counts.loc[("lora", 1000), ["better", "equivalent", "worse", "undecided"]].tolist() == [
        0,
        2,
        0,
        1,
    ]
    head = counts.loc[("head_only", 100)]
    assert (head["compared"], head["not_compared"], head["worse"], head["better"]) == (2, 1, 2, 0)


def test_majority_means_more_than_half() -> None:
    assert majority_verdict({"a": "better", "b": "better", "c": "worse"}) == "better"
    assert majority_verdict({"a": "better", "b": "worse"}) is None
    assert (
        majority_verdict({"a": "equivalent", "b": "equivalent", "c": "undecided", "d": "worse"})
        is None
    )
    assert majority_verdict({"a": "worse"}) == "worse"


def test_suite_report_states_majorities_and_names_exceptions(built_suite_report: Path) -> None:
    text = built_suite_report.read_text(encoding="utf-8")
    findings = _section(text, "Findings")
    assert (
        "Across datasets, lora vs full at train_size=100: **better on 2 of 3 datasets** (cr, sst2) "
        "[lora@100, full@100 on cr, sst2]; exception: trec worse" in findings
    )
    assert "[lora@100[dataset=trec], full@100[dataset=trec]]" in findings
    assert (
        "lora vs full at train_size=1000: no verdict holds on most of the 3 datasets compared — "
        "cr undecided" in findings
    )
    assert "**undecided — would need about" in findings
    assert "head_only vs full at train_size=1000: **worse on 3 of 3 datasets**" in findings
    assert "beyond the Nemenyi CD (1.91): full over head_only (2.00)" in findings
    assert (  # the Bayesian signed-rank test speaks only past 0.95, and says so when it cannot
        "head_only vs full at train_size=1000 (Bayesian signed-rank test over the 3 datasets' "
        "mean differences): **full practically better (by more than 1 point)** with probability 0.99"
    ) in findings
    assert (
        "lora vs full at train_size=100 (Bayesian signed-rank test over the 3 datasets' mean "
        "differences): no region reaches 0.95 (P(equivalent) 0.02, P(full better) 0.44"
    ) in findings
    across = _section(text, "Across datasets")
    assert "| lora | 100 | 3 of 3 | 2 | 0 | 1 | 0 |" in across
    assert "![Critical-difference diagrams, one per size](critical_difference.png)" in across
    assert (built_suite_report.parent / "critical_difference.png").stat().st_size > 0


def test_cross_dataset_findings_on_a_flagged_cell_are_suspect(
    suite_sweep: Path, tmp_path: Path
) -> None:
    """A flag on one dataset's cell marks every cross-dataset statement resting on it *suspect*,
    naming the cell and reason, as the per-dataset findings do; statements on other cells stay
    unmarked."""
    sweep = tmp_path / "sweep"
    shutil.copytree(suite_sweep, sweep)
    flagged = sweep / "records" / "dataset-trec__strategy-lora__train_size-1000" / "confirm"
    record = sorted(flagged.glob("*.json"))[0]
    data = json.loads(record.read_text(encoding="utf-8"))
    data["flags"] = ["lr_at_boundary"]
    record.write_text(json.dumps(data), encoding="utf-8")

    text = build_report(sweep, tmp_path / "report").read_text(encoding="utf-8")
    findings = _section(text, "Findings").splitlines()
    note = " *suspect*: lora@1000[dataset=trec] lr_at_boundary (1 of 3 runs)."
    across = [line for line in findings if line.startswith("- Across datasets")]
    on_it = [line for line in across if "lora@1000" in line]
    assert len(on_it) == 3  # the verdict count, the Bayesian test, the ranks at 1000
    assert all(line.endswith(note) for line in on_it), on_it
    assert not any("suspect" in line for line in across if "lora@1000" not in line)


def test_combined_sweeps_give_the_same_cross_dataset_section(
    built_suite_report: Path, split_suite: list[Path], tmp_path: Path
) -> None:
    combined = build_report(split_suite, tmp_path / "combined").read_text(encoding="utf-8")
    axis = built_suite_report.read_text(encoding="utf-8")
    assert _section(combined, "Across datasets") == _section(axis, "Across datasets")
    assert _section(combined, "Verdicts: each strategy vs full") == _section(
        axis, "Verdicts: each strategy vs full"
    )
    assert combined.startswith(
        "# Sweep report: suite_fixture_cr + suite_fixture_sst2 + suite_fixture_trec"
    )
    assert "## Sweep files" in combined and "sst2/sweep.yaml as run" in combined


def test_cli_combines_folders(
    split_suite: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "r"
    assert run_report_command([*map(str, split_suite[:2]), f"out={out}"]) == 0
    assert "## Across datasets" in (out / "report.md").read_text(encoding="utf-8")
    assert f"report: {out / 'report.md'}" in capsys.readouterr().out


def test_combining_is_refused_where_it_would_mislead(
    split_suite: list[Path], tmp_path: Path, make_suite: ModuleType
) -> None:
    with pytest.raises(ReportError, match="given twice"):
        build_report([split_suite[0], split_suite[0]], tmp_path / "twice")
    copy = make_suite.main(tmp_path / "again", split=True) / split_suite[0].name
    with pytest.raises(ReportError, match=r"cells \[dataset=cr\] are also in"):
        build_report([split_suite[0], copy], tmp_path / "same")
    accuracy = tmp_path / "again" / split_suite[1].name
    yaml = accuracy / "sweep.yaml"
    yaml.write_text(yaml.read_text().replace("val_macro_f1", "val_accuracy"))
    with pytest.raises(ReportError, match="search.metric: the sweeps rank by different metrics"):
        build_report([split_suite[0], accuracy], tmp_path / "metrics")


def test_single_dataset_report_has_no_cross_dataset_or_per_class_view(built_report: Path) -> None:
    text = built_report.read_text(encoding="utf-8")
    assert "## Across datasets" not in text and "## Per-class" not in text
    assert not (built_report.parent / "critical_difference.png").exists()
