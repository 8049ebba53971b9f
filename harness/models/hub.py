"""Whether a model id can come from the Hugging Face hub now, decided in seconds.

Unreachable, the hub client retries each file with back-off: about a minute and two dozen log
lines before the error. Offline is detectable up front — `HF_HUB_OFFLINE` / `TRANSFORMERS_OFFLINE`,
or no TCP connection to the endpoint (or the HTTPS proxy) within a few seconds — and then only
the local Hugging Face cache is read: what is cached still loads, anything else fails at once.
"""

from __future__ import annotations

import os
import socket
import urllib.request
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

__all__ = ["hub_unreachable", "is_local"]

CONNECT_TIMEOUT_S = 3.0


def is_local(name_or_path: str) -> bool:
    """A folder (or file) on this machine, e.g. an installed package's model: no hub involved."""
    return Path(name_or_path).expanduser().exists()


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().upper() in ("1", "ON", "YES", "TRUE")


@lru_cache(maxsize=1)
def hub_unreachable() -> str | None:
    """Why the hub cannot be reached (None: a connection to it opens), checked once per process."""
    if _flag("HF_HUB_OFFLINE") or _flag("TRANSFORMERS_OFFLINE"):
        return "HF_HUB_OFFLINE is set"
    from huggingface_hub import constants

    endpoint = urlsplit(constants.ENDPOINT)
    host, port = (
        endpoint.hostname or "",
        endpoint.port or (443 if endpoint.scheme == "https" else 80),
    )
    proxy = urllib.request.getproxies().get(endpoint.scheme or "https")
    if proxy and not urllib.request.proxy_bypass(host):  # the proxy is what must answer
        parts = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
        host, port = parts.hostname or "", parts.port or 8080
    try:
        socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_S).close()
    except OSError as exc:
        return f"no connection to {host}:{port}: {exc.strerror or type(exc).__name__}"
    return None
