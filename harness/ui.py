"""`make ui`: start MLflow's UI on a store and, once it answers, print where to look: each
experiment's runs table (sweeps first, newest first) in the model-training view, with the
harness's saved comparison view where the experiment has one (harness/mlflow_tracker.py)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable

__all__ = ["experiment_url", "experiment_urls", "serve", "wait_until_up"]

# MLflow 3.17 opens an experiment without the kind tag on its GenAI overview; the URL asks for
# the model-training view (experiments the harness made carry the tag as well)
VIEW = "workflowType=machine_learning"


def experiment_url(base: str, experiment_id: str, view_id: str | None = None) -> str:
    """The experiment's runs table in the model-training view (in a saved view, if named)."""
    shown = f"viewStateShareKey={view_id}&" if view_id else ""
    return f"{base.rstrip('/')}/#/experiments/{experiment_id}/runs?{shown}{VIEW}"


def experiment_urls(tracking_uri: str, base: str) -> list[tuple[str, str]]:
    """(experiment name, URL) for every experiment of the store with at least one run."""
    import mlflow

    from harness.mlflow_tracker import VIEW_ID, VIEW_PREFIX

    client = mlflow.MlflowClient(tracking_uri=tracking_uri)
    every = client.search_experiments(order_by=["creation_time DESC"])
    found = [e for e in every if client.search_runs([e.experiment_id], max_results=1)]
    found.sort(key=lambda e: not e.name.startswith("sweep-"))  # stable: newest first within
    rows = []
    for e in found:
        view = VIEW_ID if VIEW_PREFIX + VIEW_ID in e.tags else None
        rows.append((e.name, experiment_url(base, e.experiment_id, view)))
    return rows


def wait_until_up(
    url: str, alive: Callable[[], bool], timeout_s: float = 300.0, every_s: float = 0.5
) -> bool:
    """Poll `url` (the server's /health) until it answers 200; False if the server died or the
    time ran out (a first start migrates the store's schema: it can take a while)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not alive():
            return False
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 - our own server
                if answer.status == 200:
                    return True
        except OSError:  # refused, reset, timed out: not up yet
            pass
        time.sleep(every_s)
    return False


def _print_links(tracking_uri: str, base: str) -> None:
    rows = experiment_urls(tracking_uri, base)
    if not rows:
        print(f"no runs yet in {tracking_uri}: `make sweep` or `make trial` first; UI at {base}")
    for name, url in rows:
        print(f"{name}: {url}", flush=True)


def serve(tracking_uri: str, port: int, mlflow_cmd: list[str] | None = None) -> int:
    """`mlflow ui` on the store; the links printed only once it answers; runs until Ctrl-C (or
    a kill), and the server goes with it."""
    base = f"http://127.0.0.1:{port}"
    cmd = [*(mlflow_cmd or [sys.executable, "-m", "mlflow"]), "ui"]
    server = subprocess.Popen([*cmd, "--backend-store-uri", tracking_uri, "--port", str(port)])
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a kill also stops the server
    print(
        f"starting the MLflow UI on {tracking_uri} (the links follow once it answers)", flush=True
    )
    try:
        if not wait_until_up(f"{base}/health", lambda: server.poll() is None):
            print(f"error: the MLflow UI did not come up at {base}", file=sys.stderr)
            return 2
        _print_links(tracking_uri, base)
        print(f"MLflow UI at {base} (Ctrl-C stops it)", flush=True)
        return server.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait()


def main(argv: list[str]) -> int:
    """`serve STORE PORT`: start the UI and print the links; `STORE BASE`: the links only (a
    tracking server that is already the UI)."""
    if argv[:1] == ["serve"]:
        return serve(argv[1], int(argv[2]) if len(argv) > 2 else 5000)
    tracking_uri, base = argv[0], argv[1] if len(argv) > 1 else "http://127.0.0.1:5000"
    _print_links(tracking_uri, base)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
