"""Action items as people write them: lists, tables, prose promises, and what headings say.

An item's owner, deadline, priority, term and status come from the item itself
(`— @maria, due 2026-12-01, P1`, `**High**`, `(done)`, `✅`, a past-tense lead
verb) or, failing that, from the headings above it ("### Q3 2026",
"## Immediate actions (completed)", "### P1"). Items are also found where
people write them outside an "Action items" list: a bold "**Actions planned:**"
label over a list, "Action point: ..." lines, and, when a document lists no
open items at all, promises in prose ("Going forward, we will ...").
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from dataclasses import dataclass

from hindsight.core.blocks import list_items, table_rows
from hindsight.core.model import ActionItem
from hindsight.core.timeparse import MONTHS, find_date

_ITEM_HEADERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("owner", re.compile(r"^(owner|assignee|assigned( to)?|who|responsible|dri)\b", re.I)),
    ("due", re.compile(r"^(due|deadline|by when|target|eta|date|when)\b", re.I)),
    ("priority", re.compile(r"^(priority|prio|p|severity|urgency)$", re.I)),
    ("term", re.compile(r"^(type|term|kind|horizon|category)$", re.I)),
    ("status", re.compile(r"^(status|state|done|progress|completed?)$", re.I)),
    ("text", re.compile(r"^(action|item|task|description|what|title|summary|follow.?up)", re.I)),
)
_CHECKBOX = re.compile(r"^\[([ xX✓✔])\]\s*")
_DONE_MARK = re.compile(r"^(?:✅|☑️?|✔️?|✓)\s*|\s*(?:✅|☑️?|✔️?|✓)\s*$")
DONE_NOTE = re.compile(
    r"\((?:done|completed?|fixed|finished|implemented|resolved|merged|deployed|shipped)\b[^)]*\)"
    r"\s*\.?\s*$|(?:^|\s)(?:—|–|-{1,2}|:)\s*(?:done|completed|fixed|finished)\.?\s*$"
    r"|(?<!\w)[_*]{1,2}(?:done|completed|fixed)\b[^_*\n]*[_*]{1,2}|^~~.*~~$"
    r"|\b(?:this|it) (?:has|was) (?:been )?(?:done|completed|fixed|implemented)\b"
    r"|\balready (?:done|in place|implemented|fixed|deployed|the case)\b|\bwe already do\b",
    re.IGNORECASE,
)
# "EIP-6110 is updated to add filtering": a report of work done, written in the present.
_REPORTED_DONE = re.compile(
    r"^[^.;:]{0,80}\b(?:is|are|has been|have been) (?:now )?(?:updated|implemented|added|fixed|"
    r"deployed|merged|released|in place|done)\b(?!.*\b(?:will|should|must|to be)\b)",
    re.IGNORECASE,
)
# A piece of every DONE_NOTE alternative, lower-cased, so most items skip the search. Pieces
# avoid "i" and "s": only those letters have case-insensitive matches that lower() keeps apart
# ("ı", "İ", "ſ"), so any text DONE_NOTE matches contains a piece once lower-cased.
_DONE_NOTE_PIECES = ("(", "_", "*", "~~", "done", "complet", "xed", "hed", " ha", " wa", "already")
_TICKS = frozenset("✅☑✔✓")
# A piece of every DONE_NOTE alternative, lower-cased, to skip it for most items.
_DONE_PIECES = (
    "done",
    "complet",
    "fix",
    "finish",
    "implement",
    "resolv",
    "merg",
    "deploy",
    "ship",
    "~~",
    "already",
    "been",
)
# An item that starts with a verb in the past tense reports work done ("Added alerts").
_PAST_LEAD = re.compile(
    r"^(?:we\s+)?(?:added|fixed|implemented|deployed|rolled back|reverted|created|removed|"
    r"updated|switched|released|moved|migrated|disabled|enabled|rotated|revoked|patched|"
    r"upgraded|downgraded|replaced|restarted|increased|decreased|raised|lowered|changed|"
    r"configured|documented|wrote|merged|published|notified|applied|installed|scaled|"
    r"terminated|deleted|cleaned up|introduced|turned (?:on|off)|paused|blocked|refunded|"
    r"compensated|contacted|informed|archived|pinned|bumped|corrected|tightened|locked|"
    r"unpublished|rebuilt|re-?enabled|re-?deployed|backported|shipped|issued|marked|"
    r"examined|produced|rectified|resolved|completed|finished|wrote|built|ran|began|did)\b"
    r"|^(?:we\s+)?[A-Za-z][a-z]{2,}(?<!eed)(?<!embed)(?<!shed)ed\b",
    re.IGNORECASE,
)
_DONE_HEADING = re.compile(
    r"(?<!not )(?<!to be )(?<!not yet )\b(?:completed?|done|finished|taken|already|"
    r"in place|what we did)\b",
    re.IGNORECASE,
)
_OWNER = re.compile(
    r"(?:^|[\s(,\[])(?:(?:owner|assignee|dri|lead)\s*[:=]\s*|(?:assigned to|owned by|driven by)\s+"
    r"|@)(?P<who>@?[\w.\-/]+(?: [A-Z][\w'-]+)?)",
    re.IGNORECASE,
)
_WHEN = (
    r"\d{4}-\d{2}-\d{2}|[A-Za-z]+\.? \d{1,2}(?:st|nd|rd|th)?,? \d{4}|\d{1,2} [A-Za-z]+,? \d{4}"
    r"|[a-z]+ (?:week|month|quarter|sprint)|(?:end of )?[qh][1-4](?:[ /]\d{4})?"
    r"|(?:end of )?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{4}"
)
_DUE = re.compile(
    rf"\b(?:due|deadline|by|until|before|eta|target|no later than)\s*:?\s*(?P<when>{_WHEN})",
    re.IGNORECASE,
)
_HEADING_DUE = re.compile(rf"(?P<when>{_WHEN})", re.IGNORECASE)
_QUARTER = re.compile(r"(?:end of )?([qh])([1-4])(?:[ /](\d{4}))?$", re.IGNORECASE)
_MONTH_YEAR = re.compile(r"(?:end of )?([a-z]+)\.? (\d{4})$", re.IGNORECASE)
_LEVEL = r"(?:highest|high|medium|med|normal|low|lowest|urgent|critical|blocker)"
_PRIORITY = re.compile(
    r"\b(?P<p>P[0-4]|SEV-?[0-4])\b"
    rf"|\b(?:priority|prio)\s*[:=-]?\s*(?P<w1>{_LEVEL}|[0-4])\b"
    rf"|\b(?P<w2>{_LEVEL})[- ]priority\b"
    rf"|\((?P<w3>{_LEVEL})\)|\[(?P<w4>{_LEVEL})\]"
    rf"|(?:\*\*|__)(?P<w5>{_LEVEL})(?:\*\*|__)"
    rf"|^\s*(?P<w6>{_LEVEL})\s*[:\-–—]\s",
    re.IGNORECASE,
)
_TERM = re.compile(
    r"\b(?P<t>long[- ]term|short[- ]term|immediate(?:ly)?|preventive|preventative|quick fix)\b",
    re.I,
)
# A piece of every _TERM alternative, in lower case, to skip the search for most items. Pieces
# avoid "i" and "s": only those letters have case-insensitive matches that lower() keeps apart
# ("ı", "İ", "ſ"), so any text _TERM matches contains a piece once lower-cased.
_TERM_PIECES = ("term", "mmed", "vent", "ck f")
# An @handle: "@" first and the look-behind after it, which lets the regex engine jump between
# "@"s; the same as (?<![\w/])@[\w.-]+.
_HANDLE = re.compile(r"@(?<![\w/]@)[\w.-]+")
_TAIL = re.compile(r"\s+(?:—|–|--)\s+(?P<tail>[^—–]*)$")
_NAME = re.compile(r"@?[A-Z][\w.'-]*(?: [A-Z][\w.'-]*){0,2}|@[\w.-]+|[\w-]+ team")
# A link to where the item is tracked: an issue or pull request URL, "#123", "PROJ-123".
_TRACKER = re.compile(
    r"https?://\S+/(?:issues|pull|merge_requests|tickets?|browse|jira)/\S+|(?<![\w&])#\d+\b"
    r"|\b[A-Z][A-Z0-9]+-\d+\b|\[(?:issues?|pr|pull request|ticket|bug|tracking issue|"
    r"issue here|see issue[^\]]*)\]\s*[\[(]|\]\[[\w-]*(?:issue|pr|fix|ticket)[\w-]*\]",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Defaults:
    """What the headings above a list say about every item in it."""

    term: str = ""
    status: str = ""
    due_text: str = ""
    priority: str = ""


def defaults_from(titles: list[str]) -> Defaults:
    """Term, status, deadline and priority stated in headings, the nearest heading first."""
    nearest_first = list(reversed(titles))
    joined = " ".join(titles)
    due = next((m.group("when") for t in nearest_first for m in [_HEADING_DUE.search(t)] if m), "")
    priority = next(
        (
            normalise_priority(_priority_of(m))
            for t in nearest_first
            for m in [_PRIORITY.search(t)]
            if m
        ),
        "",
    )
    status = "done" if any(_DONE_HEADING.search(t) for t in titles) else ""
    return Defaults(term_of(joined), status, due, priority)


def term_of(text: str) -> str:
    """Normalise "long-term", "preventive", "immediate", "short term"... to two values."""
    lowered = text.lower()
    if re.search(r"\blong[- ]?term|\bprevent|\bstrategic|\blater\b", lowered):
        return "long-term"
    if re.search(r"\bimmediate|\bshort[- ]?term|\bmitigation|\bquick|\bnow\b", lowered):
        return "immediate"
    return ""


_PRIORITY_LABEL = re.compile(r"^(?:priority|prio):?\s*", re.I)
_PRIORITY_LEVEL = re.compile(r"(p|sev-?)[0-4]", re.I)


def normalise_priority(text: str) -> str:
    value = _PRIORITY_LABEL.sub("", text.strip().strip("*_[]()"))
    if _PRIORITY_LEVEL.fullmatch(value):
        return value.upper().replace("SEV-", "SEV")
    if value.isdigit():
        return f"P{value}"
    return {"med": "medium"}.get(value.lower(), value.lower())


def _priority_of(match: re.Match[str]) -> str:
    return next(value for value in match.groups() if value)


def normalise_status(text: str) -> str:
    lowered = text.strip().lower()
    if not lowered:
        return ""
    if re.search(r"\b(done|complete|completed|closed|fixed|resolved|yes|x)\b|[✅✔✓☑]", lowered):
        return "done"
    return "open"


def due_date(text: str, year_hint: dt.date | None = None) -> dt.date | None:
    """A deadline's date: a calendar date, the end of a quarter/half or month ("Q3 2026")."""
    text = text.strip()
    quarter = _QUARTER.match(text)
    if quarter:
        kind, number, year = quarter.group(1).lower(), int(quarter.group(2)), quarter.group(3)
        if year:
            return _month_end(int(year), number * 3 if kind == "q" else number * 6)
        if year_hint is None:
            return None
        return _month_end(year_hint.year, number * 3 if kind == "q" else number * 6)
    found = find_date(text)
    if found:
        return found
    month_year = _MONTH_YEAR.match(text)
    if month_year:
        month = MONTHS.get(month_year.group(1).lower()[:3]) or MONTHS.get(
            month_year.group(1).lower()
        )
        if month:
            return _month_end(int(month_year.group(2)), month)
    return None


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def tracked(item: ActionItem) -> bool:
    """The item links to an issue, pull request or ticket, where its owner and date live."""
    return _links_a_tracker(item.text)


