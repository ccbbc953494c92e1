"""`hindsight jobs list|run`: the registry of background jobs, and running one by hand."""

from __future__ import annotations

import typer

from hindsight.cli import app
from hindsight.cli.django_setup import setup

jobs_app = typer.Typer(
    help="Background jobs: what runs in `hindsight worker`.", no_args_is_help=True
)
app.add_typer(jobs_app, name="jobs")


@jobs_app.command("list")
def list_jobs() -> None:
    """Show every job, how it runs and is shared, its last error, and the live workers."""
    setup()
    from django.utils import timezone
    from rich.console import Console
    from rich.table import Table

    from hindsight.runner.models import JobSchedule, WorkerHeartbeat
    from hindsight.runner.registry import registered

    schedules = {row.job: row for row in JobSchedule.objects.all()}
    table = Table("job", "when", "shared by", "retry", "last error")
    table.columns[0].no_wrap = True
    for job in registered():
        row = schedules.get(job.name)
        table.add_row(
            job.name,
            job.when.describe(),
            job.claim.value,
            job.retry.describe(),
            row.last_error if row else "",
        )
    console = Console()
    console.print(table)
    now = timezone.now()
    workers = list(WorkerHeartbeat.objects.all())
    if not workers:
        console.print("No worker is running (start one with `hindsight worker`).")
    for beat in workers:
        age = (now - beat.beat_at).total_seconds()
        console.print(f"worker {beat.worker} ({beat.region}): last heartbeat {age:.0f} s ago")


@jobs_app.command("run")
def run(
    name: str = typer.Argument(..., help="The job to run (see `hindsight jobs list`)."),
) -> None:
    """Run one job now, in this process (a queue until it is empty)."""
    setup()
    from hindsight.runner.services import run_now

    try:
        done = run_now(name=name)
    except KeyError as exc:
        typer.secho(str(exc.args[0]), fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None
    except (ValueError, RuntimeError) as exc:
        typer.secho(str(exc), fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None
    typer.echo(f"{name}: {done} done")
