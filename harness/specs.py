"""The typed trial: what `load_spec` returns and everything below the wiring point takes.

Plain frozen dataclasses, one per config section; `harness.config` builds them (after
`harness.validate` has checked every value) and re-exports them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "CONLL_FILES",
    "DEVICES",
    "FORMATS",
    "GROUPS",
    "POOLINGS",
    "PRECISIONS",
    "TINY_FAMILIES",
    "DataSpec",
    "ModelSpec",
    "RegSpec",
    "TrackerSpec",
    "TrainSpec",
    "TrialSpec",
]

GROUPS = (
    "augmentation",
    "model",
    "dataset",
    "strategy",
    "optimizer",
    "scheduler",
    "regularization",
    "head",
    "loss",
    "tracker",
    "task",  # no default option: the dataset's `task:` key picks it (`task=` overrides)
)

DEVICES = ("auto", "cpu", "cuda", "mps")

PRECISIONS = ("auto", "fp32", "bf16", "fp16")

FORMATS = ("auto", "tsv", "csv", "jsonl", "hub", "conll", "squad")

# families `model=tiny model.family=NAME` builds as tiny random models (transformers model_type)
TINY_FAMILIES = (
    "bert",
    "roberta",
    "electra",
    "deberta-v2",
    "distilbert",
    "albert",
    "modernbert",
    "gpt2",
    "llama",
    "qwen2",
)
# last: the last real token (decoders); none: a per-token head (token classification, spans)
POOLINGS = ("cls", "mean", "last", "none")

CONLL_FILES = ("train.txt", "test.txt")  # what a token dataset's data_dir must hold


@dataclass(frozen=True)
class ModelSpec:
    name: str
    name_or_path: str
    random_init: dict[str, int] | None
    family: str = "bert"  # random_init only: the model_type of the tiny random model to build
    revision: str | None = None  # hub users: a branch, tag or commit of name_or_path
    trust_remote_code: bool = False  # hub users: run the repository's own modelling code

    @property
    def identity(self) -> str:
        """What the record names as loaded: the hub name or folder; a random-init model its family
        and its tokenizer's source (it loads no pretrained weights from there)."""
        if not self.random_init:
            return self.name_or_path
        from harness.paths import readable_source

        return f"{self.family}, random init; tokenizer from {readable_source(self.name_or_path)}"

    @property
    def key(self) -> str:
        """Names the pretrained weights: what process-wide caches of their outputs are keyed by."""
        if self.random_init:
            return f"{self.name_or_path}|{self.family}|{self.random_init}"
        return f"{self.name_or_path}|{self.revision}|{self.random_init}"


@dataclass(frozen=True)
class DataSpec:
    name: str
    format: str
    train_path: str | None
    test_path: str | None
    hub_name: str | None
    hub_subset: str | None
    train_split: str
    test_split: str
    text_column: str
    label_column: str
    train_size: int
    val_size: int
    data_seed: int
    max_length: int
    task: str = "sequence_classification"  # resolved: an option of conf/task/
    encoding: str = "utf-8"  # of the local data files (a UTF-8 byte-order mark is dropped)
    data_dir: str | None = None  # token datasets: folder of CoNLL files
    # the dataset's own dev split, used as validation (val_size caps it); None: carve from train
    val_path: str | None = None  # local files
    val_split: str | None = None  # hub datasets
    text_pair_column: str | None = None  # second sentence of a pair (NLI, paraphrase)
    selection_metric: str | None = None  # what `train.selection_metric: auto` picks; None: task's
    # extractive QA windows: overlap in tokens, longest answer in tokens, candidates per end
    doc_stride: int | None = None
    max_answer_length: int | None = None
    n_best: int | None = None


@dataclass(frozen=True)
class TrainSpec:
    max_steps: int  # budget ceiling in optimizer steps (ignored when `epochs` is set)
    min_steps: int  # no early stopping before this step
    epochs: int | None  # whole epochs instead of max_steps (None = steps)
    eval_every_steps: int | None  # None = auto (~15 evaluations; per epoch when `epochs` is set)
    eval_from_step: int | None  # no evaluation before this step (but the last); None = min_steps
    stop_step: int | None  # end after this step, schedule of max_steps kept (None: no such stop)
    test_eval: bool
    batch_size: int | None  # None = auto (by train size)
    eval_batch_size: int | None  # None = auto (by device)
    max_grad_norm: float | None
    grad_accum_steps: int  # micro-batches per optimizer step (batch_size is per optimizer step)
    cache_frozen: bool
    cache_users: int
    cache_dir: str | None  # resolved folder of the on-disk prefix cache; None = memory only
    cache_max_mb: int
    precision: str
    compile: bool
    drift_examples: int
    selection_metric: str  # resolved: never `auto`


@dataclass(frozen=True)
class RegSpec:
    dropout: float
    weight_decay: float
    l1: float
    label_smoothing: float
    early_stopping_patience: int | None
    early_stopping_min_delta: float


@dataclass(frozen=True)
class TrackerSpec:
    name: str
    uri: str | None
    experiment: str | None


@dataclass(frozen=True)
class TrialSpec:
    """A validated trial. `*_cfg` are plain `_target_` dicts, instantiated in `harness.trial`."""

    choices: dict[str, str]
    model: ModelSpec
    data: DataSpec
    train: TrainSpec
    reg: RegSpec
    tracker: TrackerSpec
    seed: int
    device: str
    lr: float
    head_lr: float | None  # the head's (and a probe's) own lr; None = `lr`
    save_checkpoint: bool
    out: str
    record_path: str | None
    strategy_cfg: dict[str, Any]
    optimizer_cfg: dict[str, Any]
    scheduler_cfg: dict[str, Any]
    head_cfg: dict[str, Any]
    loss_cfg: dict[str, Any]
    augmentation_cfg: dict[str, Any]
    config: dict[str, Any] = field(repr=False)
    overrides: tuple[str, ...] = ()  # as the user typed them; stored in the record
