"""`make ui`'s links: every experiment with runs, sweeps first, in MLflow's model-training view."""

from __future__ import annotations

import time

import mlflow

from harness.ui import experiment_urls


def test_links_open_the_runs_table_in_the_model_training_view(mlflow_uri: str) -> None:
    client = mlflow.MlflowClient(tracking_uri=mlflow_uri)
    trials = client.create_experiment("harness-trials")
    sweep = client.create_experiment("sweep-default")
    client.create_experiment("empty")  # no runs: not listed
    for exp in (trials, sweep):
        client.create_run(exp)
    rows = experiment_urls(mlflow_uri, "http://127.0.0.1:5000/")
    assert rows == [
        (
            "sweep-default",
            f"http://127.0.0.1:5000/#/experiments/{sweep}/runs?workflowType=machine_learning",
        ),
        (
            "harness-trials",
            f"http://127.0.0.1:5000/#/experiments/{trials}/runs?workflowType=machine_learning",
        ),
    ]
    # an experiment with the harness's saved comparison view: the link opens that view
    client.set_experiment_tag(sweep, "mlflow.sharedViewState.harness-compare", "{}")
    assert experiment_urls(mlflow_uri, "http://h:5000")[0] == (
        "sweep-default",
        f"http://h:5000/#/experiments/{sweep}/runs?viewStateShareKey=harness-compare&workflowType=machine_learning",
    )


def test_the_links_are_printed_only_once_the_server_answers() -> None:
    """Polling: refused connections are waited out; a server that died ends the wait."""
    import socket
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    from harness.ui import wait_until_up

    with socket.socket() as probe:  # a free port nothing listens on yet
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/health"
    assert not wait_until_up(url, alive=lambda: False)  # the server process exited
    assert not wait_until_up(url, alive=lambda: True, timeout_s=0.3, every_s=0.05)  # refused

    class Health(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the handler's API
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"OK")

        def log_message(self, *args: object) -> None:
            return None

    def start_later() -> None:
        time.sleep(0.5)  # not up at the first polls
        server = HTTPServer(("127.0.0.1", port), Health)
        started.append(server)
        server.serve_forever()

    started: list[HTTPServer] = []
    threading.Thread(target=start_later, daemon=True).start()
    try:
        assert wait_until_up(url, alive=lambda: True, timeout_s=20, every_s=0.1)
    finally:
        for server in started:
            server.shutdown()
