"""The wiring point: spec -> data -> model -> strategy -> optimizer -> scheduler -> loop -> record.

This is the only place configs are instantiated; everything it calls takes plain arguments.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import torch
from hydra.utils import instantiate

from harness import cache as prefix_cache
from harness.budget import Budget, plan_budget, step_hook
from harness.cache_store import DiskStore
from harness.checkpoint import save_trained
from harness.config import TrialSpec
from harness.data.batching import EncodedSplit
from harness.errors import ConfigError
from harness.models import Classifier, load_encoder, load_tokenizer
from harness.optim import param_groups
from harness.outcome import final_metrics
from harness.record import check_record_target, write_record
from harness.runtime import (
    PeakMemory,
    pick_device,
    pick_precision,
    seed_everything,
)
from harness.strategies import StrategyPlan
from harness.tasks import Evaluation, TaskData, load_task
from harness.tracking import Tracker
from harness.train import LoopResult, LoopSpec, train
from harness.trial_bar import TrialBar
from harness.trial_record import base_record, record_path

__all__ = ["record_path", "run_trial"]  # record_path: re-exported from harness.trial_record

ReportFn = Callable[[int, float], None]


def _build_model(
    spec: TrialSpec, vocab_size: int, num_labels: int, device: torch.device
) -> tuple[Classifier, StrategyPlan]:
    encoder: Any = load_encoder(spec.model, vocab_size, spec.reg.dropout)
    positions = getattr(encoder.config, "max_position_embeddings", None)
    if isinstance(positions, int) and spec.data.max_length > positions:  # long texts would crash
        raise ConfigError(
            "dataset.max_length",
            f"{spec.data.max_length} exceeds the {positions} positions of {spec.model.identity}",
            f"1..{positions}",
        )
    head = instantiate(spec.head_cfg, _convert_="all")(
        in_features=int(encoder.config.hidden_size), num_labels=num_labels
    )
    model = Classifier(encoder, head)
    plan = instantiate(spec.strategy_cfg, _convert_="all")(model) or StrategyPlan()
    model = model.to(device)
    if spec.train.compile:  # worth it on CUDA; dynamic shapes because batches are length-grouped
        model.compile(dynamic=True)
    return model, plan


def _optimization(
    spec: TrialSpec, model: Classifier, plan: StrategyPlan, steps: int, class_counts: list[int]
) -> tuple[torch.optim.Optimizer, Any, Any]:
    """Optimizer over the trainable parameters, its schedule, and the loss: `_partial_` configs finished here."""
    groups = param_groups(model, spec.reg.weight_decay, spec.lr, plan.lr_scale, spec.head_lr)
    optimizer = instantiate(spec.optimizer_cfg, _convert_="all")(groups)
    scheduler = instantiate(spec.scheduler_cfg, _convert_="all")(
        optimizer, num_training_steps=steps
    )
    loss_fn = instantiate(spec.loss_cfg, _convert_="all")(
        label_smoothing=spec.reg.label_smoothing, class_counts=class_counts
    )
    return optimizer, scheduler, loss_fn


def _task_data(spec: TrialSpec, tokenizer: Any) -> TaskData:
    """The task's encoded splits; the augmentation option (tasks that allow it) is seeded here."""
    augmentation = instantiate(spec.augmentation_cfg, _convert_="all")

    def augment(texts: list[str], labels: list[int]) -> tuple[list[str], list[int]]:
        return augmentation(texts, labels, seed=spec.seed)  # type: ignore[no-any-return]

    return load_task(spec.data.task).read(spec.data, tokenizer, augment)


def _grad_accum(steps: int, batch_size: int) -> int:
    if batch_size % steps:
        raise ConfigError(
            "train.grad_accum_steps",
            f"{steps} does not divide the batch size ({batch_size})",
            [d for d in range(1, batch_size + 1) if batch_size % d == 0],
        )
    return steps


def _disk_store(spec: TrialSpec) -> DiskStore | None:
    return (
        DiskStore(spec.train.cache_dir, spec.train.cache_max_mb) if spec.train.cache_dir else None
    )


