"""Timestamps as people write them in timelines and action items.

Handles ISO (`2019-01-23T16:08:30Z`), `2023-02-14 10:29`, `10:29 UTC`, `14:02`,
`2:54 PM PST`, `07:30am`, ranges (`09:00 - 11:00`), month names
(`Feb 20 2018 14:17`, `19. April, 11:00`, `January 23rd, 2019`) and dates whose
time is unknown (`2019-12-03 --:--`, `2024-03-13 14:??`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_WEEKDAY = r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s+)?"
_DATE = (
    rf"(?:{_WEEKDAY}(?:(?P<iso>\d{{4}}-\d{{2}}-\d{{2}})"
    rf"|(?P<ys>\d{{4}})/(?P<ms>\d{{1,2}})/(?P<ds>\d{{1,2}})"
    rf"|(?P<jy>\d{{4}})年\s*(?P<jm>\d{{1,2}})月\s*(?P<jd>\d{{1,2}})日"
    rf"|(?P<a>\d{{1,2}})/(?P<b>\d{{1,2}})/(?P<yy>\d{{4}})"
    rf"|(?P<mon1>{_MONTH})\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?,?(?:\s+(?P<y1>\d{{4}}))?"
    rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\.?\s+(?P<mon2>{_MONTH}),?(?:\s+(?P<y2>\d{{4}}))?"
    rf"|(?P<mm>\d{{1,2}})-(?P<dd>\d{{1,2}})(?=\s+\d{{1,2}}:\d{{2}})))"
)
_CLOCK = r"(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?:\.\d+)?)?\s*(?P<ampm>[ap]\.?m\.?\b)?"
# "1625 UTC", "0930Z", "1625 hrs", "1625 - paged": military time. Not 20xx without a zone or
# "hrs", which reads as a year ("2019 - the year we migrated").
_COMPACT = (
    r"(?P<ch>[01]\d|2[0-3])(?P<cm>[0-5]\d)"
    r"(?:(?=\s*(?:z\b|utc\b|gmt\b|hrs?\b|h\b|[a-z]{2,4}t\b))|(?<!20\d\d)(?=\s*[-–—:|]\s))"
)
_UNKNOWN = r"(?P<unknown>--:--|\d{1,2}:\?\?|\?\?:\?\?|hh:mm|[0-9x]{1,2}:xx)"
_TZ = (
    r"(?P<tz>z\b|[+-]\d{2}:?\d{2}\b|utc|gmt|cet|cest|pst|pdt|est|edt|cst|cdt|mst|mdt|bst|ist|"
    r"jst|kst|aest|aedt|msk|sgt|hkt|nzst|nzdt|(?:us/)?(?:pacific|eastern|central|mountain)\b|"
    r"denver|new york|london|berlin|tokyo|sydney|local time)"
)
_END = (
    r"(?:\s*(?:-|–|—|to)\s*(?P<eh>\d{1,2}):(?P<em>\d{2})(?::(?P<es>\d{2}))?"
    r"\s*(?P<eampm>[ap]\.?m\.?\b)?)"
)
_LEADING = re.compile(
    rf"^[\s~*_\[(]*(?:{_DATE}(?:\s*(?:T|,|\s|at)\s*)*)?"
    rf"(?:{_CLOCK}{_END}?|{_UNKNOWN}|{_COMPACT}(?:\s*hrs?\b)?)?(?:\s*{_TZ})?",
    re.IGNORECASE,
)
_ISO_CELL = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?"
    r"(?: (UTC|GMT|CET|CEST|PST|PDT|EST|EDT|CST|CDT|BST|IST))?"
)
_DATE_ONLY = re.compile(rf"^\s*{_DATE}\s*$", re.IGNORECASE)
# "Date: 2021-05-29", "2025-02-24 (all times UTC)", "11/25": a line that only sets the day.
_DATE_LABEL = re.compile(r"^\s*(?:date|day)\s*:\s*", re.IGNORECASE)
_DATE_NOTE = re.compile(r"\s*(?:\([^)]*\)|[-–—,]?\s*all times? (?:in )?\w+\.?)\s*$", re.IGNORECASE)
_MONTH_DAY = re.compile(r"^\s*(\d{1,2})/(\d{1,2})\s*$")
_ANY_DATETIME = re.compile(rf"{_DATE}(?:\s*(?:T|,|\s|at)\s*)+{_CLOCK}", re.IGNORECASE)
_ANY_DATE = re.compile(_DATE, re.IGNORECASE)
_AFTER = re.compile(r"^[\s*_\])]*[:|\-–—,.)]*\s*")


Year = int | dt.date | None
_ROLLOVER = dt.timedelta(days=183)


@dataclass(frozen=True)
class Stamp:
    """A parsed timestamp and the text that follows it; `problem` when the time can't be."""

    day: dt.date | None
    clock: dt.time | None
    end_clock: dt.time | None
    tz: str
    matched: str
    rest: str
    problem: str = ""


