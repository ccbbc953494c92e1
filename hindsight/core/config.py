"""Review configuration: which rules run, their thresholds and severities.

Read from `hindsight.toml` (keys at the top level) or from `[tool.hindsight]`
in `pyproject.toml`:

    disable = ["timeline-gap"]          # rules not to run
    enable = ["blame-language"]         # when given, only these rules run
    max_size = "10MB"                   # larger files are not reviewed
    rule_docs = "https://wiki.example.com/hindsight/{rule}"   # SARIF helpUri
    acronyms = ["CE", "S&O"]            # the organisation's own abbreviations
    [rules.timeline-gap]                # in pyproject: [tool.hindsight.rules.timeline-gap]
    minutes = 90
    severity = "warning"
    [rules.review-date-missing]
    enabled = true                      # turn on a rule that is off by default
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hindsight.core import rules  # noqa: F401  (the built-in rules must be known)
from hindsight.core.registry import REGISTRY, SEVERITIES, Registry, Severity

# The top-level settings, each with what it does (docs/reviewer.md must describe each one).
SETTINGS = {
    "enable": "when given, only these rules run",
    "disable": "rules not to run",
    "rules": "per-rule tables: options, severity, enabled",
    "max_size": "files larger than this are not reviewed (bytes, or a size such as 512KB or 10MB)",
    "rule_docs": "the web page of each rule that SARIF output links to, {rule} standing for its id",
    "acronyms": "the organisation's own abbreviations, never reported as undefined",
}
DEFAULT_MAX_SIZE = 10 * 1024 * 1024
PROJECT_URL = "https://github.com/hindsight/hindsight"
DEFAULT_RULE_DOCS = PROJECT_URL + "/blob/main/docs/rules/{rule}.md"
_UNITS = {"": 1, "b": 1, "kb": 1024, "mb": 1024**2, "gb": 1024**3}
_ADDRESS = re.compile(r"^https?://[^/\s?#]+[^\s]*$")
_SIZE = re.compile(r"^\s*(\d+)\s*([kmg]?b?)\s*$", re.IGNORECASE)


class ConfigError(ValueError):
    """A configuration file that can't be used; the message names the file and the key."""


@dataclass(frozen=True)
class Config:
    enable: frozenset[str] | None = None
    disable: frozenset[str] = frozenset()
    options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    severities: Mapping[str, Severity] = field(default_factory=dict)
    source: str = ""
    max_size: int = DEFAULT_MAX_SIZE
    rule_docs: str = DEFAULT_RULE_DOCS
    turned_on: frozenset[str] = frozenset()
    acronyms: frozenset[str] = frozenset()

    def enabled(self, rule_id: str, default: bool = True) -> bool:
        """Whether a rule runs: `default` is whether it runs when nothing says otherwise."""
        if rule_id in self.disable:
            return False
        if self.enable is not None:
            return rule_id in self.enable
        return default or rule_id in self.turned_on


def _rule_ids(value: Any, key: str, where: str, registry: Registry) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: `{key}` must be a list of rule ids")
    unknown = sorted(v for v in value if v not in registry)
    if unknown:
        raise ConfigError(f"{where}: `{key}` names unknown rules: {', '.join(unknown)}")
    return frozenset(value)


