"""A sweep worker: for every cell, claim search trials until the budget is taken, then confirm
the best configuration over the seeds. Any number of workers can run this on one storage."""

from __future__ import annotations

import time

import optuna
from optuna.distributions import FloatDistribution
from optuna.trial import FrozenTrial, TrialState

from harness.sweep.qmc import IndexedQMCSampler
from harness.sweep.recovery import adopter as _adopter
from harness.sweep.runs import run_confirm, run_search
from harness.sweep.sequential import grow_confirmation
from harness.sweep.session import Sweep, open_sweep, prepare
from harness.sweep.spec import Cell, SweepSpec
from harness.sweep.study import (
    claim_confirm,
    claim_search,
    draw_index,
    make_sampler,
    recover_stale,
    valid_trials,
)
from harness.sweep.summary import log_cell_summary

__all__ = ["Sweep", "open_sweep", "prepare", "run_confirm", "run_search", "step_cell", "work"]


def _sampler(
    spec: SweepSpec, cell_index: int, cell: Cell, trial: optuna.Trial, study: optuna.Study
) -> optuna.samplers.BaseSampler:
    """The sampler of a claimed search trial, seeded per (sweep seed, cell, trial number):
    reproducible, different for workers that claim at the same moment, and a resumed sweep
    never replays draws. QMC keeps one seed per cell (a fixed scramble is what keeps the points
    low-discrepancy) and gives the trial the point of its draw index (qmc.py)."""
    seed = spec.sampler["seed"] * 1_000_003 + cell_index * 10_007  # validated int
    if spec.sampler["name"] == "qmc":
        space = {r.name: FloatDistribution(r.low, r.high, log=r.log) for r in spec.space_for(cell)}
        options = {k: v for k, v in spec.sampler.items() if k not in ("name", "seed")}
        return IndexedQMCSampler(draw_index(study, trial), space, seed=seed % 2**31, **options)
    # one worker alone: the trial number is the trial count the seed used to follow
    return make_sampler(spec.sampler, (seed + trial.number) % 2**31)


def _best(study: optuna.Study) -> FrozenTrial | None:
    done = [
        t
        for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        if t.value is not None
    ]
    return max(done, key=lambda t: (t.value, -t.number)) if done else None


def step_cell(sweep: Sweep, index: int, cell: Cell) -> str:
    """Run one unit of work in a cell: 'ran', 'waiting' (others are running its trials) or 'done'."""
    spec, search, confirm = sweep.spec, sweep.search[cell.id], sweep.confirm[cell.id]
    recover_stale(search, _adopter(sweep, cell, search), sweep.running)
    trial = claim_search(search, spec.n_trials)
    if trial is not None:  # its configuration follows from the claim, not from who asks first
        search.sampler = _sampler(spec, index, cell, trial, search)
        rec = run_search(sweep, cell, trial)
        if sweep.progress:
            sweep.progress.trial_done(cell, "search", trial.number, rec)
        return "ran"
    if any(
        t.state not in (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL)
        for t in valid_trials(search)
    ):
        return "waiting"
    best = _best(search)
    if best is None:  # every search trial failed or was pruned: reported as such
        sweep.tracker.end_parent(search.user_attrs.get("mlflow_parent_run_id"), status="FAILED")
        return "done"
    recover_stale(confirm, _adopter(sweep, cell, confirm), sweep.running)
    ctrial = claim_confirm(confirm)
    if ctrial is not None:
        rec = run_confirm(sweep, cell, ctrial, best)
        if sweep.progress:
            sweep.progress.trial_done(cell, "confirm", int(ctrial.user_attrs["seed"]), rec)
        return "ran"
    if any(t.state == TrialState.RUNNING for t in confirm.get_trials(deepcopy=False)):
        return "waiting"
    parent = search.user_attrs.get("mlflow_parent_run_id")
    log_cell_summary(sweep, cell, parent)
    sweep.tracker.end_parent(parent)
    return "done"


def _work_through(sweep: Sweep, pending: list[tuple[int, Cell]], poll_s: float) -> None:
    """Step through the cells until all are done (waiting on cells other workers are finishing)."""
    while pending:
        still = []
        for index, cell in pending:
            if sweep.progress:
                sweep.progress.enter(cell)
            state = step_cell(sweep, index, cell)
            while state == "ran":
                state = step_cell(sweep, index, cell)
            if state == "waiting":
                still.append((index, cell))
        pending = still
        if pending:
            time.sleep(poll_s)


def work(sweep: Sweep, poll_s: float = 2.0) -> None:
    """Work through every cell; then, with `confirm.seeds: {min, max}`, add confirmation runs
    where a comparison with full is still undecided (cheapest cells first) until none is."""
    index = {cell.id: i for i, cell in enumerate(sweep.spec.cells)}
    pending = list(enumerate(sweep.spec.cells))
    while pending:
        _work_through(sweep, pending, poll_s)
        grown = grow_confirmation(sweep.spec, sweep.confirm)
        if grown and sweep.progress:
            sweep.progress.extend(len(grown))
        pending = [(index[cell.id], cell) for cell in grown]