def _clock(hour: str, minute: str, second: str | None, ampm: str | None) -> dt.time | None:
    h, m, s = int(hour), int(minute), int(second or 0)
    if ampm:
        pm = ampm.lower().startswith("p")
        if not 1 <= h <= 12:
            return None
        h = (h % 12) + (12 if pm else 0)
    if h > 23 or m > 59 or s > 59:
        return None
    return dt.time(h, m, s)


def _day(match: re.Match[str], year: Year) -> dt.date | None:
    """The match's date; a missing year comes from `year`.

    When `year` is the incident's date, a yearless date more than six months after
    it belongs to the year before ("12-05" in a post-mortem of 26 March 2019).
    """
    groups = match.groupdict()
    try:
        if groups.get("iso"):
            return dt.date.fromisoformat(groups["iso"])
        if groups.get("mon1"):
            month = MONTHS[groups["mon1"].lower().rstrip(".")]
            found, day = groups.get("y1"), int(groups["d1"])
        elif groups.get("mon2"):
            month = MONTHS[groups["mon2"].lower().rstrip(".")]
            found, day = groups.get("y2"), int(groups["d2"])
        elif groups.get("mm"):
            month, found, day = int(groups["mm"]), None, int(groups["dd"])
        elif groups.get("ys"):
            return dt.date(int(groups["ys"]), int(groups["ms"]), int(groups["ds"]))
        elif groups.get("jy"):
            return dt.date(int(groups["jy"]), int(groups["jm"]), int(groups["jd"]))
        elif groups.get("yy"):
            return _slashed(int(groups["a"]), int(groups["b"]), int(groups["yy"]))
        else:
            return None
        if found:
            return dt.date(int(found), month, day)
        if isinstance(year, dt.date):
            guess = dt.date(year.year, month, day)
            return guess.replace(year=year.year - 1) if guess > year + _ROLLOVER else guess
        return dt.date(year, month, day) if year else None
    except ValueError:
        return None


def _slashed(
    first: int, second: int, year: int | None, month_first: bool = False
) -> dt.date | None:
    """ "26/11/2019" or "11/24/2019": whichever reading is a date. When both are, None, or the
    month-first reading for a bare "11/25" (as written in the US and in Japan)."""
    readings = []
    for month, day in ((first, second), (second, first)):
        try:
            readings.append(dt.date(year or 2000, month, day))
        except ValueError:
            continue
    if len(set(readings)) == 1 or (readings and month_first):
        return readings[0]
    return None


def iso_cell(text: str) -> tuple[dt.date, dt.time, str, str] | None:
    """(day, clock, zone, as written) for text that is just "2026-03-02 14:09 UTC", else None.

    Most timeline table cells look like this; they are parsed without the general pattern.
    """
    fast = _ISO_CELL.fullmatch(text.strip())
    if not fast:
        return None
    year_text, month, day_text, hour, minute, second, tz = fast.groups()
    clock = _clock(hour, minute, second, None)
    try:
        day = dt.date(int(year_text), int(month), int(day_text))
    except ValueError:
        return None
    if clock is None:
        return None
    return day, clock, tz or "", fast.group(0)


