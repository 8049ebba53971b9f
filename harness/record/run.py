"""Record fields that describe what ran: status, options, data, hyperparameters, budget, provenance."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from harness.record.fields import fact

__all__ = ["RunFacts"]

S, W, D, H, B, P, SW = (
    "Status",
    "What ran",
    "Data",
    "Hyperparameters",
    "Budget and curve",
    "Provenance",
    "Sweep",
)


@dataclass(kw_only=True)
class RunFacts:
    # -- status ----------------------------------------------------------------------------------
    schema_version: int = fact(
        "record layout: 2 (typed schema, every key present); 1: earlier records, still read",
        required=True,
        section=S,
    )
    status: str = fact("`completed` \\| `pruned` \\| `failed`", tag=True, required=True, section=S)
    error: str | None = fact("exception type + message when failed", section=S)
    traceback: str | None = fact("the failure's last frames (failed trials)", since=2, section=S)
    stopped_by: str | None = fact(
        "`plateau` (no gain in `regularization.early_stopping_patience` evaluations) \\| "
        "`max_steps` \\| `stop_step` (a low-fidelity search trial ended at `train.stop_step`) "
        "\\| `pruned` \\| `failed`",
        tag=True,
        since=2,
        section=S,
    )
    flags: list[str] | None = fact(
        "trust checks (`harness/trust.py`): `still_improving` (best evaluation is the last and "
        "the budget ran out), `not_converged` (train accuracy below val accuracy, or final train "
        "loss above 0.9 ln(labels)), `near_chance` (test accuracy within 2 points of the "
        "majority-class rate), `lr_at_boundary` (sweeps: a searched learning rate — `lr` or "
        "`head_lr`, named in `boundary_params` — in the outer 10 % of its log range or at the "
        "edge of the values searched); MLflow tag `flags`, comma-separated",
        tag=True,
        since=2,
        section=S,
    )

    # -- what ran ----------------------------------------------------------------------------------
    model: str = fact(
        "model option name (`minilm`, `tiny`, `hub`)", sink="param", required=True, section=W
    )
    model_name_or_path: str = fact(
        "what was loaded (hub name or folder); a random-init model (`tiny`): its family and its tokenizer's source",
        sink="param",
        required=True,
        section=W,
    )
    dataset: str = fact(
        "dataset name (`sst2`, `conll2003`, ...)", sink="param", tag=True, required=True, section=W
    )
    task: str = fact(
        "`sequence_classification` \\| `sentence_pair_classification` \\| "
        "`token_classification` \\| `extractive_qa`: the option of `conf/task/` that ran (`task=`, "
        "else the dataset's `task` key; a sequence dataset with `text_pair_column` is the pair task)",
        sink="param",
        required=True,
        section=W,
    )
    strategy: str = fact(
        "strategy option (`full`, `top_k`, `head_only`, `lora`, ...)",
        sink="param",
        tag=True,
        required=True,
        section=W,
    )
    optimizer: str = fact("optimizer option", sink="param", required=True, section=W)
    scheduler: str = fact("scheduler option", sink="param", required=True, section=W)
    head: str | None = fact("head option", sink="param", since=2, section=W)
    loss: str | None = fact("loss option", sink="param", since=2, section=W)
    regularization: str | None = fact("regularization option", sink="param", since=2, section=W)
    augmentation: str | None = fact("augmentation option", sink="param", since=2, section=W)
    selection_metric: str | None = fact(
        "validation metric that picked `best_step`, drove early stopping and fed the pruner "
        "(`train.selection_metric`; `auto`: the dataset's, else the task's default: `accuracy`, "
        "`entity_f1` for token classification, `f1` for extractive QA; a sweep sets its "
        "`search.metric`); a completed record has `val_<selection_metric>` (and "
        "`test_<selection_metric>` when tested) set",
        sink="param",
        since=2,
        section=W,
    )
    precision: str | None = fact(
        "`fp32` \\| `bf16` \\| `fp16` (CUDA, with gradient scaling)",
        sink="param",
        since=2,
        section=W,
    )
    device: str = fact("`cpu`, `cuda:0 (NVIDIA H100 ...)`", sink="param", required=True, section=W)
    config: dict[str, Any] = fact(
        "the fully resolved config (MLflow: every leaf as a param `config.<path>`)",
        required=True,
        section=W,
    )
    overrides: list[str] | None = fact(
        "the overrides the trial was composed from, as typed (sweeps: the ones it generated)",
        since=2,
        section=W,
    )

    # -- data --------------------------------------------------------------------------------------
    train_size: int = fact(
        "training examples actually used", sink="param", tag=True, required=True, section=D
    )
    val_size: int | None = fact("validation examples", sink="param", since=2, section=D)
    test_size: int | None = fact("test examples", sink="param", since=2, section=D)
    seed: int = fact(
        "training seed (data order, head init, dropout); sweeps: search trial i uses 1000 + i, "
        "confirmation runs the `confirm.seeds`",
        sink="param",
        tag=True,
        required=True,
        section=D,
    )
    data_seed: int | None = fact(
        "which training subset was drawn (`dataset.data_seed`; sweeps vary it over "
        "`confirm.data_seeds`)",
        sink="param",
        since=2,
        section=D,
    )
    label_names: list[str] | None = fact(
        "class (or tag) names, in label-id order", since=2, section=D
    )
    augmented_count: int | None = fact(
        "examples added to the training split by augmentation", sink="metric", since=2, section=D
    )

    # -- hyperparameters ---------------------------------------------------------------------------
    lr: float = fact(
        "learning rate (the searched value in sweeps)", sink="param", required=True, section=H
    )
    weight_decay: float = fact("decoupled weight decay", sink="param", required=True, section=H)
    dropout: float = fact("encoder dropout probability", sink="param", required=True, section=H)
    head_lr: float | None = fact(
        "the head's own learning rate (`strategy.head_lr`; null: the head trains at `lr`)",
        sink="param",
        since=2,
        section=H,
    )
    boundary_params: list[str] | None = fact(
        "sweeps: the searched parameters whose chosen value lies in the outer 10 % of its (log) "
        "range or is the most extreme value the cell's search tried (what `lr_at_boundary` "
        "refers to)",
        since=2,
        section=S,
    )

    # -- budget and curve --------------------------------------------------------------------------
    planned_steps: int | None = fact(
        "the step budget (`train.max_steps`, or `train.epochs` x steps per epoch)",
        sink="param",
        since=2,
        section=B,
    )
    min_steps: int | None = fact(
        "no plateau stop before this step (`train.min_steps`, or later for a strategy whose schedule must settle)",
        sink="param",
        since=2,
        section=B,
    )
    eval_every_steps: int | None = fact(
        "validation interval in optimizer steps (`auto` resolved)", sink="param", since=2, section=B
    )
    eval_from_step: int | None = fact(
        "no validation evaluation before this step, the last step aside (`min_steps` resolved); null in older records: 0",
        sink="param",
        since=2,
        section=B,
    )
    batch_size: int | None = fact(
        "training examples per optimizer step (`auto` resolved)", sink="param", since=2, section=B
    )
    eval_batch_size: int | None = fact(
        "examples per evaluation forward pass (`auto` resolved by device)",
        sink="param",
        since=2,
        section=B,
    )
    epochs: int | None = fact(
        "data passes the step budget implies", sink="param", since=2, section=B
    )
    epochs_run: int | None = fact(
        "data passes started (the last may be partial)", sink="metric", since=2, section=B
    )
    optimizer_steps: int | None = fact(
        "optimizer steps actually taken", sink="metric", since=2, section=B
    )
    steps: int | None = fact("same as `optimizer_steps` (kept for old readers)", since=2, section=B)
    best_step: int | None = fact(
        "optimizer step of the selected evaluation", sink="metric", since=2, section=B
    )
    best_epoch: int | None = fact(
        "epoch of the selected evaluation", sink="metric", since=2, section=B
    )
    stopped_early: bool | None = fact("`stopped_by == plateau`", since=2, section=B)
    final_train_loss: float | None = fact(
        "mean training loss over the last evaluation window", sink="metric", since=2, section=B
    )
    history: list[dict[str, Any]] = fact(
        "the evaluation curve, one row per evaluation: `{epoch, step, train_loss, "
        "train_accuracy_running, val_<metric>..., elapsed_s}` (MLflow: metrics `epoch/<key>` at "
        "their step)",
        required=True,
        section=B,
    )

    # -- provenance --------------------------------------------------------------------------------
    git_sha: str | None = fact(
        "commit of the harness checkout (MLflow tag `mlflow.source.git.commit`)", section=P
    )
    git_dirty: bool | None = fact("uncommitted changes in the checkout", tag=True, section=P)
    versions: dict[str, Any] = fact(
        "python, torch, transformers, optuna, mlflow, peft, harness", required=True, section=P
    )
    hardware: dict[str, Any] | None = fact("cpu count, gpu name, torch threads", since=2, section=P)
    started_at: str | None = fact("ISO 8601 UTC", since=2, section=P)
    finished_at: str | None = fact("ISO 8601 UTC", since=2, section=P)
    mlflow_run_id: str | None = fact("the MLflow run that received this record", since=2, section=P)

    # -- sweep (null for a standalone trial) -------------------------------------------------------
    sweep: str | None = fact("sweep name", tag=True, since=2, section=SW)
    cell_id: str | None = fact(
        "grid values, readable: `strategy=top_k,train_size=100`", tag=True, since=2, section=SW
    )
    cell: dict[str, Any] | None = fact("grid values as a dict", since=2, section=SW)
    phase: str | None = fact("`search` \\| `confirm`", tag=True, since=2, section=SW)
    trial_number: int | None = fact(
        "Optuna trial number within the cell's study", sink="param", since=2, section=SW
    )
    params: dict[str, Any] | None = fact("the searched values", since=2, section=SW)
    best_search_trial: int | None = fact(
        "confirmation runs: the search trial whose configuration they re-run",
        sink="param",
        since=2,
        section=SW,
    )
    reused_from: str | None = fact(
        "confirmation run copied from this search record (`confirm.reuse_search_run`)",
        since=2,
        section=SW,
    )
