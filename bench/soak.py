"""`make soak`: workers SIGKILLed mid-trial, again and again, and the sweep still ends exactly as
an uninterrupted one would.

    python bench/soak.py                 # >= 50 kills, 3 workers, a throwaway PostgreSQL server
    python bench/soak.py --kills 5       # a quick look

A tiny-model sweep (bench/soak.yaml: QMC search, no pruner) runs on a PostgreSQL server started
here from Debian's `postgresql` package (`make soak` installs it when missing). The first process
is `harness sweep` (it prepares the sweep and works), the others `harness worker`; a SIGKILLed
process is replaced by a new worker, as a cluster scheduler would requeue it. A kill happens only
while its victim's trial is RUNNING in the study storage, at a random moment of it (not during
start-up). After the kills the survivors finish, then `harness sweep` runs once more (the
documented way to finish an interrupted sweep). Checked, and printed: per cell exactly the search
configurations an uninterrupted run draws (the QMC sequence, replayed here without training) and
every confirmation seed once, each with its one record; no duplicate MLflow run (one active run
per record, ids unique); nothing left RUNNING in the storage or in MLflow. Not part of `make
test`: it keeps the CPUs busy for minutes.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import optuna
from optuna.trial import TrialState

ROOT = Path(__file__).resolve().parent.parent
SWEEP = Path(__file__).resolve().parent / "soak.yaml"
FINISHED = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL)


# -- a throwaway PostgreSQL server --------------------------------------------------------------


@contextlib.contextmanager
def postgres() -> Iterator[str]:
    """initdb + pg_ctl on a free localhost port (as `postgres` when run as root); its URL."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: Path(p).parts[-3])
    initdb = found[-1] if found else shutil.which("initdb")
    if initdb is None:
        raise SystemExit("no PostgreSQL server: apt-get install postgresql (make soak does)")
    bindir = Path(initdb).resolve().parent
    root = Path(tempfile.mkdtemp(prefix="harness-soak-pg-"))  # not under a 0700 tmp folder
    as_user: list[str] = []
    if os.geteuid() == 0:  # the server refuses to run as root
        shutil.chown(root, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    data, pg_ctl = root / "data", [*as_user, str(bindir / "pg_ctl"), "-D", str(root / "data")]
    init = [*as_user, str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"]
    subprocess.run(
        [*init, "-E", "UTF8", "--locale=C", "--no-sync"], check=True, capture_output=True
    )
    opts = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
    try:
        subprocess.run(
            [*pg_ctl, "-l", str(root / "server.log"), "-o", opts, "-w", "-t", "60", "start"],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [
                str(bindir / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "-U",
                "postgres",
                "soak",
            ],
            check=True,
            capture_output=True,
        )
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/soak"
    finally:
        subprocess.run([*pg_ctl, "-m", "immediate", "-w", "stop"], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


# -- the kills ----------------------------------------------------------------------------------


@dataclass
class Soak:
    """The workers of one sweep and what was done to them."""

    args: list[str]  # the sweep file and its overrides
    log: Path
    spec: Any = None
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    kills: list[dict[str, Any]] = field(default_factory=list)
    started: int = 0
    storage: Any = None  # opened once, on first use

    def start(self, verb: str) -> None:
        env = {**os.environ, "HARNESS_TORCH_THREADS": "1", "PYTHONWARNINGS": "ignore"}
        with self.log.open("ab") as log:
            cmd = [sys.executable, "-m", "harness", verb, *self.args]
            self.procs.append(subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=log))
        self.started += 1

    def alive(self) -> list[subprocess.Popen[bytes]]:
        return [p for p in self.procs if p.poll() is None]  # poll() reaps the killed ones

    def running_trials(self) -> dict[int, tuple[str, int, float]]:
        """pid -> (study, trial number, seconds it has run) of every RUNNING trial."""
        host, now, out = socket.gethostname(), time.time(), {}
        for study in self.studies():
            for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
                who, _, pid = str(t.user_attrs.get("worker", "")).rpartition(":")
                if who == host and pid.isdigit() and t.datetime_start is not None:
                    out[int(pid)] = (study.study_name, t.number, now - t.datetime_start.timestamp())
        return out

    def wait_prepared(self, timeout_s: float = 600) -> None:
        """Until every cell's parent run exists (the first process has prepared the sweep)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            search = [s for s in self.studies() if s.study_name.endswith("/search")]
            if len(search) == len(self.spec.cells) and all(
                "mlflow_parent_run_id" in s.user_attrs for s in search
            ):
                return
            if self.procs[0].poll() is not None:
                raise SystemExit(f"harness sweep exited:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.5)
        raise SystemExit("the sweep was not prepared in time")

    def trial_s(self, study: str) -> float:
        """How long this study's trials have taken (median; 1 s before the first finishes)."""
        done = [
            (t.datetime_complete - t.datetime_start).total_seconds()
            for s in self.studies()
            if s.study_name == study
            for t in s.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
            if t.datetime_complete and t.datetime_start
        ]
        return sorted(done)[len(done) // 2] if done else 1.0

    def studies(self) -> list[optuna.Study]:
        from harness.sweep.study import open_storage

        if self.storage is None:
            self.storage = open_storage(self.spec.storage, self.spec.heartbeat_s)
        storage = self.storage
        names = [s.study_name for s in optuna.get_all_study_summaries(storage)]
        return [optuna.load_study(study_name=n, storage=storage) for n in names]


def kill_mid_trial(soak: Soak, rng: random.Random, target: int, workers: int) -> None:
    """Keep `workers` processes up; SIGKILL a random busy one at a random moment of its trial."""
    soak.start("sweep")
    soak.wait_prepared()  # as the README says: the others start once the first has prepared
    while len(soak.kills) < target:
        while len(soak.alive()) < workers:
            soak.start("worker")
        if any(p.returncode == 0 for p in soak.procs):
            log = soak.log.read_text(errors="replace")[-4000:]
            raise SystemExit(
                f"the sweep finished after {len(soak.kills)} kills: give bench/soak.yaml more "
                f"trials\n{log}"
            )
        running = soak.running_trials()
        busy = [p for p in soak.alive() if p.pid in running]
        if not busy:  # all starting up: kills come during trials only
            time.sleep(0.2)
            continue
        victim, seen, moment = rng.choice(busy), None, 0.0
        while victim.poll() is None:
            trial = soak.running_trials().get(victim.pid)
            if trial is not None and trial[:2] != seen:  # a new trial: a moment of its own
                seen, moment = trial[:2], rng.uniform(0.0, soak.trial_s(trial[0]))
            if trial is not None and trial[2] >= moment:
                victim.kill()
                victim.wait()
                soak.kills.append({"study": trial[0], "trial": trial[1], "after_s": trial[2]})
                where = f"{trial[0]} #{trial[1]} after {trial[2]:.1f} s"
                print(f"kill {len(soak.kills):3d}: pid {victim.pid} in {where}", flush=True)
                break
            time.sleep(0.05)


# -- the checks ---------------------------------------------------------------------------------


def uninterrupted_configs(spec: Any, index: int, cell: Any) -> list[dict[str, float]]:
    """The search configurations one uninterrupted worker draws for a cell, in order: Optuna's
    own sequential `QMCSampler` (the cell's seed) on an in-memory study, without training (QMC
    points do not depend on results)."""
    from harness.sweep.study import make_sampler

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="maximize")
    seed = (spec.sampler["seed"] * 1_000_003 + index * 10_007) % 2**31
    out = []
    for _ in range(spec.n_trials):
        study.sampler = make_sampler(spec.sampler, seed)
        trial = study.ask()
        ranges = spec.space_for(cell)
        out.append({r.name: trial.suggest_float(r.name, r.low, r.high, log=r.log) for r in ranges})
        study.tell(trial, 0.0)
    return out


def _key(params: dict[str, float]) -> str:
    return json.dumps({k: round(v, 12) for k, v in sorted(params.items())})


def check(soak: Soak) -> dict[str, Any]:
    """The finished sweep against an uninterrupted one; every number the report prints."""
    import mlflow

    from harness.record import read_record
    from harness.tracking import sweep_uri

    spec, facts = soak.spec, Counter[str]()
    problems: list[str] = []
    studies = {s.study_name: s for s in soak.studies()}
    record_runs: list[str] = []
    for index, cell in enumerate(spec.cells):
        search = studies[f"{spec.name}/{cell.id}/search"].get_trials(deepcopy=False)
        confirm = studies[f"{spec.name}/{cell.id}/confirm"].get_trials(deepcopy=False)
        valid = [t for t in search if not t.user_attrs.get("void")]
        valid_c = [t for t in confirm if not t.user_attrs.get("void")]
        facts["voided"] += len(search) + len(confirm) - len(valid) - len(valid_c)
        facts["retries"] += sum("retry_of" in t.user_attrs for t in search + confirm)
        facts["running"] += sum(t.state == TrialState.RUNNING for t in search + confirm)
        facts["search_trials"] += len(valid)
        want = Counter(_key(p) for p in uninterrupted_configs(spec, index, cell))
        got = Counter(_key(t.params) for t in valid)
        facts["configs_matched"] += sum((want & got).values())
        facts["configs_expected"] += sum(want.values())
        if got != want:
            twice = sum(n - 1 for n in got.values() if n > 1)
            problems.append(
                f"{cell.id}: {sum((want - got).values())} configuration(s) of an uninterrupted run "
                f"never ran, {twice} ran twice"
            )
        if sorted(int(t.user_attrs["seed"]) for t in valid_c) != sorted(spec.seeds):
            seeds = [t.user_attrs.get("seed") for t in valid_c]
            problems.append(f"{cell.id}: confirmation seeds {seeds}, not {spec.seeds}")
        facts["confirm_seeds"] += len(valid_c)
        if any(t.state not in FINISHED for t in valid + valid_c):
            problems.append(f"{cell.id}: a trial is not finished")
        folder = spec.out / "records" / cell.slug
        files = {p.stem for p in folder.glob("*/*.json")}
        expected = {f"trial-{t.number:04d}" for t in valid} | {f"seed-{s}" for s in spec.seeds}
        if files != expected:
            problems.append(f"{cell.id}: records {sorted(files ^ expected)} differ from the trials")
        for path in folder.glob("*/*.json"):
            record_runs.append(str(read_record(path).get("mlflow_run_id")))
    facts["records"] = len(record_runs)
    client = mlflow.MlflowClient(tracking_uri=sweep_uri(spec.out))
    exp = client.get_experiment_by_name(f"sweep-{spec.name}")
    runs = client.search_runs([exp.experiment_id], max_results=50_000) if exp else []
    children = [r for r in runs if "mlflow.parentRunId" in r.data.tags]
    facts["mlflow_parents"] = sum(r.data.tags.get("phase") == "cell" for r in runs)
    facts["mlflow_orphans"] = len(runs) - len(children) - facts["mlflow_parents"]
    facts["mlflow_runs"] = len(children)
    facts["mlflow_running"] = sum(r.info.status == "RUNNING" for r in runs)
    child_ids = {r.info.run_id for r in children}
    shared = len(record_runs) - len(set(record_runs))  # two records on one run
    extra = len(child_ids - set(record_runs))  # a run no record owns: a duplicate or a leftover
    names = Counter((r.data.tags["mlflow.parentRunId"], r.info.run_name) for r in children)
    facts["duplicate_mlflow_runs"] = shared + extra + sum(n - 1 for n in names.values())
    if set(record_runs) - child_ids:
        problems.append(f"{len(set(record_runs) - child_ids)} record(s) without their MLflow run")
    for key in ("running", "mlflow_running", "duplicate_mlflow_runs", "mlflow_orphans"):
        if facts[key]:
            problems.append(f"{key}: {facts[key]}")
    return {"facts": dict(facts), "problems": problems}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--kills", type=int, default=50)
    p.add_argument("--workers", type=int, default=3)
    p.add_argument("--seed", type=int, default=0, help="of the kill schedule")
    args = p.parse_args(argv)
    from harness.sweep.spec import load_sweep

    started = time.monotonic()
    with postgres() as url, tempfile.TemporaryDirectory(prefix="harness-soak-") as tmp:
        out = Path(tmp) / "out"
        overrides = [f"storage={url}", f"out={out}", "workers=1"]
        soak = Soak([str(SWEEP), *overrides], Path(tmp) / "sweep.log")
        soak.spec = load_sweep(SWEEP, overrides)
        try:
            kill_mid_trial(soak, random.Random(args.seed), args.kills, args.workers)
            for proc in soak.procs:  # the survivors work on to the end
                proc.wait(timeout=1800)
        finally:
            for proc in soak.alive():
                proc.kill()
        env = {**os.environ, "HARNESS_TORCH_THREADS": "1", "PYTHONWARNINGS": "ignore"}
        cmd = [sys.executable, "-m", "harness", "sweep", *soak.args]
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env, timeout=1800)
        if done.returncode:
            print(soak.log.read_text()[-3000:], done.stdout, done.stderr, sep="\n")
            return 1
        result = check(soak)
    f, kills = result["facts"], soak.kills
    phases = Counter(k["study"].rsplit("/", 1)[1] for k in kills)
    print(
        f"soak: {len(kills)} SIGKILLs mid-trial ({phases['search']} search, {phases['confirm']} "
        f"confirm; {min(k['after_s'] for k in kills):.1f}-{max(k['after_s'] for k in kills):.1f} s "
        f"into the trial), {soak.started} worker processes, {args.workers} at a time, "
        f"{time.monotonic() - started:.0f} s\n"
        f"  search configurations as uninterrupted: {f['configs_matched']}/{f['configs_expected']}"
        f"; confirmation seeds {f['confirm_seeds']}/{len(soak.spec.seeds) * len(soak.spec.cells)}"
        f"; voided claims {f['voided']}, retries {f['retries']}\n"
        f"  records {f['records']}, MLflow runs {f['mlflow_runs']} (+{f['mlflow_parents']} parents)"
        f", duplicate MLflow runs {f['duplicate_mlflow_runs']}; left RUNNING: trials "
        f"{f['running']}, MLflow runs {f['mlflow_running']}"
    )
    for problem in result["problems"]:
        print(f"  PROBLEM: {problem}")
    return 1 if result["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
