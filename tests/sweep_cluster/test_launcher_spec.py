"""The sweep file's `launcher` key: validated before anything runs, every problem names its key."""

from __future__ import annotations

import pytest

from harness.errors import ConfigError
from harness.sweep.launchers import MODULES, worker_command
from harness.sweep.spec import LAUNCHERS, load_sweep

SMOKE = "sweeps/smoke.yaml"


def test_default_is_local_and_counts_follow_workers() -> None:
    spec = load_sweep(SMOKE, ["workers=3"])
    assert spec.launcher["name"] == "local"
    assert (spec.launcher["n_jobs"], spec.launcher["n_workers"]) == (3, 3)
    assert set(MODULES) == set(LAUNCHERS)


def test_bare_name_override_keeps_the_options() -> None:
    spec = load_sweep(SMOKE, ["launcher.partition=gpu", "launcher=slurm", "launcher.n_jobs=8"])
    assert spec.launcher["name"] == "slurm"
    assert (spec.launcher["partition"], spec.launcher["n_jobs"]) == ("gpu", 8)
    assert load_sweep(SMOKE, ["launcher={name: ray, gpus_per_worker: 0.5}"]).launcher[
        "gpus_per_worker"
    ] == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("override", "key"),
    [
        ("launcher=kubernetes", "launcher.name"),
        ("launcher.partiton=gpu", "launcher.partiton"),
        ("launcher.n_jobs=0", "launcher.n_jobs"),
        ("launcher.gpus_per_worker=-1", "launcher.gpus_per_worker"),
        ("launcher=[slurm]", "launcher"),
    ],
)
def test_bad_launcher_fails_naming_the_key(override: str, key: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_sweep(SMOKE, [override])
    assert err.value.key.endswith(f": {key}")


def test_worker_command_is_harness_worker_with_the_sweep_arguments() -> None:
    cmd = worker_command(["sweeps/smoke.yaml", "workers=2"])
    assert cmd[1:] == ["-m", "harness", "worker", "sweeps/smoke.yaml", "workers=2"]
