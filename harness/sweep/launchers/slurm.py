"""`launcher: slurm`: one submitit array job of `n_jobs` tasks, each `harness worker <file> <overrides>`.

`launcher.cluster=local` runs the same jobs with submitit's LocalExecutor (tests, a single box).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

from harness.errors import ConfigError
from harness.sweep.launchers import worker_command
from harness.sweep.spec import SweepSpec

__all__ = ["launch", "run_worker", "submit"]


def run_worker(command: list[str], cwd: str, threads: int) -> int:
    """The job body: the worker command, streaming to the job's log; a failure fails the job."""
    env = {**os.environ}
    env.setdefault("HARNESS_TORCH_THREADS", env.get("SLURM_CPUS_PER_TASK") or str(threads))
    code = subprocess.run(command, cwd=cwd, env=env, check=False).returncode
    if code:
        raise RuntimeError(f"`{shlex.join(command)}` exited with {code}")
    return code


def submit(spec: SweepSpec, args: list[str]) -> list[Any]:
    """Submit the array job; returns submitit's jobs (their `.submission()` holds the command)."""
    try:
        import submitit
    except ImportError:
        raise ConfigError(
            "launcher", "slurm needs submitit: pip install -e '.[cluster]'", ("local", "ray")
        ) from None
    opts = spec.launcher
    folder = Path(opts["folder"] or spec.out / "slurm").resolve()
    try:
        executor = submitit.AutoExecutor(folder=folder, cluster=opts["cluster"])
    except Exception as exc:  # noqa: BLE001 - e.g. an unknown cluster name
        raise ConfigError("launcher.cluster", f"{type(exc).__name__}: {exc}") from None
    executor.update_parameters(
        name=f"harness-{spec.name}",
        timeout_min=opts["time_min"],
        gpus_per_node=opts["gpus_per_job"],
        cpus_per_task=opts["cpus_per_job"],
        mem_gb=opts["mem_gb"],
        slurm_partition=opts["partition"],
        slurm_account=opts["account"],
        slurm_qos=opts["qos"],
        slurm_array_parallelism=opts["n_jobs"],
        slurm_setup=list(opts["setup"]),
        slurm_additional_parameters=dict(opts["additional"]),
    )
    command, cwd = worker_command(args), os.getcwd()
    with executor.batch():  # one array job on SLURM
        jobs = [
            executor.submit(run_worker, command, cwd, opts["cpus_per_job"])
            for _ in range(opts["n_jobs"])
        ]
    print(
        f"{executor.cluster}: submitted {len(jobs)} jobs ({jobs[0].job_id} ...) running "
        f"`{shlex.join(command)}`; logs in {folder}",
        flush=True,
    )
    return jobs


def launch(spec: SweepSpec, args: list[str]) -> int:
    """Submit, then (with `launcher.wait`) wait for every job; 1 if any job failed."""
    jobs = submit(spec, args)
    if not spec.launcher["wait"]:
        return 0
    failed = 0
    for job in jobs:
        try:
            job.result()
        except Exception as exc:  # noqa: BLE001 - report every failed job, not just the first
            failed += 1
            print(f"job {job.job_id} failed: {str(exc).splitlines()[0]}", file=sys.stderr)
    return 1 if failed else 0
