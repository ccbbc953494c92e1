"""Settings come from the environment; a malformed value names the variable."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from hindsight import config
from hindsight.config import ConfigError

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("helper", "name", "raw", "expected"),
    [
        (
            lambda e: config.env_bool("HINDSIGHT_DEBUG", env=e),
            "HINDSIGHT_DEBUG",
            "maybe",
            "expected true or false",
        ),
        (
            lambda e: config.env_int("HINDSIGHT_SMTP_PORT", 25, minimum=1, maximum=65535, env=e),
            "HINDSIGHT_SMTP_PORT",
            "twenty",
            "whole number",
        ),
        (
            lambda e: config.env_int("HINDSIGHT_SMTP_PORT", 25, minimum=1, maximum=65535, env=e),
            "HINDSIGHT_SMTP_PORT",
            "70000",
            "at most 65535",
        ),
        (
            lambda e: config.env_url("HINDSIGHT_BASE_URL", "", schemes=("http", "https"), env=e),
            "HINDSIGHT_BASE_URL",
            "ftp://x",
            "http://",
        ),
        (
            lambda e: config.env_url("HINDSIGHT_BASE_URL", "", schemes=("http", "https"), env=e),
            "HINDSIGHT_BASE_URL",
            "http://",
            "has no host",
        ),
        (
            lambda e: config.env_choice("HINDSIGHT_LOG_LEVEL", "INFO", ("DEBUG", "INFO"), env=e),
            "HINDSIGHT_LOG_LEVEL",
            "LOUD",
            "expected one of",
        ),
    ],
)
def test_it_names_the_variable_of_a_malformed_value(helper, name, raw, expected):
    with pytest.raises(ConfigError) as info:
        helper({name: raw})
    assert str(info.value).startswith(f"{name}:")
    assert expected in str(info.value)


def test_it_reads_booleans_strictly():
    assert config.env_bool("X", env={"X": "TRUE"}) is True
    assert config.env_bool("X", env={"X": "off"}) is False
    assert config.env_bool("X", True, env={}) is True


def test_it_reads_a_secret_from_a_file(tmp_path):
    secret = tmp_path / "key"
    secret.write_text("s3cret-from-file\n")
    assert (
        config.env_str("HINDSIGHT_SMTP_PASSWORD", env={"HINDSIGHT_SMTP_PASSWORD_FILE": str(secret)})
        == "s3cret-from-file"
    )
    with pytest.raises(ConfigError, match="HINDSIGHT_SMTP_PASSWORD_FILE: cannot read"):
        config.env_str(
            "HINDSIGHT_SMTP_PASSWORD",
            env={"HINDSIGHT_SMTP_PASSWORD_FILE": str(tmp_path / "missing")},
        )


def test_it_generates_the_secret_key_once_and_keeps_it(tmp_path):
    first = config.secret_key(tmp_path, env={})
    assert len(first) >= 50
    assert config.secret_key(tmp_path, env={}) == first
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"


def test_it_refuses_a_short_secret_key(tmp_path):
    with pytest.raises(ConfigError, match="HINDSIGHT_SECRET_KEY: must be at least 32"):
        config.secret_key(tmp_path, env={"HINDSIGHT_SECRET_KEY": "short"})


def test_it_defaults_to_sqlite_in_the_data_dir(tmp_path):
    assert config.database_url(tmp_path, env={}) == f"sqlite:///{tmp_path / 'hindsight.sqlite3'}"
    with pytest.raises(ConfigError, match="HINDSIGHT_DATABASE_URL"):
        config.database_url(tmp_path, env={"HINDSIGHT_DATABASE_URL": "mysql://x/y"})


def test_a_malformed_setting_stops_startup_naming_the_variable(tmp_path):
    env = {**os.environ, "HINDSIGHT_DATA_DIR": str(tmp_path), "HINDSIGHT_DEBUG": "perhaps"}
    env.pop("HINDSIGHT_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "hindsight", "users", "list"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
    )
    assert result.returncode == 2
    assert "HINDSIGHT_DEBUG: expected true or false, got 'perhaps'" in result.stderr
    assert "Traceback" not in result.stderr


def test_every_setting_is_documented():
    doc = (REPO / "docs" / "configuration.md").read_text()
    missing = [s.name for s in config.SETTINGS if f"`{s.name}`" not in doc]
    assert missing == []


def test_every_variable_the_code_reads_is_declared():
    declared = {s.name for s in config.SETTINGS}
    used: set[str] = set()
    for path in (REPO / "hindsight").rglob("*.py"):
        used |= set(re.findall(r"\"(HINDSIGHT_[A-Z_]+?)(?:_FILE)?\"", path.read_text()))
    assert sorted(used - declared) == []
