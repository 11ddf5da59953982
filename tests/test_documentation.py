"""Every setting and every CLI command is documented in the README."""

from __future__ import annotations

import re

from flask import Flask

from api.config import PROJECT_ROOT, SETTINGS, documented_default, settings_table

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
# every file of the service that may read the environment (the test suite's own variables aside)
SERVICE_SOURCES = [*sorted((PROJECT_ROOT / "api").rglob("*.py")), PROJECT_ROOT / "gunicorn.conf.py"]
ENVIRONMENT_READ = re.compile(
    r'os\.environ(?:\.get\(|\[)\s*"([A-Z_]+)"(?:\s*,\s*"([^"]*)")?|os\.getenv\(\s*"([A-Z_]+)"'
)


def configuration_table() -> str:
    """The first table of the README's Configuration section."""
    section = README.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    lines = section.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("|"))
    end = next((i for i in range(first, len(lines)) if not lines[i].startswith("|")), len(lines))
    return "\n".join(lines[first:end])


def test_the_configuration_table_is_the_settings_table() -> None:
    # every setting documented with its default, every documented variable a setting
    assert configuration_table() == settings_table(), "paste the output of `flask settings` into the README"


def test_every_environment_variable_the_service_reads_is_a_setting() -> None:
    settings = {setting.name: setting for setting in SETTINGS}
    read: set[str] = set()
    for source in SERVICE_SOURCES:
        for environ_name, default, getenv_name in ENVIRONMENT_READ.findall(
            source.read_text(encoding="utf-8")
        ):
            name = environ_name or getenv_name
            read.add(name)
            assert name in settings, f"{source.name} reads {name}, which is not in api.config.SETTINGS"
            if default:  # a module reading a setting by itself (gunicorn.conf.py) agrees on its default
                assert documented_default(settings[name]) == f"`{default}`", (source.name, name)
    assert {"PORT", "WEB_CONCURRENCY", "GUNICORN_THREADS", "PROMETHEUS_MULTIPROC_DIR"} <= read


def test_every_cli_command_is_in_the_readme(app: Flask) -> None:
    ours = {"migrate", "seed", "dataset", "keys", "ingest", "synth", "settings"}
    assert ours <= set(app.cli.commands)
    for name in ours:
        assert f"flask {name}" in README, name


def test_flask_settings_prints_the_table(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["settings"])
    assert result.exit_code == 0
    assert result.output == settings_table() + "\n"
