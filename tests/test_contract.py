"""The contract every interchangeable part keeps, over every option file of every config group.

Options are globbed from conf/<group>/*.yaml, so a new file is covered the moment it exists.
Each option composes and runs a trial on the tiny model. Strategies also train exactly the
parameters they claim (declared below, per strategy: a new strategy must add its claim), and save
exactly those tensors to a checkpoint that reproduces the test predictions when loaded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import torch
from safetensors.torch import load_file

from harness import trial as wiring
from harness.cache import set_train_mode
from harness.config import load_spec
from harness.errors import ConfigError
from harness.models import load_tokenizer
from harness.models.loading import load_encoder, pretrained_encoder
from harness.paths import conf_dir
from harness.record import read_record, validate_record
from harness.runtime import seed_everything
from harness.tasks import Evaluation, load_task
from harness.tracking import make_tracker

CONF = conf_dir()  # conf/ beside the package, or $HARNESS_CONF_DIR
GROUPS = (
    "strategy",
    "optimizer",
    "scheduler",
    "head",
    "loss",
    "regularization",
    "augmentation",
    "tracker",
    "dataset",
    "model",
    "task",  # every task x a few strategies: tests/test_task_contract.py
)
CPU = torch.device("cpu")
TOP = "encoder.encoder.layer.1."  # the tiny model has 2 layers: layer.1 is the top one
MINILM_PARAMS = 22_565_376  # all-MiniLM-L6-v2 encoder; its unused pooler (147,840) is not loaded


def options(group: str) -> list[str]:
    return sorted(p.stem for p in (CONF / group).glob("*.yaml"))


def head(name: str) -> bool:
    return name.startswith("head.")


@dataclass(frozen=True)
class Claim:
    """What a strategy trains in epoch 1 on the 2-layer tiny model, as a predicate on names."""

    trains: Callable[[str], bool]
    overrides: tuple[str, ...] = ()
    by_the_end: Callable[[str], bool] | None = None  # plans: what has trained once the run ends

    def trained(self, name: str) -> bool:
        return (self.by_the_end or self.trains)(name)


CLAIMS: dict[str, Claim] = {
    "full": Claim(lambda n: True),
    "top_k": Claim(lambda n: n.startswith(TOP) or head(n), ("strategy.k=1",)),
    "freeze_bottom": Claim(lambda n: n.startswith(TOP) or head(n), ("strategy.k=1",)),
    "head_only": Claim(head),
    "bitfit": Claim(lambda n: (n.startswith("encoder.") and n.endswith(".bias")) or head(n)),
    "lora": Claim(lambda n: ".lora_" in n or head(n)),
    "ia3": Claim(lambda n: ".ia3_" in n or head(n)),
    # strategy=peft (LoRA by default) and the ready PEFT options, named by PEFT's own prefixes
    "peft": Claim(lambda n: ".lora_" in n or head(n)),
    "dora": Claim(lambda n: ".lora_" in n or head(n)),
    "loha": Claim(lambda n: ".hada_" in n or head(n)),
    "lokr": Claim(lambda n: ".lokr_" in n or head(n)),
    "vera": Claim(lambda n: ".vera_lambda_" in n or head(n)),
    "ln_tuning": Claim(lambda n: ".ln_tuning_layers." in n or head(n)),
    "adapter": Claim(lambda n: ".adapter." in n or ".LayerNorm." in n or head(n)),
    "prompt_tuning": Claim(lambda n: n.startswith("prompt.") or head(n)),
    "llrd": Claim(lambda n: True),
    "reinit_top": Claim(lambda n: True, ("strategy.k=1",)),
    # plans that change what trains: the top layer + head at step 0, then one more block at a
    # time until everything trains at half the step budget
    "gradual_unfreeze": Claim(lambda n: n.startswith(TOP) or head(n), by_the_end=lambda n: True),
    # linear probe first (the head), everything afterwards
    "lp_ft": Claim(head, by_the_end=lambda n: True),
}

TEXTS = ["a great film", "a dull mess", "i loved every minute of it", "boring", "superb", "awful"]


# -- strategies: exactly the claimed parameters train -------------------------------------------


def _strategy_spec(name: str, tiny_overrides: list[str], *extra: str) -> Any:
    if name not in CLAIMS:
        pytest.fail(f"conf/strategy/{name}.yaml has no claim: declare what it trains in CLAIMS")
    return load_spec([*tiny_overrides, f"strategy={name}", *CLAIMS[name].overrides, *extra])


def _build(spec: Any) -> tuple[Any, Any, Any]:
    tokenizer = load_tokenizer(spec.model.name_or_path)
    seed_everything(spec.seed)
    model, plan = wiring._build_model(spec, len(tokenizer), 2, CPU)
    return model, plan, tokenizer


@pytest.mark.parametrize("name", options("strategy"))
def test_strategy_trains_exactly_what_it_claims(name: str, tiny_overrides: list[str]) -> None:
    spec = _strategy_spec(name, tiny_overrides, "scheduler=constant")
    model, plan, tokenizer = _build(spec)
    if plan.on_step is not None:
        plan.on_step(0, 10)
    claimed = {n for n, _ in model.named_parameters() if CLAIMS[name].trains(n)}
    assert {n for n, p in model.named_parameters() if p.requires_grad} == claimed
    before = {n: p.detach().clone() for n, p in model.named_parameters()}

    optimizer, scheduler, loss_fn = wiring._optimization(spec, model, plan, 2, [3, 3])
    enc = tokenizer(TEXTS, padding=True, return_tensors="pt")
    labels = torch.tensor([1, 0, 1, 0, 1, 0])
    set_train_mode(model)
    # two steps: zero-initialised parts (LoRA B, adapter up) let the rest move in step 2
    for _ in range(2):
        loss = loss_fn(model(enc["attention_mask"], input_ids=enc["input_ids"]), labels)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        scheduler.step()

    changed = {n for n, p in model.named_parameters() if not torch.equal(p, before[n])}
    assert changed == claimed, (
        f"changed, not claimed: {sorted(changed - claimed)}; "
        f"claimed, unchanged: {sorted(claimed - changed)}"
    )
    # frozen pretrained weights are bit-identical to the process-wide pristine copy too
    pristine = pretrained_encoder(spec.model, len(tokenizer)).state_dict()
    for n, p in model.named_parameters():
        key = n.removeprefix("encoder.").replace(".base_layer", "")
        if n not in claimed and n.startswith("encoder.") and key in pristine:
            assert torch.equal(p, pristine[key]), n


@pytest.fixture(scope="module")
def strategy_trials(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One checkpointed tiny trial per strategy, run on first use and shared by the tests below."""
    return {"dir": tmp_path_factory.mktemp("strategy-trials")}