# Several rules ask the same of one item's text in one review: remember the last answers.
@functools.lru_cache(maxsize=1024)
def _links_a_tracker(text: str) -> bool:
    return bool(_TRACKER.search(text))


@functools.lru_cache(maxsize=1024)
def strip_metadata(text: str) -> str:
    """The action itself, without "— @maria, due 2026-12-01, P1" and "(DONE)" bookkeeping."""
    if "—" in text or "–" in text or "--" in text:
        text = _TAIL.sub("", text)
    lowered = text.lower()
    if any(piece in lowered for piece in _DONE_PIECES):
        text = DONE_NOTE.sub("", text)
    text = _DUE.sub("", text)
    if "@" in text:
        text = _HANDLE.sub("", text)
    return _PRIORITY.sub("", text).strip(" ,;")


def _status(text: str) -> tuple[str, str]:
    """(status, the text without a checkbox or tick)."""
    checkbox = _CHECKBOX.match(text)
    if checkbox:
        return ("open" if checkbox.group(1) == " " else "done"), text[checkbox.end() :]
    mark = _DONE_MARK.search(text) if _TICKS.intersection(text) else None
    if mark:
        return "done", (text[: mark.start()] + text[mark.end() :]).strip()
    if _PAST_LEAD.match(text.lstrip("*_ ")) or _notes_done(text):
        return "done", text
    if (" is " in text or " are " in text or " been " in text) and _REPORTED_DONE.search(text):
        return "done", text
    if _reports(text):
        return "done", text
    return "", text


