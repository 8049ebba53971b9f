"""Launchers end to end: submitit's LocalExecutor runs the SLURM jobs, a local Ray runs the tasks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from cluster_checks import ROOT, CellState, assert_exact, harness_cmd, need, worker_pid

# 2 cells x (2 search trials + 1 seed): the smoke sweep, small enough for 2 workers on 2 cores
SMALL = ["grid.train_size=[32]", "search.n_trials=2", "confirm.seeds=1", "tracker.name=none"]


def _trial_pids(state: dict[str, CellState]) -> set[int]:
    return {worker_pid(t) for c in state.values() for t in CellState.valid(c.search + c.confirm)}


@pytest.mark.slow
def test_slurm_launcher_jobs_run_harness_worker_and_finish_the_sweep(tmp_path: Path) -> None:
    need("submitit")
    from submitit.core.utils import DelayedSubmission

    from harness.sweep.launchers.slurm import run_worker

    overrides = [*SMALL, f"out={tmp_path}", "launcher=slurm", "launcher.cluster=local"]
    overrides += ["launcher.n_jobs=2", "launcher.gpus_per_job=0", "launcher.cpus_per_job=1"]
    sweep = subprocess.Popen(
        harness_cmd("sweep", "sweeps/smoke.yaml", *overrides),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    out, err = sweep.communicate(timeout=300)
    assert sweep.returncode == 0, err[-3000:]
    assert "local: submitted 2 jobs" in out
    jobs = sorted((tmp_path / "slurm").glob("*_submitted.pkl"))
    assert len(jobs) == 2
    for path in jobs:  # the job body is exactly `harness worker <file> <overrides>` from here
        job = DelayedSubmission.load(path)
        assert job.function is run_worker
        command, cwd, threads = job.args
        assert command == [
            sys.executable,
            "-m",
            "harness",
            "worker",
            "sweeps/smoke.yaml",
            *overrides,
        ]
        assert (cwd, threads) == (str(ROOT), 1)
    logs = "".join(p.read_text() for p in (tmp_path / "slurm").glob("*_log.out"))
    assert "search #" in logs  # the jobs did the trials, not the submitting process
    state = assert_exact(ROOT / "sweeps/smoke.yaml", overrides)
    assert sweep.pid not in _trial_pids(state)


@pytest.mark.slow
def test_ray_launcher_runs_workers_as_ray_tasks(tmp_path: Path) -> None:
    need("ray")
    overrides = [*SMALL, f"out={tmp_path}", "launcher=ray", "launcher.n_workers=2"]
    # One local Ray (num_cpus=2) for both calls: first a GPU ask it cannot meet, then CPU workers.
    script = (
        "import sys, ray; ray.init(num_cpus=2, include_dashboard=False); "
        "import os; print('driver pid', os.getpid()); from harness.cli import main; a = sys.argv[1:]; "
        "print('gpu ask exit', main(['sweep', *a])); "
        "sys.exit(main(['sweep', *a, 'launcher.gpus_per_worker=0']))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, "sweeps/smoke.yaml", *overrides],
        cwd=ROOT, capture_output=True, text=True, timeout=900,  # a hang guard: Ray's start-up
    )  # took > 300 s on a loaded machine
    assert done.returncode == 0, done.stderr[-3000:]
    assert "gpu ask exit 2" in done.stdout and "the Ray cluster has 0 GPUs" in done.stderr
    assert "ray: 2 workers" in done.stdout
    state = assert_exact(ROOT / "sweeps/smoke.yaml", overrides)
    driver = int(done.stdout.split("driver pid ")[1].split()[0])
    assert driver not in _trial_pids(state)  # Ray's tasks ran the trials, not the driver
