"""A production-like server for the tests that need one: gunicorn in a subprocess, on loopback.

`production_env()` is the environment of `DJANGO_DEBUG=0` with a throwaway key and a folder of its
own; `prepare()` runs manage.py commands in it; `gunicorn()` serves it until the block ends.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Reply:
    status: int
    headers: Message
    body: str

    def json(self) -> object:
        return json.loads(self.body)


def get(url: str, timeout: float = 10) -> Reply:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return Reply(response.status, response.headers, response.read().decode())
    except urllib.error.HTTPError as error:
        return Reply(error.code, error.headers, error.read().decode())


def production_env(var_dir: Path, **extra: str) -> dict[str, str]:
    """This process's environment without its Django, database and cache settings, plus these."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_", "AEO_"))
    }
    return env | {
        "DJANGO_SETTINGS_MODULE": "aeo_registry.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "AEO_VAR_DIR": str(var_dir),
        **extra,
    }


def prepare(env: dict[str, str], *commands: list[str]) -> None:
    for command in commands:
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=BASE_DIR,
            env=env,
            check=True,
            capture_output=True,
            timeout=300,
        )


@contextlib.contextmanager
def gunicorn(
    env: dict[str, str], log: Path, *, workers: int = 1, probe: str = "/ping"
) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """gunicorn serving `env` on a free port until the block ends: (base URL, process)."""
    port = free_port()
    with log.open("w") as log_file:
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"), "aeo_registry.wsgi",
                "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--no-control-socket",
                "--graceful-timeout", "2",
            ],
            cwd=BASE_DIR, env=env, stdout=log_file, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        try:
            base_url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                with contextlib.suppress(OSError):
                    if get(f"{base_url}{probe}", timeout=2).status == 200:
                        break
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("gunicorn did not start:\n" + log.read_text())
                time.sleep(0.2)
            yield base_url, server
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