def _notes_done(text: str) -> bool:
    """A note that the item is done: "(done)", "— fixed", "_completed_", "already in place"."""
    lowered = text.lower()
    return any(piece in lowered for piece in _DONE_NOTE_PIECES) and bool(DONE_NOTE.search(text))


_PAST = re.compile(
    r"\b(?:was|were|had|did|didn.t|wasn.t|weren.t|took|made|got|found|saw|went|came|became|"
    r"gave|ran|began|created|needed|caused|led|turned out|implemented|fixed|added|deployed|"
    r"released|merged|removed|replaced|rolled back|reverted|migrated|upgraded|patched)\b",
)  # matched against lower-cased text


def _reports(text: str) -> bool:
    """A sentence that tells what happened rather than what to do: past tense, no plan in it."""
    return bool(_PAST.search(text.lower())) and not FUTURE.search(text) and not asks(text)


def _owner(text: str) -> str:
    match = _OWNER.search(text)
    if match:
        owner = match.group("who").strip().rstrip(".,;)")
        if not owner.startswith("@") and match.group(0).lstrip(" (,[").startswith("@"):
            owner = "@" + owner
        return owner
    tail = _TAIL.search(text)
    if not tail:
        return ""
    for piece in (p.strip() for p in tail.group("tail").split(",")):
        bookkeeping = _DUE.search(piece) or _PRIORITY.search(piece) or DONE_NOTE.search(piece)
        if piece and not bookkeeping and _NAME.fullmatch(piece) and not find_date(piece):
            return piece
    return ""


