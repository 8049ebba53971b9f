"""Frozen-prefix caching: run the frozen embeddings + bottom layers once, train only the rest.

Semantics: frozen blocks always run in eval mode (no dropout), with or without the cache, so
the cached and uncached paths compute the same function. When the whole encoder is frozen
(`head_only`) the pooled sentence features are cached (the last hidden states for a per-token
head); otherwise the hidden states after the last frozen layer. Caches live in this process,
keyed by model, split content and prefix, so every later trial and epoch of a sweep cell
reuses them; below that, a folder on disk (`harness/cache_store.py`, `train.cache_dir`) keyed by
content shares them across processes: a second `harness trial`, and every worker of a cell.
A cache reaches the model from the data side (`with_prefix`: the split carries it, its batches
hold the features in place of tokens), so the loop and the tasks' evaluations never ask where
their inputs came from.

Cost accounting: each cache remembers how long it took to build. A trial is charged
`build_s / users` for every cache it uses (its own build or a reused one), where `users` is how
many trials are planned to share it (`train.cache_users`; a sweep sets the cell's run count):
over a cell the charges add up to the build time once. A standalone trial (`cache_users=1`) is
charged what it actually spent: the build, the read from disk, or nothing for a cache in memory.
"""

from __future__ import annotations

import dataclasses
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import torch

from harness.cache_store import DiskStore, content_key, tensor_digest
from harness.data.batching import EncodedSplit, Prefix, eval_batches
from harness.models.classifier import Classifier, has_trainable, set_train_mode

__all__ = [
    "CacheUse",
    "PrefixCache",
    "build_caches",
    "frozen_prefix",
    "set_train_mode",
    "with_prefix",
]

_STORE: OrderedDict[tuple[object, ...], PrefixCache] = OrderedDict()
_STORE_MAX = 9  # three cells' worth of train/val/test


PrefixCache = Prefix  # the features one split's frozen prefix produced (data/batching.py)


def frozen_prefix(model: Classifier) -> int:
    """How many bottom layers (after frozen embeddings) have no trainable parameter; 0 if none.

    A trainable final norm belongs to the top layer (it runs after it). A family run through its
    own forward (no layer-by-layer path) caches only when the whole backbone is frozen; so does
    one with a trainable parameter its layout does not place (it could act anywhere)."""
    if not model.layout.layerwise:
        return 0 if has_trainable(model.encoder) else model.num_layers
    norm = model.final_norm
    placed = [*model.embedding_modules, *model.layers, *([norm] if norm is not None else [])]
    known = {id(p) for m in placed for p in m.parameters()}
    if any(p.requires_grad and id(p) not in known for p in model.encoder.parameters()):
        return 0
    if any(has_trainable(m) for m in model.embedding_modules):
        return 0
    k = 0
    for layer in model.layers:
        if has_trainable(layer):
            break
        k += 1
    if k == model.num_layers and norm is not None and has_trainable(norm):
        k -= 1
    return k


@torch.no_grad()
def _build(
    model: Classifier, split: EncodedSplit, prefix: int, batch_size: int, device: torch.device
) -> PrefixCache:
    pooled = prefix == model.num_layers and not model.head.per_token  # token heads need every state
    model.eval()
    values: torch.Tensor | None = None
    for batch in eval_batches(split, batch_size):
        b = batch.to(device)
        if prefix == model.num_layers:  # the whole backbone (its own forward where generic)
            hidden = model.hidden_states(b.input_ids, b.attention_mask, b.token_type_ids)
        else:
            hidden = model.embed(b.input_ids, b.token_type_ids)
            hidden = model.run_layers(hidden, b.attention_mask, 0, prefix)
        out = model.pool(hidden, b.attention_mask) if pooled else hidden
        if values is None:
            shape = (
                (len(split), *out.shape[1:])
                if pooled
                else (len(split), split.input_ids.shape[1], out.shape[-1])
            )
            values = torch.zeros(shape, dtype=torch.float32, device=device)
        if pooled:
            values[b.index] = out.float()
        else:
            values[b.index, : out.shape[1]] = out.float()
    assert values is not None
    return PrefixCache(start=prefix, pooled=pooled, values=values)


