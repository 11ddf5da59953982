"""Every setting and every CLI command is documented in the README."""

from __future__ import annotations

import re

from flask import Flask

from api.config import PROJECT_ROOT

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def environment_variables() -> set[str]:
    sources = [
        PROJECT_ROOT / "api" / "config.py",
        PROJECT_ROOT / "gunicorn.conf.py",
        PROJECT_ROOT / "api" / "http" / "docs_assets.py",
        PROJECT_ROOT / "api" / "views" / "explore.py",
    ]
    names: set[str] = set()
    for source in sources:
        text = source.read_text(encoding="utf-8")
        names |= set(re.findall(r'environ(?:\.get)?\(\s*"([A-Z_]+)"', text))
        names |= set(re.findall(r'_int\("([A-Z_]+)"', text))
        names |= set(re.findall(r'ENV_VAR = "([A-Z_]+)"', text))
    return names


def test_every_environment_variable_is_in_the_configuration_table() -> None:
    names = environment_variables()
    assert {"DATABASE_URL", "VEILLE_DB_TIMEOUT_SECONDS", "PORT"} <= names
    table = set(re.findall(r"^\| `([A-Z_]+)` \|", README, re.MULTILINE))
    assert names <= table, f"undocumented: {sorted(names - table)}"


def test_every_cli_command_is_in_the_readme(app: Flask) -> None:
    ours = {"migrate", "seed", "dataset", "keys", "ingest", "synth"}
    assert ours <= set(app.cli.commands)
    for name in ours:
        assert f"flask {name}" in README, name
