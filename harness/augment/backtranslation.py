"""Model-based augmentation hook: back-translation through a pivot language with hub MT models.

Online users get paraphrases (e.g. en->de->en with Helsinki-NLP/opus-mt models). Offline (no
network, HF_HUB_OFFLINE=1, or the models are not cached) it is skipped with a clear message and
adds nothing: a trial never fails or downloads silently because of augmentation."""

from __future__ import annotations

import os
import sys

__all__ = ["augment"]


def augment(
    texts: list[str],
    labels: list[int],
    seed: int,
    forward_model: str = "Helsinki-NLP/opus-mt-en-de",
    backward_model: str = "Helsinki-NLP/opus-mt-de-en",
    batch_size: int = 32,
) -> tuple[list[str], list[int]]:
    try:
        if os.environ.get("HF_HUB_OFFLINE") == "1":
            raise OSError("HF_HUB_OFFLINE=1")
        from transformers import pipeline, set_seed

        set_seed(seed)
        there = pipeline("translation", model=forward_model)  # type: ignore[call-overload]
        back = pipeline("translation", model=backward_model)  # type: ignore[call-overload]
        pivot = [r["translation_text"] for r in there(texts, batch_size=batch_size)]
        return [r["translation_text"] for r in back(pivot, batch_size=batch_size)], list(labels)
    except Exception as exc:  # noqa: BLE001 - offline or missing models: skip, loudly
        print(
            f"augmentation=backtranslation skipped: cannot load {forward_model} / {backward_model} "
            f"({type(exc).__name__}: {str(exc).splitlines()[0][:120]}); training on the original data",
            file=sys.stderr,
        )
        return [], []
