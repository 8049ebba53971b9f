"""`launcher: ray`: `n_workers` Ray tasks, each with `gpus_per_worker` GPUs, running the worker loop.

The tasks run `harness worker <file> <overrides>` from the driver's directory: every node needs
the same paths (a shared filesystem) and the storage should be a server (PostgreSQL).
"""

from __future__ import annotations

import os
import subprocess
from typing import Any

from harness.errors import ConfigError
from harness.sweep.launchers import worker_command
from harness.sweep.spec import SweepSpec

__all__ = ["launch", "run_worker"]


def run_worker(args: list[str], cwd: str, threads: int) -> int:
    """The task body: `harness worker` with the node's own Python; Ray set CUDA_VISIBLE_DEVICES."""
    env = {**os.environ}
    env.setdefault("HARNESS_TORCH_THREADS", str(threads))
    return subprocess.run(worker_command(args), cwd=cwd, env=env, check=False).returncode


def _connect(address: str | None) -> Any:
    try:
        import ray
    except ImportError:
        raise ConfigError(
            "launcher", "ray needs ray: pip install -e '.[cluster]'", ("local", "slurm")
        ) from None
    if not ray.is_initialized():
        try:
            ray.init(address=address, include_dashboard=False)
        except Exception as exc:  # noqa: BLE001 - no cluster at that address, bad address
            raise ConfigError(
                "launcher.address", f"cannot connect to Ray at {address or 'auto/local'}: {exc}"
            ) from None
    return ray


def launch(spec: SweepSpec, args: list[str]) -> int:
    """Connect (or reuse a connection), run the tasks, wait; the worst exit code."""
    opts = spec.launcher
    ray = _connect(opts["address"])
    gpus = ray.cluster_resources().get("GPU", 0)
    if opts["gpus_per_worker"] > gpus:
        raise ConfigError(
            "launcher.gpus_per_worker",
            f"{opts['gpus_per_worker']} per worker, but the Ray cluster has {gpus:g} GPUs "
            "(launcher.gpus_per_worker=0 for CPU workers)",
        )
    task = ray.remote(num_cpus=opts["cpus_per_worker"], num_gpus=opts["gpus_per_worker"])(
        run_worker
    )
    threads = max(1, int(opts["cpus_per_worker"]))
    refs = [task.remote(list(args), os.getcwd(), threads) for _ in range(opts["n_workers"])]
    print(f"ray: {len(refs)} workers on {ray.get_runtime_context().gcs_address}", flush=True)
    return max(int(code) for code in ray.get(refs))
