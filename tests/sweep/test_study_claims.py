"""Concurrent claims on one SQLite study: each enqueued seed goes to exactly one worker process.

Optuna pops a WAITING trial by reading its state, then writing RUNNING; on SQLite that used to
let two processes read WAITING together and both run the seed (found by CI: two Ray workers
ran the same confirmation seed and the second crashed telling a finished trial).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import optuna
import pytest

from harness.sweep.study import claim_confirm, open_storage, void

# a worker: wait for the common start, then claim seeds with the sweep's own claim until none left
WORKER = """
import json, sys, time
import optuna
from harness.sweep.study import claim_confirm, open_storage
optuna.logging.set_verbosity(optuna.logging.ERROR)
url, start, out = sys.argv[1], float(sys.argv[2]), sys.argv[3]
study = optuna.load_study(study_name="confirm", storage=open_storage(url, 10))
time.sleep(max(0.0, start - time.time()))
seeds = []
while (trial := claim_confirm(study)) is not None:
    seeds.append(trial.user_attrs["seed"])
json.dump(seeds, open(out, "w"))
"""


@pytest.mark.slow
def test_each_seed_is_claimed_by_exactly_one_of_three_processes(tmp_path: Path) -> None:
    url, n_seeds, n_workers = f"sqlite:///{tmp_path / 'study.db'}", 60, 3
    study = optuna.create_study(study_name="confirm", storage=open_storage(url, 10))
    for seed in range(n_seeds):
        study.enqueue_trial({}, user_attrs={"seed": seed})
    start = time.time() + 5  # all three are importing by then: they contend from the first pop
    outs = [tmp_path / f"worker{k}.json" for k in range(n_workers)]
    procs = [
        subprocess.Popen([sys.executable, "-c", WORKER, url, str(start), str(out)]) for out in outs
    ]
    assert all(p.wait(timeout=240) == 0 for p in procs)
    claims = Counter(seed for out in outs for seed in json.loads(out.read_text()))
    twice = {seed: n for seed, n in claims.items() if n > 1}
    assert not twice, f"seeds claimed by more than one worker: {twice}"
    assert sorted(claims) == list(range(n_seeds))
    assert sum(1 for out in outs if json.loads(out.read_text())) >= 2  # they did contend


def test_a_seed_enqueued_twice_runs_once() -> None:
    study = optuna.create_study(direction="maximize")
    for _ in range(2):  # two `harness sweep` prepared the same fresh study at the same moment
        for seed in (0, 1):
            study.enqueue_trial({}, user_attrs={"seed": seed})
    first = claim_confirm(study)
    assert first is not None and first.user_attrs["seed"] == 0
    void(study, first._trial_id, "interrupted")  # its worker died: the retry is the seed's owner
    study.enqueue_trial({}, user_attrs={"seed": 0, "retry_of": first.number})
    claimed = []
    while (trial := claim_confirm(study)) is not None:
        claimed.append((trial.number, trial.user_attrs["seed"]))
        study.tell(trial, 0.5)
    # the second copy of seed 0 (#2) now owns it, so the retry (#4) is the duplicate
    assert claimed == [(1, 1), (2, 0)]
    voids = {t.number: t.user_attrs.get("void") for t in study.get_trials()}
    assert voids == {0: "interrupted", 1: None, 2: None, 3: "duplicate", 4: "duplicate"}
