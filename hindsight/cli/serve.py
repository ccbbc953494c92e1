"""`hindsight serve`: migrate, first-run setup, then the production web server."""

from __future__ import annotations

import errno
import logging
import os
import socket
from pathlib import Path

import typer

from hindsight import lifeline
from hindsight.cli import app
from hindsight.cli.django_setup import setup
from hindsight.cli.supervise import Supervisor

log = logging.getLogger(__name__)


def prepare(*, host: str, port: int, demo: bool) -> list[str]:
    """Apply migrations, create the admin and demo data on first run, collect
    static files; return the lines to print for the person starting it."""
    from django.conf import settings
    from django.core.management import call_command

    from hindsight.web import bootstrap

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    url = f"http://{shown_host}:{port}/"
    lines = [f"Hindsight is running at {url}", f"Data directory: {settings.DATA_DIR}"]
    first = bootstrap.first_run(demo=demo, web_url=url)
    if first is not None:
        lines.append(f"Log in as {first.username!r} with password {first.password!r}")
        lines.append("(shown once; change it with `hindsight users set-password admin`)")
        if first.demo:
            lines.append("Demo data was created: incidents, a post-mortem draft and a status page.")
    else:
        lines.append(
            "Log in with your existing account; reset a password with "
            "`hindsight users set-password NAME`."
        )
    if not settings.EMAIL_HOST:
        lines.append(
            "Warning: no SMTP server is configured (HINDSIGHT_SMTP_HOST), so email "
            "notifications and subscriber mail are only written to this log."
        )
    return lines


def port_taken(host: str, port: int) -> bool:
    """Whether something already listens on host:port (another serve, or its orphaned workers)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # SO_REUSEADDR (not SO_REUSEPORT): old connections in TIME_WAIT do not
        # count, a listening socket does, even one opened with SO_REUSEPORT.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return True
            raise
    return False


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, min=1, max=65535, help="Port to listen on."),
    no_demo: bool = typer.Option(False, "--no-demo", help="Do not create demo data on first run."),
    workers: int = typer.Option(0, min=0, help="Web worker processes (default from settings)."),
    no_worker: bool = typer.Option(
        False, "--no-worker", help="Do not start the background worker (run `hindsight worker`)."
    ),
) -> None:
    """Start Hindsight: web UI, API, status page (and the background worker)."""
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    if port_taken(host, port):
        typer.echo(
            f"Port {port} on {host} is already in use: another `hindsight serve` (or worker "
            "processes left behind by one that was killed) is still listening there. "
            f"Stop it first (`ss -ltnp 'sport = :{port}'` shows who), or pass --port.",
            err=True,
        )
        raise typer.Exit(1)
    os.environ.setdefault("HINDSIGHT_BASE_URL", f"http://{shown_host}:{port}")
    setup()
    from django.conf import settings
    from granian import Granian
    from granian.constants import Interfaces
    from granian.log import LogLevels

    for line in prepare(host=host, port=port, demo=not no_demo):
        typer.echo(line)
    lifeline.hold()  # the children below die with this process, even a SIGKILLed one
    supervisor = None
    if not no_worker:
        # A separate process: the checks' event loop never competes with web requests.
        # Supervised: a worker that dies is logged and started again.
        supervisor = Supervisor(on_start=_announce_worker)
        supervisor.start()
    static_root = Path(settings.STATIC_ROOT)
    server = Granian(
        # The front reads bodies on the event loop and runs Django on its own
        # pool of HINDSIGHT_WEB_THREADS threads (hindsight/front.py).
        "hindsight.asgi:application",
        address=host,
        port=port,
        interface=Interfaces.ASGINL,
        workers=workers or settings.WEB_WORKERS,
        static_path_route=["/static"],
        static_path_mount=[static_root],
        log_level=LogLevels(settings.LOG_LEVEL.lower()),
        # A worker that dies (killed, out of memory) is started again; the
        # others keep serving meanwhile.
        respawn_failed_workers=True,
        respawn_interval=1.0,
        workers_kill_timeout=10,
    )
    try:
        server.serve()
    finally:
        if supervisor is not None:
            supervisor.stop()


def _announce_worker(pid: int, restarts: int) -> None:
    if restarts:
        typer.echo(f"Background worker restarted (pid {pid}, restart {restarts}).")
    else:
        typer.echo(f"Background work runs: worker started (pid {pid}).")