def _with_caches(
    spec: TrialSpec,
    model: Classifier,
    plan: StrategyPlan,
    data: dict[str, EncodedSplit],
    eval_bs: int,
    device: torch.device,
    rec: dict[str, Any],
) -> tuple[dict[str, EncodedSplit], float, bool]:
    """The train/val splits carrying their frozen-prefix caches (memory, disk, or built here;
    test: after training), this trial's charge for them, and whether there are any."""
    caches, use = None, prefix_cache.CacheUse()
    if spec.train.cache_frozen and plan.cacheable:
        fit_splits = {k: v for k, v in data.items() if k != "test"}
        caches, use = prefix_cache.build_caches(
            model, fit_splits, spec.model.key, eval_bs, device, _disk_store(spec)
        )
    share = use.share(spec.train.cache_users)  # this trial's part of the build, wherever built
    rec.update(
        frozen_prefix=caches["train"].describe() if caches else "none",
        cache_time_s=use.spent_s,
        cache_build_s=use.build_s,
        cache_share_s=share,
        cache_hit=use.hit,
        cache_builds=use.builds,
        eval_batch_size=eval_bs,
    )
    return prefix_cache.with_prefix(data, caches), share, caches is not None


def _loop_spec(
    spec: TrialSpec, budget: Budget, device: torch.device, precision: str, rec: dict[str, Any]
) -> LoopSpec:
    rec.update(
        epochs=budget.epochs,
        planned_steps=budget.max_steps,
        min_steps=budget.min_steps,
        eval_every_steps=budget.eval_every,
        eval_from_step=budget.eval_from,
        batch_size=budget.batch_size,
    )
    return LoopSpec(
        max_steps=budget.max_steps,
        min_steps=budget.min_steps,
        eval_every=budget.eval_every,
        batch_size=budget.batch_size,
        max_grad_norm=spec.train.max_grad_norm,
        l1=spec.reg.l1,
        patience=spec.reg.early_stopping_patience,
        min_delta=spec.reg.early_stopping_min_delta,
        seed=spec.seed,
        device=device,
        precision=precision,
        selection=spec.train.selection_metric,
        grad_accum=_grad_accum(spec.train.grad_accum_steps, budget.batch_size),
        eval_from=budget.eval_from,
        stop_at=budget.stop_at,
    )


def _fit(
    spec: TrialSpec,
    device: torch.device,
    precision: str,
    report: ReportFn | None,
    rec: dict[str, Any],
    loop: LoopResult,
    ckpt: Path | None,
    bar: TrialBar | None = None,
) -> None:
    """Everything that trains; fills `rec` as facts become known (so a pruned trial keeps them)."""
    tokenizer = load_tokenizer(
        spec.model.name_or_path, spec.model.revision, spec.model.trust_remote_code
    )
    task_data = _task_data(spec, tokenizer)
    data = task_data.splits
    rec.update(
        test_size=task_data.test_size,
        label_names=task_data.label_names,
        augmented_count=task_data.augmented_count,  # training split only; val/test untouched
    )
    seed_everything(spec.seed)
    model, plan = _build_model(spec, len(tokenizer), task_data.head_outputs, device)
    rec["trainable_params"] = sum(p.numel() for p in model.parameters() if p.requires_grad)
    rec["total_params"] = sum(p.numel() for p in model.parameters())

    eval_bs = spec.train.eval_batch_size or (256 if device.type == "cuda" else 64)
    data, share, cached = _with_caches(spec, model, plan, data, eval_bs, device, rec)
    t0 = time.perf_counter()  # training time starts here; the cache's share is added below

    budget = plan_budget(spec.train, spec.data.train_size, len(data["train"]), plan)
    optimizer, scheduler, loss_fn = _optimization(
        spec, model, plan, budget.max_steps, task_data.class_counts
    )
    evaluation = Evaluation(batch_size=eval_bs, device=device, precision=precision)
    task = load_task(spec.data.task).parts(loss_fn, task_data, evaluation, spec.data)
    loop_spec = _loop_spec(spec, budget, device, precision, rec)
    try:
        hook = step_hook(plan, budget, scheduler, spec.lr)
        if bar is not None:  # a terminal is watching: the bar moves with the steps
            bar.begin(budget.max_steps)
            hook = bar.wrap(hook)
        train(model, data, optimizer, scheduler, task, loop_spec, report, loop, hook)
    finally:
        if plan.on_step is not None:  # plans only unfreeze: count what actually came to train
            rec["trainable_params"] = sum(p.numel() for p in model.parameters() if p.requires_grad)
        rec.update(
            history=loop.history,
            epochs_run=loop.epochs_run,
            steps=loop.steps,
            optimizer_steps=loop.steps,
            stopped_by=loop.stopped_by,
            stopped_early=loop.stopped_early,
            final_train_loss=loop.final_train_loss,
            best_step=(loop.best or {}).get("step"),
            eval_time_s=loop.eval_time_s,
        )
        rec["train_time_s"] = time.perf_counter() - t0 + share
        rec["train_samples_per_s"] = (
            loop.samples_seen / loop.step_time_s if loop.step_time_s > 0 else None
        )

    if cached and spec.train.test_eval:  # the test prefix is evaluation cost
        test_cache, _ = prefix_cache.build_caches(
            model, {"test": data["test"]}, spec.model.key, eval_bs, device, _disk_store(spec)
        )
        data = prefix_cache.with_prefix(data, test_cache)
    final_metrics(spec, model, data, loop, task, rec, len(tokenizer), device)
    rec["checkpoint_mb"], rec["checkpoint_path"] = save_trained(model, ckpt)