def parse_item(text: str, line: int, defaults: Defaults | str = "") -> ActionItem:
    """An action item from a bullet: "[ ] Add CPU alerts at 80% — @maria, due 2026-12-01, P1"."""
    given = defaults if isinstance(defaults, Defaults) else Defaults(term=defaults)
    status, text = _status(text)
    due_match = _DUE.search(text)
    due_text = due_match.group("when") if due_match else given.due_text
    priority_match = _PRIORITY.search(text)
    priority = normalise_priority(_priority_of(priority_match)) if priority_match else ""
    term = given.term
    lowered = text.lower()
    term_match = any(piece in lowered for piece in _TERM_PIECES) and _TERM.search(text)
    if term_match:
        term = term_of(term_match.group("t"))
    return ActionItem(
        text=text.strip(),
        owner=_owner(text),
        due=due_date(due_text) if due_text else None,
        priority=priority or given.priority,
        term=term,
        status=status or given.status,
        due_text=due_text,
        line=line,
    )


def items_from_list(block_text: str, line: int, defaults: Defaults | str = "") -> list[ActionItem]:
    """One item per top-level bullet; nested bullets are its detail, unless the bullet is only a
    short label ("- Lighthouse") over them, when they are the items."""
    found = []
    lines = block_text.split("\n")
    for text, at in list_items(block_text, line):
        index = at - line
        below = lines[index + 1] if index + 1 < len(lines) else ""
        if _NESTED.match(below) and _is_label(_MARKER.sub("", lines[index]).strip()):
            inner = _nested_block(lines, index)
            found += items_from_list(inner, at + 1, defaults)
        elif text:
            found.append(parse_item(text, at, defaults))
    return found