def _strategy_trial(name: str, trials: dict[str, Any], tiny_overrides: list[str]) -> Any:
    if name not in trials:
        spec = _strategy_spec(
            name, tiny_overrides, "save_checkpoint=true", f"record_path={trials['dir']}/{name}.json"
        )
        rec, path = wiring.run_trial(spec)
        trials[name] = (spec, rec, path)
    return trials[name]


@pytest.mark.parametrize("name", options("strategy"))
def test_strategy_record_counts_the_claimed_parameters(
    name: str, strategy_trials: dict[str, Any], tiny_overrides: list[str]
) -> None:
    spec, rec, path = _strategy_trial(name, strategy_trials, tiny_overrides)
    assert rec["status"] == "completed", rec.get("error")
    assert validate_record(read_record(path)) == []
    model, plan, _ = _build(spec)
    if plan.on_step is not None:  # what trained by the last step the trial took
        plan.on_step(rec["optimizer_steps"] - 1, rec["planned_steps"])
    claimed = [p for n, p in model.named_parameters() if CLAIMS[name].trained(n)]
    assert rec["trainable_params"] == sum(p.numel() for p in claimed)
    assert rec["total_params"] == sum(p.numel() for p in model.parameters())
    assert rec["strategy"] == name


@pytest.mark.parametrize("name", options("strategy"))
def test_strategy_checkpoint_holds_the_trained_tensors_and_reloads(
    name: str, strategy_trials: dict[str, Any], tiny_overrides: list[str]
) -> None:
    spec, rec, path = _strategy_trial(name, strategy_trials, tiny_overrides)
    ckpt = Path(rec["checkpoint_path"])
    assert ckpt == path.with_suffix(".safetensors") and ckpt.is_file()
    tensors = load_file(str(ckpt))

    fresh, _, tokenizer = _build(spec)
    claimed = {n for n, _ in fresh.named_parameters() if CLAIMS[name].trained(n)}
    assert set(tensors) == claimed
    assert sum(t.numel() for t in tensors.values()) == rec["trainable_params"]
    assert rec["checkpoint_mb"] == pytest.approx(ckpt.stat().st_size / 2**20)

    result = fresh.load_state_dict(tensors, strict=False)
    assert result.unexpected_keys == []
    data = wiring._task_data(spec, tokenizer)
    task = load_task(spec.data.task)
    parts = task.parts(
        torch.nn.functional.cross_entropy, data, Evaluation(64, CPU, "fp32"), spec.data
    )
    test = parts.evaluate(fresh, data.splits["test"])
    assert len(data.splits["test"]) == rec["test_size"]
    assert test["accuracy"] == pytest.approx(rec["test_accuracy"], abs=1.5 / rec["test_size"])
    torch.testing.assert_close(test["probs"], torch.tensor(rec["test_probs"]), atol=1e-4, rtol=0)