@dataclass(frozen=True)
class CacheUse:
    """What a trial's caches cost: time spent building here, and the build time they embody."""

    spent_s: float = 0.0  # spent in this call: building, or reading from disk (0: all in memory)
    build_s: float = 0.0  # total build time of the caches used, wherever they were built
    hit: bool = False  # nothing was built: every cache was reused (from memory or disk)
    builds: int = 0  # caches built here (concurrent workers may split a cell's splits between them)

    def share(self, users: int) -> float:
        """This trial's charge: its share of the build time when `users` trials share the
        caches, or, alone, what it spent."""
        return self.build_s / users if users > 1 else self.spent_s


def _frozen_digest(model: Classifier, prefix: int) -> str:
    """What the cached values depend on among the weights: the embeddings and frozen layers, or
    the whole backbone when all of it is frozen (final norm included; any family's own forward)."""
    whole = prefix == model.num_layers or not model.layout.layerwise
    blocks = [model.encoder] if whole else [*model.embedding_modules, *model.layers[:prefix]]
    if model.prompt is not None:
        blocks.append(model.prompt)
    tensors = (t for block in blocks for t in (*block.parameters(), *block.buffers()))
    return content_key(type(model.encoder).__name__, tensor_digest(tensors))


def _inputs_digest(split: EncodedSplit) -> str:
    """The tokenized split: every input tensor it carries (ids, lengths, segment ids ...), not labels."""
    tensors = [
        getattr(split, f.name)
        for f in dataclasses.fields(split)
        if f.name != "labels" and isinstance(getattr(split, f.name), torch.Tensor)
    ]
    return tensor_digest(tensors)


def _from_disk(
    store: DiskStore, key: str, build: Callable[[], PrefixCache], device: torch.device
) -> tuple[PrefixCache, bool]:
    """The cache from disk, or built and stored under the key's lock; (cache, was it built)."""
    with store.lock(key):  # concurrent workers: one builds, the others then read its file
        found = store.load(key)
        if found is not None:
            values = found["values"]
            assert isinstance(values, torch.Tensor)
            return PrefixCache(
                start=int(str(found["start"])),
                pooled=bool(found["pooled"]),
                values=values.to(device),
                build_s=float(str(found["build_s"])),
            ), False
        built = build()
        store.save(
            key,
            {
                "values": built.values.cpu(),
                "start": built.start,
                "pooled": built.pooled,
                "build_s": built.build_s,
            },
        )
        return built, True


def build_caches(
    model: Classifier,
    splits: dict[str, EncodedSplit],
    model_key: str,
    batch_size: int,
    device: torch.device,
    store: DiskStore | None = None,
) -> tuple[dict[str, PrefixCache] | None, CacheUse]:
    """Caches for every split, from memory, then `store` (disk), else built (and stored);
    returns the caches and what they cost."""
    prefix = frozen_prefix(model)
    if prefix == 0:
        return None, CacheUse()
    pooling = model.head.pooling if prefix == model.num_layers else None
    spent, builds, caches = 0.0, 0, {}
    weights = None
    for name, split in splits.items():
        key = (model_key, split.key, prefix, pooling, str(device))
        if key not in _STORE:
            started = time.perf_counter()

            def build(split: EncodedSplit = split, started: float = started) -> PrefixCache:
                cache = _build(model, split, prefix, batch_size, device)
                if device.type == "cuda":
                    torch.cuda.synchronize(device)
                return dataclasses.replace(cache, build_s=time.perf_counter() - started)

            if store is None:
                _STORE[key], built = build(), True
            else:
                weights = weights or _frozen_digest(model, prefix)
                tokens = _inputs_digest(split)
                disk_key = content_key(weights, tokens, prefix, pooling, device.type)
                _STORE[key], built = _from_disk(store, disk_key, build, device)
            spent += time.perf_counter() - started
            builds += int(built)
            while len(_STORE) > _STORE_MAX:
                _STORE.popitem(last=False)
        _STORE.move_to_end(key)
        caches[name] = _STORE[key]
    build_s = sum(c.build_s for c in caches.values())
    return caches, CacheUse(spent_s=spent, build_s=build_s, hit=builds == 0, builds=builds)


def clear() -> None:
    """Drop every cached prefix (tests, and callers that need the memory back)."""
    _STORE.clear()


def with_prefix(
    splits: dict[str, EncodedSplit], caches: dict[str, PrefixCache] | None
) -> dict[str, EncodedSplit]:
    """The splits carrying their caches: their batches then hold the prefix's features instead of
    tokens (a data-side swap: the model's forward and the loop are the same either way)."""
    found = caches or {}
    return {
        k: dataclasses.replace(v, prefix=found[k]) if k in found else v for k, v in splits.items()
    }