_MARKER = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")


_NESTED = re.compile(r"^\s{2,}(?:[-*+]|\d+[.)])\s")


def _is_label(text: str) -> bool:
    """A group label rather than an action: a few words, no verb of its own."""
    words = text.strip("*_:").split()
    return 0 < len(words) <= 3 and len(text) <= 30 and not asks(text) and not _PAST_LEAD.match(text)


def _nested_block(lines: list[str], index: int) -> str:
    """The bullets indented under the top-level bullet at `index`, dedented."""
    own = len(lines[index]) - len(lines[index].lstrip())
    inner = []
    for line in lines[index + 1 :]:
        if line.strip() and len(line) - len(line.lstrip()) <= own:
            break
        inner.append(line)
    indent = min(len(x) - len(x.lstrip()) for x in inner if x.strip())
    return "\n".join(x[indent:] for x in inner).strip("\n")


def items_from_table(block_text: str, line: int, defaults: Defaults | str = "") -> list[ActionItem]:
    """Action items from a table whose columns may come in any order under any synonym."""
    given = defaults if isinstance(defaults, Defaults) else Defaults(term=defaults)
    rows = table_rows(block_text)
    if not rows:
        return []
    roles: dict[int, str] = {}
    for index, header in enumerate(rows[0]):
        for role, pattern in _ITEM_HEADERS:
            if pattern.match(header.strip(" *_")) and role not in roles.values():
                roles[index] = role
                break
    if "text" not in roles.values():
        free = [i for i in range(len(rows[0])) if i not in roles]
        if not free:
            return []
        roles[free[0]] = "text"
    items = []
    for offset, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        values = {role: row[i] if i < len(row) else "" for i, role in roles.items()}
        extras = [
            f"{rows[0][i]}: {cell}"
            for i, cell in enumerate(row)
            if i not in roles and i < len(rows[0]) and cell.strip()
        ]
        text = " ".join([values.get("text", "")] + [f"({extra})" for extra in extras]).strip()
        parsed = parse_item(text, line + offset, given)
        # A column says what it says, even when empty; the item's text and the headings
        # above only fill in what the table has no column for.
        due_text = values["due"].strip() if "due" in values else parsed.due_text
        items.append(
            ActionItem(
                text=parsed.text,
                owner=values["owner"].strip() if "owner" in values else parsed.owner,
                due=due_date(due_text) if due_text else None,
                priority=(
                    normalise_priority(values["priority"])
                    if "priority" in values
                    else parsed.priority
                ),
                term=term_of(values["term"]) if "term" in values else parsed.term,
                status=normalise_status(values["status"]) if "status" in values else parsed.status,
                due_text=due_text,
                line=line + offset,
            )
        )
    return items


FUTURE = re.compile(
    r"\b(?:will|shall|should|must|needs?|have to|going to|plans? to)\b|'ll\b", re.IGNORECASE
)
# fmt: off
_IMPERATIVES = frozenset((
    "add", "adopt", "allow", "alert", "automate", "build", "change", "check", "clean", "configure",
    "create", "define", "deploy", "document", "enable", "enforce", "ensure", "establish", "extend",
    "fix", "implement", "improve", "increase", "introduce", "investigate", "limit", "make",
    "migrate", "monitor", "move", "prevent", "reduce", "refactor", "remove", "replace", "require",
    "review", "revisit", "rewrite", "rotate", "run", "schedule", "separate", "set", "setup",
    "split", "start", "stop", "switch", "test", "track", "train", "update", "upgrade", "use",
    "validate", "verify", "write",
))
# fmt: on


def asks(text: str) -> bool:
    """An imperative: "Add alerts ...", "Document the rollover process"."""
    first = text.lstrip("*_ ").split(" ", 1)[0].lower()
    return first.isalpha() and not _PAST_LEAD.match(text) and first in _IMPERATIVES
