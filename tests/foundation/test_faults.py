"""Fault suite: a real `hindsight serve` on loopback under dead workers and stalled clients.

Every wait is a generous liveness timeout, not a speed threshold; every
connection goes to 127.0.0.1 and is closed before the test ends.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.foundation.test_serve import REPO, Server

pytestmark = pytest.mark.slow

LIVENESS = 15.0  # seconds a page may take to answer before the site counts as hung


def status_of(url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None) -> int:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=LIVENESS) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def plain_env(data_dir: Path) -> dict[str, str]:
    """The environment `make run` gives: no HINDSIGHT_* settings of the test run (its database)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HINDSIGHT_")}
    return {**env, "HINDSIGHT_DATA_DIR": str(data_dir)}


def answers(url: str) -> int | None:
    """The status code of a GET, or None when the connection failed."""
    try:
        return status_of(url)
    except OSError:
        return None


def dead(pid: int) -> bool:
    """Gone, or a zombie its parent has not reaped yet."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            found |= {int(c) for c in (task / "children").read_text().split()}
    return found


def web_workers(server: Server) -> set[int]:
    """The granian worker processes of a serve (its children other than the monitor worker)."""
    return {
        pid
        for pid in children(server.proc.pid)
        if "hindsight worker"
        not in Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    }


def wait_until(predicate, timeout: float = 30.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@contextlib.contextmanager
def serving(data_dir: Path, port: int, **settings: str) -> Iterator[Server]:
    server = Server(data_dir, port, "--no-worker", "--workers", "2", settings=settings)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def stalled_bodies(port: int, count: int, path: str) -> Iterator[list[socket.socket]]:
    """`count` connections that announce a body and send only its first bytes."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.create_connection(("127.0.0.1", port), timeout=LIVENESS)
            sock.sendall(
                f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\n"
                "Content-Length: 100000\r\n\r\nusername=a".encode()
            )
            sockets.append(sock)
        yield sockets
    finally:
        for sock in sockets:
            sock.close()


def test_killing_a_web_worker_leaves_the_status_page_and_api_answering(tmp_path, free_port):
    with serving(tmp_path, free_port) as server:
        workers = web_workers(server)
        assert len(workers) == 2
        os.kill(min(workers), signal.SIGKILL)
        # A connection the dying worker had already accepted is reset; the next one answers.
        assert wait_until(lambda: answers(server.base + "/status/") == 200, timeout=LIVENESS)
        assert wait_until(lambda: answers(server.base + "/api/incidents/") == 401, timeout=LIVENESS)
        assert wait_until(
            lambda: len(web_workers(server)) == 2 and min(workers) not in web_workers(server)
        )
        assert server.proc.poll() is None, "serve itself kept running"


def test_serve_keeps_answering_when_its_monitor_worker_dies(tmp_path, free_port):
    server = Server(tmp_path, free_port, "--workers", "2")
    try:
        server.wait_ready()
        worker = next(
            pid
            for pid in children(server.proc.pid)
            if b"hindsight\0worker" in Path(f"/proc/{pid}/cmdline").read_bytes()
        )
        os.kill(worker, signal.SIGKILL)
        assert wait_until(lambda: dead(worker))
        assert status_of(server.base + "/status/") == 200
        assert status_of(server.base + "/api/incidents/") == 401
        assert server.proc.poll() is None
    finally:
        server.stop()


def test_stalled_bodies_from_32_connections_leave_every_page_answering(tmp_path, free_port):
    with serving(tmp_path, free_port) as server, stalled_bodies(free_port, 32, "/accounts/login/"):
        time.sleep(1)  # let every stalled request reach the server
        assert status_of(server.base + "/status/") == 200
        assert status_of(server.base + "/accounts/login/") == 200
        # No worker runs beside this server, so health answers 503 "worker missing".
        assert status_of(server.base + "/healthz") == 503
        assert status_of(server.base + "/api/incidents/") == 401


def test_a_stalled_body_is_answered_408_after_the_body_timeout(tmp_path, free_port):
    with (
        serving(tmp_path, free_port, HINDSIGHT_WEB_BODY_TIMEOUT_SECONDS="2"),
        stalled_bodies(free_port, 1, "/accounts/login/") as (sock,),
    ):
        answer = sock.recv(65536).decode()
    head, _, body = answer.partition("\r\n\r\n")
    assert head.startswith("HTTP/1.1 408")
    assert json.loads(body) == {
        "detail": "The request body did not arrive within 2 seconds.",
        "code": "body_timeout",
    }


def test_a_second_serve_on_the_same_port_refuses_while_the_first_listens(tmp_path, free_port):
    with serving(tmp_path, free_port) as server:
        second = subprocess.run(
            [sys.executable, "-m", "hindsight", "serve", "--port", str(free_port)],
            env=plain_env(tmp_path / "other"),
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert status_of(server.base + "/status/") == 200, "the first serve still answers"
    assert second.returncode == 1
    assert f"Port {free_port} on 127.0.0.1 is already in use" in second.stderr


@contextlib.contextmanager
def killed_serve(data_dir: Path, port: int) -> Iterator[set[int]]:
    """A serve (2 web workers and its background worker) killed with SIGKILL; yields the
    pids of the children it had. Any still alive at the end are killed."""
    first = Server(data_dir, port, "--workers", "2")
    orphans: set[int] = set()
    try:
        first.wait_ready()
        assert wait_until(lambda: len(children(first.proc.pid)) == 3), "2 web workers, 1 worker"
        orphans = children(first.proc.pid)
        first.proc.kill()  # SIGKILL: serve cannot stop anything itself
        first.proc.wait(timeout=30)
        yield orphans
    finally:
        for pid in orphans:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        first.stop()


def test_the_children_of_a_serve_killed_with_sigkill_die_with_it(tmp_path, free_port):
    with killed_serve(tmp_path, free_port) as orphans:
        assert wait_until(lambda: all(dead(pid) for pid in orphans), timeout=LIVENESS)
        assert answers(f"http://127.0.0.1:{free_port}/status/") is None, "nobody listens"


def test_a_new_serve_starts_on_the_port_of_one_killed_with_sigkill(tmp_path, free_port):
    with killed_serve(tmp_path, free_port) as orphans:
        assert wait_until(lambda: all(dead(pid) for pid in orphans), timeout=LIVENESS)
        second = Server(tmp_path, free_port, "--no-worker")
        try:
            second.wait_ready()
            assert status_of(second.base + "/status/") == 200
        finally:
            second.stop()


def test_a_chunked_alert_is_read_and_stored(tmp_path, free_port):
    with serving(tmp_path, free_port) as server:
        token = subprocess.run(
            [sys.executable, "-c", CREATE_INTEGRATION],
            env=plain_env(tmp_path),
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout.strip()
        alert = json.dumps(
            {"title": "Disk full on db-1", "status": "firing", "fingerprint": "disk-1"}
        )
        request = urllib.request.Request(
            f"{server.base}/integrations/hooks/generic/{token}/",
            data=iter([alert[:10].encode(), alert[10:].encode()]),  # no length: sent chunked
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=LIVENESS) as response:
            assert response.status == 202
            assert len(json.loads(response.read())["opened"]) == 1


CREATE_INTEGRATION = """
import django, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hindsight.settings")
django.setup()
from hindsight.integrations.services import create_integration
print(create_integration(name="generic", kind="generic")[1])
"""
