"""`hindsight serve` as `make run` starts it: a real server on a free port."""

from __future__ import annotations

import contextlib
import http.cookiejar
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from hindsight.web.demo_library import EARLIER_INCIDENTS

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]


class Server:
    def __init__(
        self, data_dir: Path, port: int, *extra: str, settings: dict[str, str] | None = None
    ) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("HINDSIGHT_")}
        env.update(settings or {})
        env["HINDSIGHT_DATA_DIR"] = str(data_dir)
        self.base = f"http://127.0.0.1:{port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "hindsight", "serve", "--port", str(port), *extra],
            env=env,
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        """Wait until the web server answers with its database ready.

        Without a worker (`--no-worker`) /healthz stays 503 with "worker":
        "missing"; the web side is up all the same.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"serve exited early:\n{self.proc.stdout.read()}")
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except urllib.error.HTTPError as error:
                if json.loads(error.read() or b"{}").get("database") == "ok":
                    return
                time.sleep(0.2)
            except OSError:
                time.sleep(0.2)
        raise AssertionError("serve did not answer in time")

    def stop(self) -> str:
        self.proc.terminate()
        try:
            out, _ = self.proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, _ = self.proc.communicate()
        return out


def _wait_for_monitor_state(database: Path, name: str, timeout: float = 120) -> str:
    """Poll the SQLite file until the monitor has left 'pending'; return its state."""
    deadline = time.monotonic() + timeout
    state = "pending"
    while time.monotonic() < deadline:
        with contextlib.closing(sqlite3.connect(database, timeout=5)) as db:
            row = db.execute(
                "SELECT state FROM monitors_monitor WHERE name = ?", (name,)
            ).fetchone()
        state = row[0] if row else "missing"
        if state not in ("pending", "missing"):
            break
        time.sleep(0.5)
    return state


def _login(base: str, username: str, password: str) -> tuple[urllib.request.OpenerDirector, str]:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(base + "/accounts/login/") as response:
        assert response.status == 200
        page = response.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": token,
            "username": username,
            "password": password,
            "next": "/incidents/",
        }
    ).encode()
    request = urllib.request.Request(
        base + "/accounts/login/", data=data, headers={"Referer": base + "/accounts/login/"}
    )
    with opener.open(request) as response:
        return opener, response.read().decode()


def test_serve_starts_with_demo_data_and_a_second_start_keeps_it(tmp_path, free_port):
    server = Server(tmp_path, free_port)
    try:
        server.wait_ready()
        with urllib.request.urlopen(server.base + "/accounts/login/") as response:
            assert response.status == 200
        with urllib.request.urlopen(server.base + "/static/hindsight/app.css") as response:
            assert b"--accent" in response.read()
        # The monitor worker serve started checks the demo's health monitor on loopback.
        assert (
            _wait_for_monitor_state(tmp_path / "hindsight.sqlite3", "Hindsight web health") == "up"
        )
    finally:
        first_output = server.stop()
    assert f"Hindsight is running at http://127.0.0.1:{free_port}/" in first_output
    password = re.search(r"Log in as 'admin' with password '([^']+)'", first_output).group(1)

    server = Server(tmp_path, free_port)
    try:
        server.wait_ready()
        opener, incidents_page = _login(server.base, "admin", password)
        assert "Elevated search latency" in incidents_page
        assert "Checkout failing after payment gateway certificate rotation" in incidents_page
        # The two demo incidents and the library's earlier ones, once: nothing re-seeded.
        expected = 2 + EARLIER_INCIDENTS
        assert len(re.findall(r'href="/incidents/\d+/"', incidents_page)) == expected
    finally:
        second_output = server.stop()
    worker_pid = int(re.search(r"worker started \(pid (\d+)\)", second_output).group(1))
    with pytest.raises(ProcessLookupError):
        os.kill(worker_pid, 0)  # stopping serve stopped its worker
    assert "password" not in second_output.split("Log in with")[0]
    assert "Demo data was created" not in second_output
    assert "Log in with your existing account" in second_output


def test_serve_without_demo_creates_only_the_admin(tmp_path, free_port):
    server = Server(tmp_path, free_port, "--no-demo")
    try:
        server.wait_ready()
        password = None
        output = ""
    finally:
        output = server.stop()
    password = re.search(r"password '([^']+)'", output).group(1)
    server = Server(tmp_path, free_port)
    try:
        server.wait_ready()
        _, page = _login(server.base, "admin", password)
        assert "No incidents match this filter." in page
    finally:
        server.stop()


def test_a_wrong_password_is_refused_with_a_clear_message(tmp_path, free_port):
    server = Server(tmp_path, free_port, "--no-demo")
    try:
        server.wait_ready()
        _, page = _login(server.base, "admin", "not-the-password")
    finally:
        server.stop()
    assert "That user name and password did not match" in page


def _wait_for_heartbeat(database: Path, pid: int, timeout: float = 60) -> bool:
    """True once the worker with this pid has written its heartbeat row."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.closing(sqlite3.connect(database, timeout=5)) as db:
            row = db.execute(
                "SELECT 1 FROM runner_workerheartbeat WHERE pid = ?", (pid,)
            ).fetchone()
        if row:
            return True
        time.sleep(0.2)
    return False


class WatchedServer(Server):
    """A server whose output is read as it comes, so a test can react to it."""

    def __init__(self, data_dir: Path, port: int, *extra: str) -> None:
        super().__init__(data_dir, port, *extra)
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)

    def wait_for(self, pattern: str, timeout: float = 60) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.lines):
                found = re.search(pattern, line)
                if found:
                    return found
            time.sleep(0.1)
        raise AssertionError(f"{pattern!r} never appeared in:\n{''.join(self.lines)}")

    def stop(self) -> str:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self._reader.join(10)
        return "".join(self.lines)


def test_serve_restarts_a_worker_that_dies(tmp_path, free_port):
    server = WatchedServer(tmp_path, free_port, "--no-demo")
    try:
        server.wait_ready()
        first = int(server.wait_for(r"worker started \(pid (\d+)\)").group(1))
        os.kill(first, signal.SIGKILL)
        restarted = server.wait_for(r"Background worker restarted \(pid (\d+), restart 1\)")
        second = int(restarted.group(1))
        assert second != first
        assert _wait_for_heartbeat(tmp_path / "hindsight.sqlite3", second)
    finally:
        output = server.stop()
    assert re.search(rf"the worker \(pid {first}\) exited with code -9", output)
    with pytest.raises(ProcessLookupError):
        os.kill(second, 0)  # stopping serve stopped the restarted worker too
