"""`hindsight users …` and `hindsight tokens …`."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import typer
from rich.console import Console
from rich.table import Table

from hindsight.cli import app
from hindsight.cli.django_setup import setup

users_app = typer.Typer(help="Manage users and their roles.", no_args_is_help=True)
tokens_app = typer.Typer(help="Manage API tokens.", no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")

ROLE_HELP = "viewer, responder, editor or admin"


@contextlib.contextmanager
def _refusals() -> Iterator[None]:
    """Turn a refused account operation into its message and exit code 1."""
    from hindsight.accounts.services import AccountError

    try:
        yield
    except AccountError as exc:
        typer.secho(f"Error: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None


@users_app.command("create")
def users_create(
    username: str,
    role: str = typer.Option("viewer", help=ROLE_HELP),
    email: str = typer.Option("", help="Email address."),
) -> None:
    """Create a user; prints a generated password once."""
    setup()
    from hindsight.accounts.services import create_user

    with _refusals():
        user, password = create_user(username=username, role=role, email=email)
    typer.echo(f"Created {user.username} ({user.role}). Password: {password}")


@users_app.command("list")
def users_list() -> None:
    """List users with their roles."""
    setup()
    from hindsight.accounts.models import User

    table = Table("user", "name", "email", "role", "active", "last login")
    for user in User.objects.order_by("username"):
        table.add_row(
            user.username,
            user.get_full_name(),
            user.email,
            user.role,
            "yes" if user.is_active else "no",
            f"{user.last_login:%Y-%m-%d %H:%M}" if user.last_login else "never",
        )
    Console().print(table)


@users_app.command("set-role")
def users_set_role(username: str, role: str = typer.Argument(..., help=ROLE_HELP)) -> None:
    """Change a user's role."""
    setup()
    from hindsight.accounts.services import set_role

    with _refusals():
        user = set_role(username=username, role=role)
    typer.echo(f"{user.username} is now {user.role}.")


@users_app.command("set-password")
def users_set_password(username: str) -> None:
    """Give a user a new generated password and print it once."""
    setup()
    from hindsight.accounts.services import set_password

    with _refusals():
        password = set_password(username=username)
    typer.echo(f"New password for {username}: {password}")


@tokens_app.command("create")
def tokens_create(
    username: str, name: str = typer.Option("cli", help="What the token is for.")
) -> None:
    """Create an API token for a user; the secret is printed once."""
    setup()
    from hindsight.accounts.services import create_token

    with _refusals():
        token, secret = create_token(username=username, name=name)
    typer.echo(f"Token {token.name!r} for {username}: {secret}")
    typer.echo("Store it now: only its hash is kept. Send it as 'Authorization: Bearer <token>'.")


@tokens_app.command("revoke")
def tokens_revoke(
    prefix: str = typer.Argument(..., help="The token, or its first 10 characters."),
) -> None:
    """Revoke an API token."""
    setup()
    from hindsight.accounts.services import revoke_token

    with _refusals():
        token = revoke_token(prefix=prefix)
    typer.echo(f"Revoked token {token.name!r} of {token.user.username}.")


@tokens_app.command("list")
def tokens_list() -> None:
    """List API tokens (never their secrets)."""
    setup()
    from hindsight.accounts.models import ApiToken

    table = Table("prefix", "name", "user", "created", "last used", "state")
    for token in ApiToken.objects.select_related("user").order_by("-created_at"):
        table.add_row(
            token.key_prefix,
            token.name,
            token.user.username,
            f"{token.created_at:%Y-%m-%d}",
            f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never",
            "revoked" if token.revoked_at else "active",
        )
    Console().print(table)


@users_app.command("unlock")
def users_unlock(username: str) -> None:
    """Lift a login lockout after too many failed attempts (for this user name)."""
    setup()
    from axes.utils import reset

    removed = reset(username=username)
    typer.echo(f"Unlocked {username} ({removed} failed-login record(s) cleared).")