def test_reinit_top_redraws_the_top_layer_from_the_seed(tiny_overrides: list[str]) -> None:
    spec = _strategy_spec("reinit_top", tiny_overrides)
    model, _, tokenizer = _build(spec)
    again, _, _ = _build(spec)
    pristine = pretrained_encoder(spec.model, len(tokenizer)).state_dict()
    top = f"{TOP}attention.self.query.weight"
    bottom = "encoder.encoder.layer.0.attention.self.query.weight"
    params, params_again = dict(model.named_parameters()), dict(again.named_parameters())
    assert not torch.equal(params[top], pristine[top.removeprefix("encoder.")])
    assert torch.equal(params[bottom], pristine[bottom.removeprefix("encoder.")])
    assert torch.equal(params[top], params_again[top])  # same seed, same draw


def test_llrd_scales_the_lr_by_depth(tiny_overrides: list[str]) -> None:
    spec = _strategy_spec("llrd", tiny_overrides, "strategy.decay=0.5", "optimizer.lr=1.0")
    model, plan, _ = _build(spec)
    optimizer, _, _ = wiring._optimization(spec, model, plan, 10, [1, 1])
    lr_of = {id(p): g["lr"] for g in optimizer.param_groups for p in g["params"]}
    params = dict(model.named_parameters())
    assert lr_of[id(params["head.out.weight"])] == 1.0
    assert lr_of[id(params[f"{TOP}output.dense.weight"])] == 0.5
    assert lr_of[id(params["encoder.encoder.layer.0.output.dense.weight"])] == 0.25
    assert lr_of[id(params["encoder.embeddings.word_embeddings.weight"])] == 0.125


@pytest.mark.parametrize("name", ["gradual_unfreeze", "lp_ft"])
def test_plans_unfreeze_more_in_later_steps(name: str, tiny_overrides: list[str]) -> None:
    model, plan, _ = _build(_strategy_spec(name, tiny_overrides))
    trainable = []
    for step in (0, 40, 99):  # of a 100-step budget
        plan.on_step(step, 100)
        trainable.append({n for n, p in model.named_parameters() if p.requires_grad})
    assert trainable[0] < trainable[1] <= trainable[2]
    assert trainable[2] == {n for n, _ in model.named_parameters()}  # everything trains by the end


# -- every option of every group composes and runs ---------------------------------------------


def test_every_config_group_is_covered() -> None:
    groups = {p.name for p in CONF.iterdir() if p.is_dir()}
    assert groups == set(GROUPS), "add the new group to GROUPS (and its special cases below)"


def _check_completed(rec: dict[str, Any], path: Path) -> None:
    assert rec["status"] == "completed", rec.get("error")
    assert validate_record(read_record(path)) == []
    assert rec["history"] and rec["steps"] > 0


CASES = [(g, o) for g in GROUPS if g not in ("strategy", "task") for o in options(g)]
SQUAD = Path(__file__).resolve().parent / "fixtures" / "squad"
# a QA trial on the hand-made SQuAD fixture, windows sized for the tiny model's 128 positions
QA = (
    "dataset=squad",
    f"dataset.train_path={SQUAD / 'train.json'}",
    f"dataset.test_path={SQUAD / 'test.json'}",
    "dataset.max_length=128",
    "dataset.doc_stride=32",
    "dataset.train_size=12",
    "dataset.val_size=4",
    "train.batch_size=4",
    "train.drift_examples=4",
)