def run_trial(
    spec: TrialSpec,
    report: ReportFn | None = None,
    extra: dict[str, Any] | None = None,
    tracker: Tracker | None = None,
    parent_run_id: str | None = None,
    run_name: str | None = None,
    experiment: str | None = None,
    bar: TrialBar | None = None,
) -> tuple[dict[str, Any], Path]:
    """Run one trial and write its record. Bad input raises ConfigError before training; any other
    failure (NaN loss, OOM, a bug) is recorded as `failed`; a pruned trial is recorded as `pruned`."""
    started = datetime.now(timezone.utc)
    t0 = time.perf_counter()
    device = pick_device(spec.device)
    precision = pick_precision(spec.train.precision, device)
    rec = base_record(spec, device, precision, extra or {})
    path = record_path(spec, started)
    check_record_target(path)  # a file of the user's at record_path: refused before anything runs
    path.parent.mkdir(parents=True, exist_ok=True)  # a bad `out=` fails now, not after training
    ckpt = path.with_suffix(".safetensors") if spec.save_checkpoint else None
    loop = LoopResult()
    rec["started_at"] = started.isoformat()
    name = run_name or f"{rec['strategy']}-n{rec['train_size']}-s{rec['seed']}"
    run_id = tracker.start_run(rec, name, parent_run_id, experiment) if tracker else None
    rec["mlflow_run_id"] = run_id  # the run is live from here: RUNNING, curve as it is measured
    hooks = _live(tracker, run_id, loop, _on_bar(bar, spec.train.selection_metric, report))
    try:
        with PeakMemory(device) as mem:
            _attempt(spec, device, precision, hooks, rec, loop, ckpt, bar)
    except BaseException:  # bad input found late, Ctrl-C: no record, the open run is closed
        if tracker is not None and run_id:
            tracker.set_tags(run_id, {"interrupted": "true"})
            tracker.end_run(run_id, status="KILLED")
        raise
    finally:
        if bar is not None:
            bar.close()
    rec.update(
        peak_memory_mb=mem.peak_mb,
        finished_at=datetime.now(timezone.utc).isoformat(),
        wall_time_s=time.perf_counter() - t0,
    )
    write_record(path, rec)
    if tracker is not None:
        tracker.finish_run(run_id, rec)
    return rec, path


def _on_bar(bar: TrialBar | None, metric: str, report: ReportFn | None) -> ReportFn | None:
    """The evaluation hook: the score goes on the bar (if any), then to the caller's hook."""
    if bar is None:
        return report

    def on_evaluation(step: int, value: float) -> None:
        bar.evaluated(step, f"val_{metric}", value)
        if report is not None:
            report(step, value)

    return on_evaluation


def _live(
    tracker: Tracker | None, run_id: str | None, loop: LoopResult, report: ReportFn | None
) -> ReportFn | None:
    """The loop's evaluation hook: the new point of the curve goes to the tracker, then to the
    caller's hook (a sweep's pruner)."""
    if tracker is None or not run_id:
        return report

    def on_evaluation(step: int, value: float) -> None:
        tracker.log_evaluation(run_id, loop.history[-1])
        if report is not None:
            report(step, value)

    return on_evaluation


def _attempt(
    spec: TrialSpec,
    device: torch.device,
    precision: str,
    report: ReportFn | None,
    rec: dict[str, Any],
    loop: LoopResult,
    ckpt: Path | None,
    bar: TrialBar | None = None,
) -> None:
    """Train, and turn any failure (not bad input) into the record's status."""
    try:
        _fit(spec, device, precision, report, rec, loop, ckpt, bar)
        rec["status"] = "completed"
    except ConfigError:
        raise
    except Exception as exc:  # noqa: BLE001 - every failure becomes a record
        pruned = type(exc).__name__ == "TrialPruned"
        rec["status"] = "pruned" if pruned else "failed"
        rec["stopped_by"] = rec["status"]
        rec["error"] = None if pruned else f"{type(exc).__name__}: {exc}"
        if not pruned:
            rec["traceback"] = traceback.format_exc(limit=8)
        if pruned and loop.best:  # the task's validation metrics of the best evaluation
            rec.update(
                {k: v for k, v in loop.best.items() if k.startswith("val_") and k != "val_loss"}
            )
