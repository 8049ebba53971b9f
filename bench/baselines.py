"""The two reference implementations of the same full fine-tuning: HF Trainer and a plain loop.

Both load `AutoModelForSequenceClassification` from the MiniLM folder in fp32 on CPU and use
fused AdamW (Trainer's default optimizer on torch >= 2.8; the harness's adamw.yaml sets
`fused: true`), a linear schedule with 10% warm-up and gradient clipping at 1.0.
Tokenization happens before the clock starts; the clock covers training only.
"""

from __future__ import annotations

import tempfile
import time
from typing import Any

import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer
from transformers.utils import logging as hf_logging

from bench.workload import Texts, Workload, model_dir

__all__ = ["classifier", "plain_loop", "trainer_run"]

GROUP = 50  # length-grouping mega-batch, in batches (the same idea as harness.data.batching)


def classifier(num_labels: int, path: str | None = None) -> Any:
    """`AutoModelForSequenceClassification` in fp32 from `path` (default: the embedded MiniLM)."""
    hf_logging.set_verbosity_error()  # the freshly initialised classifier/pooler is expected
    hf_logging.disable_progress_bar()
    return AutoModelForSequenceClassification.from_pretrained(
        path or model_dir(), num_labels=num_labels, dtype=torch.float32
    )


def trainer_run(work: Workload, data: Texts, max_steps: int = -1) -> dict[str, Any]:
    """HF Trainer with its defaults (random sampler, DataCollatorWithPadding); eval and save off."""
    from datasets import Dataset, disable_progress_bars
    from transformers import DataCollatorWithPadding, Trainer, TrainingArguments
    from transformers.trainer_callback import PrinterCallback

    disable_progress_bars()

    tokenizer = AutoTokenizer.from_pretrained(model_dir())
    ds = Dataset.from_dict({"text": data.texts, "label": data.labels}).map(
        lambda b: tokenizer(b["text"], truncation=True, max_length=work.max_length),
        batched=True,
        remove_columns=["text"],
    )
    torch.manual_seed(work.seed)
    model = classifier(data.num_labels)
    with tempfile.TemporaryDirectory() as out:
        args = TrainingArguments(
            output_dir=out,
            per_device_train_batch_size=work.batch_size,
            num_train_epochs=work.epochs,
            max_steps=max_steps,
            learning_rate=work.lr,
            weight_decay=work.weight_decay,
            lr_scheduler_type="linear",
            warmup_steps=work.warmup_ratio,
            max_grad_norm=work.max_grad_norm,
            seed=work.seed,
            report_to=[],
            eval_strategy="no",
            save_strategy="no",
            logging_strategy="no",
            use_cpu=True,
            disable_tqdm=True,
        )
        trainer = Trainer(
            model=model,
            args=args,
            train_dataset=ds,
            data_collator=DataCollatorWithPadding(tokenizer),
        )
        trainer.remove_callback(PrinterCallback)  # it prints the final metrics dict
        t0 = time.perf_counter()
        out_metrics = trainer.train().metrics
        wall = time.perf_counter() - t0
    samples = work.samples if max_steps < 0 else max_steps * work.batch_size
    return {
        "samples": samples,
        "wall_s": wall,
        "samples_per_s": samples / wall,  # what the table uses
        "reported_samples_per_s": out_metrics.get("train_samples_per_second"),
        "optimizer": str(args.optim),
        "threads": torch.get_num_threads(),
    }


def _batches(
    ids: list[list[int]], batch_size: int, generator: torch.Generator, pad_id: int
) -> list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
    """One epoch of shuffled, length-grouped, dynamically padded (index, ids, mask) batches."""
    lengths = torch.tensor([len(x) for x in ids])
    perm = torch.randperm(len(ids), generator=generator)
    groups: list[torch.Tensor] = []
    for chunk in perm.split(batch_size * GROUP):
        order = torch.argsort(lengths[chunk], descending=True, stable=True)
        groups.extend(chunk[order].split(batch_size))
    out = []
    for i in torch.randperm(len(groups), generator=generator).tolist():
        idx = groups[i]
        width = int(lengths[idx].max())
        batch = torch.full((len(idx), width), pad_id, dtype=torch.long)
        for row, j in enumerate(idx.tolist()):
            batch[row, : len(ids[j])] = torch.tensor(ids[j])
        mask = (torch.arange(width).unsqueeze(0) < lengths[idx].unsqueeze(1)).long()
        out.append((idx, batch, mask))
    return out


def plain_loop(work: Workload, data: Texts, max_steps: int | None = None) -> dict[str, Any]:
    """A minimal PyTorch loop: length-grouped dynamic padding, fused AdamW, linear schedule."""
    from transformers import get_linear_schedule_with_warmup

    tokenizer = AutoTokenizer.from_pretrained(model_dir())
    ids = tokenizer(data.texts, truncation=True, max_length=work.max_length)["input_ids"]
    labels = torch.tensor(data.labels)
    torch.manual_seed(work.seed)
    model = classifier(data.num_labels)
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=work.lr, weight_decay=work.weight_decay, fused=True
    )
    steps_per_epoch = -(-len(ids) // work.batch_size)
    total = steps_per_epoch * work.epochs
    scheduler = get_linear_schedule_with_warmup(optimizer, round(work.warmup_ratio * total), total)
    generator = torch.Generator().manual_seed(work.seed)
    model.train()
    steps, samples = 0, 0
    t0 = time.perf_counter()
    for _ in range(work.epochs):
        for idx, input_ids, mask in _batches(
            ids, work.batch_size, generator, tokenizer.pad_token_id
        ):
            loss = model(input_ids=input_ids, attention_mask=mask, labels=labels[idx]).loss
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), work.max_grad_norm)
            optimizer.step()
            scheduler.step()
            steps, samples = steps + 1, samples + len(idx)
            if max_steps is not None and steps >= max_steps:
                break
        if max_steps is not None and steps >= max_steps:
            break
    wall = time.perf_counter() - t0
    return {
        "samples": samples,
        "wall_s": wall,
        "samples_per_s": samples / wall,
        "final_loss": float(loss.detach()),
        "threads": torch.get_num_threads(),
    }