def config_from_mapping(
    data: Mapping[str, Any], where: str, registry: Registry | None = None
) -> Config:
    """Validate a parsed table; every unknown key, rule or option is an error."""
    registry = registry or REGISTRY
    unknown_keys = sorted(set(data) - set(SETTINGS))
    if unknown_keys:
        raise ConfigError(f"{where}: unknown setting(s): {', '.join(unknown_keys)}")
    enable = _rule_ids(data["enable"], "enable", where, registry) if "enable" in data else None
    disable = _rule_ids(data.get("disable", []), "disable", where, registry)
    acronyms = data.get("acronyms", [])
    if not isinstance(acronyms, list) or not all(isinstance(v, str) and v for v in acronyms):
        raise ConfigError(f"{where}: `acronyms` must be a list of abbreviations")
    turned_on: set[str] = set()
    options: dict[str, dict[str, Any]] = {}
    severities: dict[str, Severity] = {}
    tables = data.get("rules", {})
    if not isinstance(tables, dict):
        raise ConfigError(f"{where}: `rules` must be a table of rule tables")
    for rule_id, settings in tables.items():
        if rule_id not in registry:
            raise ConfigError(f"{where}: [rules.{rule_id}] is not a known rule")
        if not isinstance(settings, dict):
            raise ConfigError(f"{where}: [rules.{rule_id}] must be a table")
        defaults = registry.get(rule_id).options
        for key, value in settings.items():
            if key == "severity":
                if value not in SEVERITIES:
                    raise ConfigError(
                        f"{where}: rules.{rule_id}.severity must be one of {', '.join(SEVERITIES)}"
                    )
                severities[rule_id] = SEVERITIES[SEVERITIES.index(value)]
            elif key == "enabled":
                if not isinstance(value, bool):
                    raise ConfigError(f"{where}: rules.{rule_id}.enabled must be true or false")
                if not value:
                    disable = disable | {rule_id}
                else:
                    turned_on.add(rule_id)
            elif key not in defaults:
                known = ", ".join(sorted(defaults)) or "none"
                raise ConfigError(
                    f"{where}: rules.{rule_id} has no option `{key}` (options: {known})"
                )
            elif not _same_type(value, defaults[key]):
                kind = type(defaults[key]).__name__
                raise ConfigError(f"{where}: rules.{rule_id}.{key} must be a {kind}")
            else:
                options.setdefault(rule_id, {})[key] = value
    return Config(
        enable,
        disable,
        options,
        severities,
        where,
        turned_on=frozenset(turned_on),
        acronyms=frozenset(a.strip() for a in acronyms),
        max_size=parse_size(data["max_size"], f"{where}: `max_size`")
        if "max_size" in data
        else DEFAULT_MAX_SIZE,
        rule_docs=rule_docs_address(data["rule_docs"], f"{where}: `rule_docs`")
        if "rule_docs" in data
        else DEFAULT_RULE_DOCS,
    )


def parse_size(value: Any, what: str) -> int:
    """Bytes from a positive whole number or a size such as `512KB` or `10MB` (1 KB = 1024 B)."""
    match = _SIZE.match(value) if isinstance(value, str) else None
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    if match and int(match.group(1)) > 0:
        unit = match.group(2).lower()
        return int(match.group(1)) * _UNITS[unit if unit.endswith("b") or not unit else unit + "b"]
    raise ConfigError(f"{what} must be a size such as 512KB or 10MB, got {value!r}")


def rule_docs_address(value: Any, what: str) -> str:
    """An absolute http(s) address for rule pages: `{rule}` is the rule id, else `/<id>.md` ends it."""
    if not isinstance(value, str) or not _ADDRESS.match(value):
        raise ConfigError(f"{what} must be an absolute http(s) address, got {value!r}")
    if "{rule}" in value:
        return str(value)
    return f"{value.rstrip('/')}/{{rule}}.md"


def _same_type(value: Any, default: Any) -> bool:
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(value, bool) and isinstance(default, bool)
    if isinstance(default, float):
        return isinstance(value, int | float)
    if isinstance(default, list):
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return isinstance(value, type(default))


def config_from_toml(text: str, where: str, *, pyproject: bool = False) -> Config | None:
    """Config from TOML text; None for a pyproject.toml without [tool.hindsight]."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: not valid TOML: {exc}") from None
    if pyproject:
        tool = data.get("tool", {})
        if "hindsight" not in tool:
            return None
        data = tool["hindsight"]
        if not isinstance(data, dict):
            raise ConfigError(f"{where}: [tool.hindsight] must be a table")
    return config_from_mapping(data, where)