def parse_leading(text: str, year: Year = None) -> Stamp | None:
    """Parse a timestamp at the start of `text`; None when it doesn't start with one.

    `year` fills in dates written without a year ("Feb 21, 13:00").
    """
    cell = iso_cell(text)
    if cell is not None:
        return Stamp(cell[0], cell[1], None, cell[2], cell[3], "")
    match = _LEADING.match(text)
    if not match or not match.group(0).strip(" ~*_[("):
        return None
    groups = match.groupdict()
    has_date = any(groups.get(k) for k in ("iso", "mon1", "mon2", "mm", "ys", "yy", "jy"))
    has_clock = bool(groups.get("h") or groups.get("ch"))
    if not has_date and not has_clock and not groups.get("unknown"):
        return None
    day = _day(match, year) if has_date else None
    if has_date and day is None and not has_clock:
        return None
    clock = end = None
    problem = ""
    if groups.get("ch"):
        clock = dt.time(int(groups["ch"]), int(groups["cm"]))
    elif has_clock:
        clock = _clock(groups["h"], groups["m"], groups.get("s"), groups.get("ampm"))
        if clock is None:
            clock, problem = _impossible(groups)
        if groups.get("eh"):
            end = _clock(
                groups["eh"], groups["em"], groups.get("es"), groups.get("eampm") or groups["ampm"]
            )
    rest = text[match.end() :]
    if rest[:1].isalnum() and not match.group(0)[-1:].isspace():
        return None  # "14:02abc" or "2019-01-23-foo" is not a timestamp
    tz = (groups.get("tz") or "").upper()
    rest = _AFTER.sub("", rest, count=1)
    written = match.group(0).strip()
    return Stamp(day, clock, end, "UTC" if tz == "Z" else tz, written, rest.strip(), problem)


def _impossible(groups: dict[str, str | None]) -> tuple[dt.time | None, str]:
    """ "13:55 PM": a time as written when it can't be read, and what is wrong with it."""
    hour, minute = int(groups["h"] or 0), int(groups["m"] or 0)
    written = f"{groups['h']}:{groups['m']}" + (f" {groups['ampm']}" if groups.get("ampm") else "")
    if hour <= 23 and minute <= 59 and groups.get("ampm"):
        return dt.time(hour, minute), f"{written} mixes a 24-hour time with AM/PM"
    return None, f"{written} is not a time of day"


def parse_date_line(text: str, year: Year = None) -> dt.date | None:
    """A line that only gives a date, which sets the day for the entries after it.

    "2019-01-22", "Feb 20 2018", "**Date:** 2021-05-29", "2025-02-24 (all times UTC)",
    "2025/02/24", "26/11/2019", and a bare month/day such as "11/25".
    """
    text = _DATE_LABEL.sub("", text.strip(" *_#:"))
    text = _DATE_NOTE.sub("", text).strip(" *_#:")
    match = _DATE_ONLY.match(text)
    if match:
        return _day(match, year)
    short = _MONTH_DAY.match(text)
    if short and year is not None:
        return _slashed(int(short.group(1)), int(short.group(2)), _year_of(year), month_first=True)
    return None


def _year_of(year: Year) -> int | None:
    return year.year if isinstance(year, dt.date) else year


def find_datetime(text: str, year: Year = None) -> Stamp | None:
    """A date-and-time anywhere in `text` ("First detected 2020-09-21 18:27")."""
    match = _ANY_DATETIME.search(text)
    if not match:
        return None
    stamp = parse_leading(text[match.start() :], year)
    if stamp is None:
        return None
    before = text[: match.start()].strip(" :-–—,")
    rest = " ".join(part for part in (before, stamp.rest) if part)
    return Stamp(stamp.day, stamp.clock, stamp.end_clock, stamp.tz, stamp.matched, rest)


def find_date(text: str, year: Year = None) -> dt.date | None:
    """The first calendar date anywhere in `text`."""
    for match in _ANY_DATE.finditer(text):
        day = _day(match, year)
        if day:
            return day
    return None


def format_clock(clock: dt.time) -> str:
    """`14:02`, or `14:02:30` when seconds matter."""
    return clock.strftime("%H:%M:%S" if clock.second else "%H:%M")