@pytest.mark.parametrize(("group", "option"), CASES, ids=[f"{g}={o}" for g, o in CASES])
def test_option_composes_and_runs(
    group: str,
    option: str,
    run_tiny: Callable[..., tuple[dict[str, Any], Path]],
    local_dataset: Callable[..., list[str]],
    conll_folder: Path,
    minilm_path: str,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    choice = f"{group}={option}"
    conll = ["dataset=conll2003", f"dataset.data_dir={conll_folder}", "head=token_linear"]
    extra: list[str] = []
    kwargs: dict[str, Any] = {}
    if (group, option) == ("dataset", "hub"):  # online only: composing without a name must fail
        with pytest.raises(ConfigError) as info:
            load_spec(["model=tiny", "tracker=none", "dataset=hub"])
        assert info.value.key == "dataset.hub_name" and "dataset.hub_name" in str(info.value)
        return
    if (group, option) == ("dataset", "local"):
        for fmt in ("tsv", "csv", "jsonl"):
            rec, path = run_tiny(*local_dataset(fmt))
            _check_completed(rec, path)
            assert rec["dataset"] == "local" and rec["test_size"] == 24
        return
    if (group, option) == ("model", "minilm"):  # composes and loads offline, in float32
        spec = load_spec(["model=minilm", "tracker=none"])
        encoder = load_encoder(spec.model, len(load_tokenizer(spec.model.name_or_path)), 0.1)
        assert spec.model.name_or_path == minilm_path
        assert {p.dtype for p in encoder.parameters()} == {torch.float32}
        assert sum(p.numel() for p in encoder.parameters()) == MINILM_PARAMS
        return
    if (group, option) == ("model", "hub"):  # the real from_pretrained path, on a local folder
        extra = [f"model.name_or_path={minilm_path}", "strategy=head_only", *local_dataset()]
    elif (group, option) in (("dataset", "conll2003"), ("head", "token_linear")):
        extra = conll
    elif (group, option) in (("dataset", "squad"), ("head", "span")):
        extra = list(QA)
    elif (group, option) == ("tracker", "mlflow"):
        mlflow_uri = request.getfixturevalue("mlflow_uri")
        extra = [f"tracker.uri={mlflow_uri}"]
        monkeypatch.chdir(tmp_path)  # MLflow writes artifacts under ./mlruns
    overrides = [choice, *extra]
    if group == "tracker":
        spec = load_spec(["model=tiny", *overrides])
        kwargs["tracker"] = make_tracker(spec.tracker)
    rec, path = run_tiny(*overrides, **kwargs)
    _check_completed(rec, path)
    if group in ("optimizer", "scheduler", "head", "loss", "regularization", "augmentation"):
        assert rec[group] == option
    if group in ("dataset", "model"):
        assert rec[group] == option
    if (group, option) == ("model", "hub"):
        assert rec["model_name_or_path"] == minilm_path
        assert rec["total_params"] == MINILM_PARAMS + 384 * 2 + 2
    if (group, option) == ("tracker", "mlflow"):
        import mlflow

        client = mlflow.MlflowClient(tracking_uri=mlflow_uri)
        assert kwargs["tracker"].uri == mlflow_uri
        experiment = client.get_experiment_by_name("harness-trials")
        runs = client.search_runs([experiment.experiment_id])
        assert [r.info.run_id for r in runs] == [rec["mlflow_run_id"]]
        assert runs[0].data.params["strategy"] == "full" and runs[0].info.status == "FINISHED"
    if (group, option) == ("tracker", "none"):
        assert rec["mlflow_run_id"] is None
    if (group, option) == ("augmentation", "eda"):
        assert rec["augmented_count"] == rec["train_size"]
    if (group, option) == ("augmentation", "backtranslation"):  # offline: skipped, loudly
        assert rec["augmented_count"] == 0
        assert "augmentation=backtranslation skipped" in capfd.readouterr().err
    if rec["task"] == "token_classification":
        assert rec["test_entity_f1"] is not None
    if rec["task"] == "extractive_qa":
        assert rec["test_f1"] is not None and rec["test_accuracy"] is None
