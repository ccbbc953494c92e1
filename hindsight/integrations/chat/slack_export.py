"""Reading a Slack export (a .zip or its unpacked folder) one day-file at a time.

An export holds users.json, channels.json (also groups.json, mpims.json,
dms.json) and one folder per channel with a JSON array per day
(``general/2024-05-01.json``). Nothing here touches the database.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

from hindsight.core import inputs
from hindsight.integrations.webhooks.common import object_or_empty

_DAY_FILE = re.compile(r"^(?P<folder>[^/]+)/(?P<day>\d{4}-\d{2}-\d{2})\.json$")
_TS = re.compile(r"^\d{1,12}(\.\d{1,6})?$")
_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")
CHANNEL_LISTS = ("channels.json", "groups.json", "mpims.json", "dms.json")
# A day-file of a busy channel is well under a megabyte; a bigger one is
# refused before it is parsed, so a zip bomb cannot fill the memory.
MAX_FILE_BYTES = 32 * 1024 * 1024
MAX_TOTAL_BYTES = 2 * 1024 * 1024 * 1024
# Slack itself cuts a message at 40,000 characters; a longer one is not a Slack message.
MAX_MESSAGE_CHARS = 40_000
# Author names are a column of 200 characters.
MAX_NAME = 200
# Not things people said: joins/leaves, edits and deletions (the edited
# message itself carries its final text), tombstones of deleted thread parents.
SKIPPED_SUBTYPES = frozenset(
    {
        "channel_join",
        "channel_leave",
        "group_join",
        "group_leave",
        "message_changed",
        "message_deleted",
        "tombstone",
        "channel_topic",
        "channel_purpose",
        "channel_name",
        "channel_archive",
        "channel_unarchive",
        "pinned_item",
        "unpinned_item",
        "reminder_add",
    }
)


class ExportError(ValueError):
    """The export cannot be imported; the message names the first bad file."""


@dataclass(frozen=True)
class ChatMessage:
    ts: str
    at: datetime
    author: str
    text: str
    thread_ts: str


def parse_ts(ts: Any, where: str) -> datetime:
    """Return a Slack ts ("1736478514.897649") as an aware UTC datetime."""
    if not isinstance(ts, str) or not _TS.match(ts):
        raise ExportError(f"{where}: message has no valid 'ts' ({ts!r})")
    seconds, _, fraction = ts.partition(".")
    try:
        at = datetime.fromtimestamp(int(seconds), UTC).replace(
            microsecond=int(fraction.ljust(6, "0")) if fraction else 0
        )
        return inputs.check_time(at, field=f"{where}: 'ts'")
    except (OverflowError, ValueError, OSError):
        raise ExportError(f"{where}: 'ts' {ts!r} is outside 1970–2200") from None


class SlackExport:
    """A Slack export on disk, read lazily; use as a context manager."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._zip: zipfile.ZipFile | None = None
        self._read: dict[str, int] = {}  # bytes each file really unpacked to
        if path.is_file():
            try:
                self._zip = zipfile.ZipFile(path)
            except (zipfile.BadZipFile, OSError) as exc:
                raise ExportError(f"{path.name}: not a readable zip file ({exc})") from None
            names = self._zip.namelist()
            unpacked = sum(info.file_size for info in self._zip.infolist())
            if unpacked > MAX_TOTAL_BYTES:
                raise ExportError(
                    f"{path.name}: unpacks to {unpacked} bytes, more than the "
                    f"{MAX_TOTAL_BYTES} an export may hold"
                )
            # Some tools wrap everything in one top folder; look inside it.
            tops = {n.split("/", 1)[0] for n in names if "/" in n}
            self._root = (
                next(iter(tops)) + "/" if "users.json" not in names and len(tops) == 1 else ""
            )
            self._names = [n[len(self._root) :] for n in names if n.startswith(self._root)]
        elif path.is_dir():
            self._root = ""
            self._names = [
                str(p.relative_to(path)).replace("\\", "/") for p in path.rglob("*.json")
            ]
        else:
            raise ExportError(f"{path}: no such file or folder")

    def __enter__(self) -> SlackExport:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._zip is not None:
            self._zip.close()

    def _open(self, name: str) -> IO[bytes]:
        if self._zip is not None:
            return self._zip.open(self._root + name)
        return (self.path / name).open("rb")

    def load(self, name: str) -> Any:
        """Parse one JSON file of the export; a bad file raises ExportError naming it."""
        try:
            if (
                self._zip is not None
                and self._zip.getinfo(self._root + name).file_size > MAX_FILE_BYTES
            ):
                raise ExportError(f"{name}: larger than {MAX_FILE_BYTES} bytes; not imported")
            with self._open(name) as handle:
                # Read one byte past the limit: the sizes a zip declares can lie.
                data = handle.read(MAX_FILE_BYTES + 1)
            if len(data) > MAX_FILE_BYTES:
                raise ExportError(f"{name}: larger than {MAX_FILE_BYTES} bytes; not imported")
            # Counted as read, not as declared: a zip's declared sizes can lie.
            self._read[name] = len(data)
            if sum(self._read.values()) > MAX_TOTAL_BYTES:
                raise ExportError(
                    f"{name}: the export unpacks to more than {MAX_TOTAL_BYTES} bytes; not imported"
                )
            return inputs.clean_json(json.loads(data), where=name)
        except (inputs.InputError, RecursionError):
            raise ExportError(f"{name}: nested deeper than {inputs.MAX_DEPTH} levels") from None
        except KeyError:
            raise ExportError(f"{name}: missing from the export") from None
        except FileNotFoundError:
            raise ExportError(f"{name}: missing from the export") from None
        except (zipfile.BadZipFile, EOFError, OSError) as exc:
            raise ExportError(f"{name}: cannot be read ({exc})") from None
        except UnicodeDecodeError:
            raise ExportError(f"{name}: not UTF-8 text") from None
        except json.JSONDecodeError as exc:
            raise ExportError(
                f"{name}: invalid or truncated JSON (line {exc.lineno}, column {exc.colno})"
            ) from None

    def users(self) -> dict[str, str]:
        """Map user ids to the names people know them by."""
        if "users.json" not in self._names:
            return {}
        users = self.load("users.json")
        if not isinstance(users, list):
            raise ExportError("users.json: expected a list of users")
        names = {}
        for user in users:
            if isinstance(user, dict) and isinstance(user.get("id"), str):
                profile = object_or_empty(user.get("profile"))
                candidates = (
                    profile.get("display_name"),
                    user.get("real_name"),
                    profile.get("real_name"),
                    user.get("name"),
                )
                names[user["id"]] = next(
                    (c.strip() for c in candidates if isinstance(c, str) and c.strip()),
                    user["id"],
                )
        return names

    def channel(self, name: str) -> tuple[str, str]:
        """Return (channel id, folder) for a channel name (or id); raise if unknown."""
        wanted = name.lstrip("#")
        known: list[str] = []
        for listing in CHANNEL_LISTS:
            if listing not in self._names:
                continue
            channels = self.load(listing)
            if not isinstance(channels, list):
                raise ExportError(f"{listing}: expected a list of channels")
            for channel in channels:
                if not isinstance(channel, dict):
                    continue
                label = channel.get("name") or channel.get("id")
                known.append(str(label))
                if wanted in (channel.get("name"), channel.get("id")):
                    channel_id = str(channel.get("id") or wanted)
                    for folder in (channel.get("name"), channel.get("id")):
                        if folder and any(n.startswith(f"{folder}/") for n in self._names):
                            return channel_id, str(folder)
                    return channel_id, str(channel.get("name") or channel_id)
        if not known:
            raise ExportError("channels.json: missing from the export (is this a Slack export?)")
        raise ExportError(
            f"no channel named {wanted!r} in the export; channels: {', '.join(sorted(known))}"
        )

    def day_files(self, folder: str, start: date | None, end: date | None) -> list[str]:
        """Return the channel's day-files within [start, end], oldest first."""
        days = []
        for name in self._names:
            match = _DAY_FILE.match(name)
            if not match or match["folder"] != folder:
                continue
            day = date.fromisoformat(match["day"])
            if (start is None or day >= start) and (end is None or day <= end):
                days.append(name)
        return sorted(days)

    def messages(
        self,
        name: str,
        users: dict[str, str],
        start: datetime | None,
        end: datetime | None,
        problems: list[str] | None = None,
    ) -> Iterator[ChatMessage]:
        """Yield the day-file's messages worth keeping, in the window; a bad one raises,
        or, given a `problems` list, is noted there and skipped."""
        day = self.load(name)
        if not isinstance(day, list):
            raise ExportError(f"{name}: expected a JSON array of messages")
        for n, message in enumerate(day):
            try:
                found = self._message(f"{name} message {n + 1}", message, users, start, end)
            except ExportError as exc:
                if problems is None:
                    raise
                problems.append(str(exc))
                continue
            if found is not None:
                yield found

    def _message(
        self,
        where: str,
        message: Any,
        users: dict[str, str],
        start: datetime | None,
        end: datetime | None,
    ) -> ChatMessage | None:
        if not isinstance(message, dict):
            raise ExportError(f"{where}: expected an object")
        at = parse_ts(message.get("ts"), where)
        if message.get("subtype") in SKIPPED_SUBTYPES or message.get("hidden"):
            return None
        if (start is not None and at < start) or (end is not None and at > end):
            return None
        text = message.get("text")
        if not isinstance(text, str) or not text.strip():
            return None
        if len(text) > MAX_MESSAGE_CHARS:
            raise ExportError(
                f"{where}: text of {len(text)} characters, more than {MAX_MESSAGE_CHARS}"
            )
        user = message.get("user")
        profile = object_or_empty(message.get("user_profile"))
        author = (
            users.get(user or "")
            or profile.get("display_name")
            or profile.get("real_name")
            or message.get("username")
            or user
            or "unknown"
        )
        text = _MENTION.sub(lambda m: "@" + users.get(m[1], m[1]), text)
        thread_ts = message.get("thread_ts")
        author = str(author)
        return ChatMessage(
            ts=message["ts"],
            at=at,
            author=author if len(author) <= MAX_NAME else author[: MAX_NAME - 1] + "…",
            text=text,
            thread_ts=thread_ts if isinstance(thread_ts, str) else "",
        )
