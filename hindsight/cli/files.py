"""Reading the Markdown files the document commands are given, within limits.

A path can name a FIFO (reading it blocks until someone writes), a device such
as /dev/zero (endless), or a file far larger than any post-mortem: each is
refused with a message before anything is read.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import typer

from hindsight.core.config import DEFAULT_MAX_SIZE

_NOT_FILES = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class CannotRead(Exception):
    """A file that can't be read as a post-mortem; the message says why."""


def cannot_run(message: str) -> typer.Exit:
    """Print why the command could not run and return the exit to raise (code 2)."""
    typer.echo(f"hindsight: {message}", err=True)
    return typer.Exit(2)


def size_text(size: int) -> str:
    """Bytes as `812 bytes`, `12.5 KB` or `10 MB` (1 KB = 1024 bytes)."""
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{size} bytes"


def _refuse_non_file(mode: int) -> None:
    for test, kind in _NOT_FILES:
        if test(mode):
            raise CannotRead(f"it is {kind}, not a regular file")


def _too_large(size: str, limit: int) -> CannotRead:
    return CannotRead(
        f"it is {size}, over the {size_text(limit)} limit for one file "
        "(raise it with --max-size or max_size in hindsight.toml)"
    )


def read_document(path: Path, max_size: int = DEFAULT_MAX_SIZE) -> str:
    """The file's text; anything but a regular UTF-8 file of at most `max_size` bytes is refused."""
    try:
        _refuse_non_file(path.stat().st_mode)
        # Non-blocking, so a FIFO swapped in after the check can't hang the open.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise CannotRead("no such file or folder") from None
    except OSError as exc:
        raise CannotRead(exc.strerror or str(exc)) from None
    with open(descriptor, "rb") as handle:
        info = os.fstat(descriptor)
        _refuse_non_file(info.st_mode)
        if info.st_size > max_size:
            raise _too_large(size_text(info.st_size), max_size)
        data = handle.read(max_size + 1)
    if len(data) > max_size:  # it grew while being read
        raise _too_large(f"more than {size_text(max_size)}", max_size)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise CannotRead("not UTF-8 text") from None
