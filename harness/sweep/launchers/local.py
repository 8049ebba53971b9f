"""`launcher: local`: `workers` processes on this machine, one GPU each when GPUs are visible."""

from __future__ import annotations

import os
import subprocess
import time

from harness.sweep.launchers import worker_command
from harness.sweep.spec import SweepSpec

__all__ = ["launch"]


def launch(spec: SweepSpec, args: list[str]) -> int:
    """N worker processes on one storage; one GPU each when GPUs are visible, else a share of the cores."""
    import torch

    gpus = torch.cuda.device_count()
    procs = []
    for i in range(spec.workers):
        env = dict(os.environ)
        if gpus:
            env["CUDA_VISIBLE_DEVICES"] = str(i % gpus)
        else:
            env["HARNESS_TORCH_THREADS"] = str(max(1, (os.cpu_count() or 1) // spec.workers))
        procs.append(subprocess.Popen(worker_command(args), env=env))
        time.sleep(0.5)  # stagger the first claims
    # Reap every worker as soon as it exits: a killed worker left as a zombie keeps its pid,
    # and the others would take its running trial for alive and wait on it forever.
    while None in [p.poll() for p in procs]:  # a list, not any(): poll (reap) every one
        time.sleep(0.5)
    return max(p.returncode for p in procs)
