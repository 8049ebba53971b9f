"""The training loop: one function, read top to bottom.

Seeded data order, length-grouped dynamic-padded batches, evaluation on the validation split
every epoch (or every N steps, from a given step on) with a `report(step, value)` hook for
pruning, early stopping, and the best evaluation's weights restored at the end. The task's parts
(`TaskParts`: its loss, its evaluation, its running accuracy) come in as an argument: the loop
knows no task.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch

from harness.data.batching import EncodedSplit, train_batches
from harness.models.classifier import Classifier, set_train_mode
from harness.runtime import autocast, grad_scaler
from harness.tasks import TaskParts

__all__ = ["LoopSpec", "LoopResult", "NonFiniteLoss", "train"]

ReportFn = Callable[[int, float], None]


class NonFiniteLoss(RuntimeError):
    """The training loss became NaN or inf: the trial is failed, not silently kept."""


@dataclass(frozen=True)
class LoopSpec:
    max_steps: int  # budget ceiling in optimizer steps
    min_steps: int  # no early stop before this step
    eval_every: int  # steps between validation evaluations (the last step is always evaluated)
    batch_size: int  # examples per optimizer step
    max_grad_norm: float | None
    l1: float
    patience: int | None  # evaluations without gain before a plateau stop; None = never
    min_delta: float  # a gain must exceed this (metric units: 0.01 = 1 point)
    seed: int
    device: torch.device
    precision: str
    # validation metric that picks the best evaluation, early-stops and is reported to the pruner
    selection: str = "accuracy"
    grad_accum: int = 1  # micro-batches (of batch_size / grad_accum) per optimizer step
    eval_from: int = 0  # no evaluation before this step, except the last step
    stop_at: int | None = None  # end after this step (low-fidelity search); schedule unchanged


@dataclass
class LoopResult:
    history: list[dict[str, Any]] = field(default_factory=list)  # one row per evaluation
    best: dict[str, Any] | None = None
    epochs_run: int = 0  # epochs started (data passes; the last may be partial)
    steps: int = 0
    samples_seen: int = 0
    step_time_s: float = 0.0  # pure optimisation time (no evaluation)
    eval_time_s: float = 0.0  # validation time during training
    stopped_by: str = "max_steps"  # plateau | max_steps | stop_step (the trial: pruned | failed)
    final_train_loss: float | None = None  # mean training loss over the last evaluation window

    @property
    def stopped_early(self) -> bool:
        return self.stopped_by == "plateau"


def train(
    model: Classifier,
    data: dict[str, EncodedSplit],
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
    task: TaskParts,
    spec: LoopSpec,
    report: ReportFn | None = None,
    result: LoopResult | None = None,
    on_step: Callable[[int], None] | None = None,
) -> LoopResult:
    """Train for up to `spec.max_steps` optimizer steps, evaluating every `spec.eval_every`;
    stop on a plateau of `spec.selection` (not before `spec.min_steps`); leave the best weights."""
    device, on_cuda = spec.device, spec.device.type == "cuda"
    trainable = [p for group in optimizer.param_groups for p in group["params"]]  # ever trainable
    names = {id(p): n for n, p in model.named_parameters()}
    l1_params = [p for p in trainable if p.ndim >= 2]
    generator = torch.Generator().manual_seed(spec.seed)
    result = result if result is not None else LoopResult()  # the caller keeps it if we raise
    best_state, evals_without_gain = None, 0
    selection = f"val_{spec.selection}"  # e.g. val_accuracy, val_entity_f1 (NER), val_f1 (QA)
    started = time.perf_counter()

    # -- one evaluation point: validation metrics, pruning hook, best-state bookkeeping ----------
    def evaluation(epoch: int, loss_sum: torch.Tensor, correct: torch.Tensor, seen: int) -> bool:
        nonlocal best_state, evals_without_gain
        train_loss = float(loss_sum) / max(seen, 1)  # the one host sync per evaluation
        if not math.isfinite(train_loss):
            raise NonFiniteLoss(f"training loss is {train_loss} at step {result.steps}")
        tick = time.perf_counter()
        val = task.evaluate(model, data["val"])
        result.eval_time_s += time.perf_counter() - tick
        row = {
            "epoch": epoch,
            "step": result.steps,
            "train_loss": train_loss,
            "train_accuracy_running": float(correct) / max(seen, 1),
            **{f"val_{k}": val[k] for k in (*task.metrics, "loss")},
            "elapsed_s": time.perf_counter() - started,
        }
        result.history.append(row)
        result.final_train_loss = train_loss
        if result.best is None or row[selection] > result.best[selection] + spec.min_delta:
            result.best, evals_without_gain = row, 0
            best_state = {names[id(p)]: p.detach().clone() for p in trainable}
        else:
            evals_without_gain += 1
        if report is not None:
            report(result.steps, row[selection])  # may raise optuna.TrialPruned
        set_train_mode(model)
        plateau = spec.patience is not None and evals_without_gain >= spec.patience
        return plateau and result.steps >= spec.min_steps

    # -- optimizer steps, cycling through the training data in seeded epochs ---------------------
    # (an optimizer step sums the gradients of `grad_accum` micro-batches; fp16 scales the loss)
    scaler = grad_scaler(device, spec.precision)
    micro = spec.batch_size // spec.grad_accum
    epoch, done = 0, False
    while not done:
        epoch += 1
        result.epochs_run = epoch
        set_train_mode(model)
        loss_sum, correct, seen = torch.zeros((), device=device), torch.zeros((), device=device), 0
        tick = time.perf_counter()
        batches = train_batches(data["train"], micro, generator, pin=on_cuda)
        for i, batch in enumerate(batches):
            if i % spec.grad_accum == 0:
                if on_step is not None:  # strategies that change what trains (unfreezing, LP-FT)
                    on_step(result.steps)
                optimizer.zero_grad(set_to_none=True)
            b = batch.to(device)
            with autocast(device, spec.precision):
                logits = model(**b.model_inputs())  # tokens, or a frozen prefix's features
            loss = task.loss(logits, b.labels)
            if spec.l1 > 0:
                loss = loss + spec.l1 * sum(p.abs().sum() for p in l1_params)
            scaler.scale(loss / spec.grad_accum).backward()
            n = b.labels.shape[0]
            loss_sum += loss.detach() * n
            correct += task.train_correct(logits, b.labels)
            seen += n
            result.samples_seen += n
            if (i + 1) % spec.grad_accum and i + 1 < len(batches):
                continue  # more micro-batches for this step (an epoch's last step may have fewer)
            if spec.max_grad_norm is not None:
                scaler.unscale_(optimizer)
                torch.nn.utils.clip_grad_norm_(trainable, spec.max_grad_norm)
            scaler.step(optimizer)
            scaler.update()
            scheduler.step()
            result.steps += 1
            stop = spec.stop_at is not None and result.steps >= spec.stop_at
            last = result.steps >= spec.max_steps or stop
            due = result.steps >= spec.eval_from and result.steps % spec.eval_every == 0
            if last or due:
                if on_cuda:
                    torch.cuda.synchronize(device)
                result.step_time_s += time.perf_counter() - tick
                if evaluation(epoch, loss_sum, correct, seen):
                    result.stopped_by, done = "plateau", True
                loss_sum, correct, seen = (
                    torch.zeros((), device=device),
                    torch.zeros((), device=device),
                    0,
                )
                tick = time.perf_counter()
            if last and not done:
                result.stopped_by, done = ("stop_step" if stop else "max_steps"), True
            if done:
                break
        if on_cuda:
            torch.cuda.synchronize(device)
        result.step_time_s += time.perf_counter() - tick

    # -- restore the selected weights --------------------------------------------------------------
    if best_state is not None:
        params = dict(model.named_parameters())
        with torch.no_grad():
            for name, value in best_state.items():
                params[name].copy_(value)
    return result
