"""A sweep searched where it should not have been: a deliberately narrow, too-low lr range and a
budget too short for it. The trust checks must say so — `lr_at_boundary` on the cell's runs,
`still_improving` on runs whose curve was still rising when the budget ran out — and the report
must mark the findings that rest on those cells *suspect*, with the reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from datafiles import write_local
from sweeptools import SweepRun

from harness.record import read_record

pytestmark = pytest.mark.slow

# The random sampler's first draw in both cells lies in the outer 10 % of the log range for
# seed 51 (checked against Optuna's RandomSampler; the draw does not depend on training), so
# the chosen lr is at the boundary whatever the runs score.
SWEEP = """\
name: trust
base: [model=tiny, {data}, dataset.val_size=64, train.max_steps=16, train.min_steps=16,
       train.batch_size=16, train.eval_every_steps=4]
grid:
  strategy: [full, head_only]
  train_size: [64]
search:
  n_trials: 1
  space:
    lr: {{low: 1.0e-3, high: 2.0e-3, log: true}}
  sampler: {{name: random, seed: 51}}
  pruner: {{name: none}}
confirm:
  seeds: 2
  data_seeds: [0, 1]
"""


def test_a_narrow_lr_range_and_a_short_budget_are_flagged_and_findings_suspect(
    tmp_path: Path,
) -> None:
    data = write_local(tmp_path / "data", "csv", n_train=200, n_test=48, n_dev=64)
    sweep_file = tmp_path / "trust.yaml"
    sweep_file.write_text(SWEEP.format(data=", ".join(data)))
    run = SweepRun.make(tmp_path, sweep_file, ("tracker=none",))
    run.run()
    confirm = {
        cell.id: [
            read_record(p) for p in sorted((run.records_dir / cell.slug / "confirm").glob("*.json"))
        ]
        for cell in run.spec.cells
    }
    assert {len(recs) for recs in confirm.values()} == {2}
    for recs in confirm.values():
        assert all("lr_at_boundary" in r["flags"] for r in recs)
    rising = [r for recs in confirm.values() for r in recs if "still_improving" in r["flags"]]
    assert rising, "no confirmation run flagged still_improving"
    for r in rising:  # what the flag claims, from the run's own curve
        assert r["stopped_by"] == "max_steps" and r["best_step"] == r["history"][-1]["step"] == 16

    from harness.report import build_report

    report = build_report(run.root / "out", tmp_path / "report").read_text()
    trust = report.split("## Trust", 1)[1].split("\n## ", 1)[0]
    assert "full@64" in trust and "lr_at_boundary (lr) (2 of 2 runs)" in trust
    assert "still_improving" in trust
    suspect = [line for line in report.splitlines() if "vs full at train_size=64" in line]
    assert suspect and all("*suspect*" in line and "lr_at_boundary" in line for line in suspect)
