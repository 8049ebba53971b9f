"""A search trial's configuration follows from its claim: several workers sampling at the same
moment draw distinct configurations, exactly those one worker alone draws (QMC: the same points
in the same order as Optuna's own sequential `QMCSampler`)."""

from __future__ import annotations

import json
import multiprocessing
from multiprocessing.synchronize import Barrier
from pathlib import Path

import optuna
import pytest
from sweeptools import SMOKE

from harness.sweep import runner
from harness.sweep._optuna_storage import trial_id
from harness.sweep.spec import SweepSpec, load_sweep
from harness.sweep.study import claim_search, draw_index, make_sampler, open_storage, void

BUDGET, WORKERS = 12, 3


def _spec(sampler: str) -> SweepSpec:
    options = "{name: qmc, seed: 0, scramble: true}" if sampler == "qmc" else "{name: tpe, seed: 0}"
    return load_sweep(SMOKE, [f"search.sampler={options}", f"search.n_trials={BUDGET}"])


def _draw(study: optuna.Study, spec: SweepSpec, trial: optuna.Trial) -> dict[str, float]:
    """What `step_cell` does with a claimed trial: its sampler, then the suggestions."""
    cell = spec.cells[0]
    study.sampler = runner._sampler(spec, 0, cell, trial, study)
    ranges = spec.space_for(cell)
    return {r.name: trial.suggest_float(r.name, r.low, r.high, log=r.log) for r in ranges}


def _key(params: dict[str, float]) -> str:
    return json.dumps(params, sort_keys=True)


def _worker(url: str, sampler: str, out: str, start: Barrier) -> None:
    """Claim and draw in lockstep with the other workers: every round they sample at once."""
    spec = _spec(sampler)
    study = optuna.load_study(study_name="cell", storage=open_storage(url, 10))
    drawn = []
    for _ in range(BUDGET // WORKERS):
        start.wait(timeout=60)
        trial = claim_search(study, BUDGET)
        assert trial is not None
        drawn.append(_draw(study, spec, trial))
        study.tell(trial, 0.0)
    Path(out).write_text(json.dumps(drawn))


def _alone(sampler: str) -> list[str]:
    """One worker, start to end, in memory."""
    spec, study = _spec(sampler), optuna.create_study(direction="maximize")
    keys = []
    while (trial := claim_search(study, BUDGET)) is not None:
        keys.append(_key(_draw(study, spec, trial)))
        study.tell(trial, 0.0)
    return keys


@pytest.mark.parametrize("sampler", ["qmc", "tpe"])
def test_workers_sampling_at_once_draw_what_one_worker_draws(sampler: str, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'study.db'}"
    optuna.create_study(study_name="cell", storage=open_storage(url, 10), direction="maximize")
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Barrier(WORKERS)
    outs = [str(tmp_path / f"w{i}.json") for i in range(WORKERS)]
    procs = [ctx.Process(target=_worker, args=(url, sampler, out, start)) for out in outs]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0, 0]
    drawn = [_key(d) for out in outs for d in json.loads(Path(out).read_text())]
    assert len(drawn) == BUDGET and len(set(drawn)) == BUDGET  # no configuration twice
    if sampler == "qmc":  # results do not steer QMC: the very set one worker draws
        assert sorted(drawn) == sorted(_alone(sampler))


def test_one_worker_draws_optunas_own_qmc_sequence() -> None:
    """Draw d is what Optuna's sequential QMCSampler gives the d-th trial of a study (the
    first a seeded random point): sweeps run before this change reproduce unchanged."""
    spec = _spec("qmc")
    ranges = spec.space_for(spec.cells[0])
    study = optuna.create_study(direction="maximize")
    optuna_own = []
    for _ in range(BUDGET):
        study.sampler = make_sampler({"name": "qmc", "seed": 0, "scramble": True}, 0)
        trial = study.ask()
        optuna_own.append(
            _key({r.name: trial.suggest_float(r.name, r.low, r.high, log=r.log) for r in ranges})
        )
        study.tell(trial, 0.0)
    assert _alone("qmc") == optuna_own


def test_a_retry_redraws_its_originals_configuration() -> None:
    """An interrupted original counts as a draw, its retry re-runs it, an overflow claim drew
    nothing: the next new trial draws the next configuration."""
    spec = _spec("qmc")
    study = optuna.create_study(direction="maximize")
    first = study.ask()
    params = _draw(study, spec, first)
    void(study, trial_id(first), "interrupted")
    study.enqueue_trial({}, user_attrs={"retry_of": first.number})  # killed before it suggested
    retry = study.ask()
    overflow = study.ask()
    overflow.set_user_attr("void", "overflow")
    new = study.ask()
    assert [draw_index(study, t) for t in (first, retry, new)] == [0, 0, 1]
    assert _draw(study, spec, retry) == params
    assert _draw(study, spec, new) != params
