"""Command-line interface: migrate, seed, dataset report, keys, ingest, synth, settings.

Every worker builds the app and so registers these commands: what only a command needs (the
seed loader, the dataset report, ingestion and its extraction pipeline, the synthetic data
generator, Alembic) is imported inside the command, not here.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from api.cli.synth.command import synth_command
from api.config import settings_table
from api.db import get_engine, upgrade_schema
from api.errors import ClientError
from api.http.api_keys import SCOPES, create_key, revoke_key
from api.queries.api_keys import all_keys


@click.command("migrate")
@with_appcontext
@click.option("--revision", default="head", show_default=True, help="Target revision.")
def migrate_command(revision: str) -> None:
    """Bring the database schema to a revision (default: the latest)."""
    upgrade_schema(current_app.config["DATABASE_URL"], revision)
    click.echo(f"database at revision {revision}")


@click.command("seed")
@with_appcontext
@click.option(
    "--path",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Seeds folder (default: VEILLE_SEEDS_DIR or ./seeds).",
)
@click.option("--check", is_flag=True, help="Validate only; write nothing.")
def seed_command(path: Path | None, check: bool) -> None:
    """Validate the curated dataset and load it idempotently in one transaction."""
    from api.dataset.loader import load_seed_rows  # noqa: PLC0415 — see the module docstring
    from api.dataset.seed_files import SeedError, read_seeds  # noqa: PLC0415

    seeds_dir = path or current_app.config["SEEDS_DIR"]
    try:
        rows = read_seeds(Path(seeds_dir))
    except SeedError as exc:
        for problem in exc.problems:
            click.echo(f"error: {problem}", err=True)
        click.echo(f"{len(exc.problems)} problem(s); nothing was written.", err=True)
        sys.exit(1)
    if check:
        click.echo(f"seeds are valid: {len(rows.articles)} articles, {len(rows.entities)} entities")
        return
    with Session(get_engine()) as session, session.begin():
        report = load_seed_rows(session, rows)
    changed = ", ".join(
        f"{name}: +{report.inserted[name]} ~{report.updated[name]} -{report.retired[name]}"
        for name in report.inserted
        if report.inserted[name] or report.updated[name] or report.retired[name]
    )
    if report.search_documents:
        changed += f"{', ' if changed else ''}search index: {report.search_documents} documents"
    click.echo(f"dataset version {report.version}; " + (changed or "no changes"))


@click.group("dataset")
def dataset_group() -> None:
    """Inspect the curated dataset."""


@dataset_group.command("report")
@click.option("--path", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None)
@with_appcontext
def report_command(path: Path | None) -> None:
    """Statistics and consistency report of the seeds; exit 1 when a gap is found."""
    from api.dataset.report import build_report, format_report  # noqa: PLC0415 — see the module docstring
    from api.dataset.seed_files import SeedError, read_seeds  # noqa: PLC0415

    seeds_dir = path or current_app.config["SEEDS_DIR"]
    try:
        report = build_report(read_seeds(Path(seeds_dir)))
    except SeedError as exc:
        for problem in exc.problems:
            click.echo(f"error: {problem}", err=True)
        sys.exit(1)
    click.echo(format_report(report))
    if report.gaps:
        sys.exit(1)


@click.command("ingest")
@click.argument(
    "paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--extract/--no-extract", default=True, show_default=True, help="Store the pipeline's proposals."
)
@click.option("--actor", default="ingest", show_default=True, help="Name recorded in the history.")
@with_appcontext
def ingest_command(paths: tuple[Path, ...], extract: bool, actor: str) -> None:
    """Add text files as articles (one transaction each); the same text twice is one article.

    A file is UTF-8 text whose first non-empty line is the title, optionally preceded by a
    YAML front matter between --- lines (id, published, language, outlet, source_url,
    title, lead, notes). Without `published`, the day of ingestion is used and noted.
    """
    from api.writes.ingest import ingest_article, parse_text_file  # noqa: PLC0415

    created = known = failed = 0
    with click.progressbar(paths, label="ingesting", item_show_func=lambda p: p.name if p else "") as bar:
        for path in bar:
            try:
                article = parse_text_file(path.read_text(encoding="utf-8"))
                with Session(get_engine()) as session, session.begin():
                    result = ingest_article(session, article, actor=actor, propose_all=extract)
            except (ValueError, ClientError) as exc:  # UnicodeDecodeError is a ValueError
                failed += 1
                click.echo(f"\nerror: {path}: {exc}", err=True)
                continue
            if result.created:
                created += 1
                proposed = f" proposed {result.proposed.as_dict()}" if result.proposed else ""
                click.echo(f"\n{path}: created {result.article_id}{proposed}")
            else:
                known += 1
                state = "retired (an admin can restore it)" if result.retired else "stored"
                click.echo(f"\n{path}: already {state} as {result.article_id}")
    click.echo(f"{created} created, {known} already stored, {failed} failed")
    if failed:
        sys.exit(1)


@click.group("keys")
def keys_group() -> None:
    """Create, list and revoke API keys."""


@keys_group.command("create")
@click.option("--name", required=True, help="Who or what the key is for (unique).")
@click.option(
    "--scope", "scopes", multiple=True, required=True, type=click.Choice(SCOPES), help="Repeat for several."
)
@with_appcontext
def keys_create(name: str, scopes: tuple[str, ...]) -> None:
    """Create a key and print it: it is shown this once and stored only as a hash."""
    try:
        with Session(get_engine()) as session, session.begin():
            key = create_key(session, name=name, scopes=list(scopes))
    except ValueError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(key)


@keys_group.command("list")
@with_appcontext
def keys_list() -> None:
    """Names, scopes and state of every key (never the secrets)."""
    with Session(get_engine()) as session:
        for key in all_keys(session):
            state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
            click.echo(f"{key.name}\t{key.scopes}\t{state}\tcreated {key.created_at:%Y-%m-%d}")


@keys_group.command("revoke")
@click.option("--name", required=True)
@with_appcontext
def keys_revoke(name: str) -> None:
    """Revoke a key: requests presenting it get 401 from now on."""
    with Session(get_engine()) as session, session.begin():
        revoked = revoke_key(session, name=name)
    if not revoked:
        click.echo(f"error: no active key named {name!r}", err=True)
        sys.exit(1)
    click.echo(f"revoked {name}")


@click.command("settings")
def settings_command() -> None:
    """Print every setting as the README's configuration table (Markdown)."""
    click.echo(settings_table())


def init_app(app: Flask) -> None:
    app.cli.add_command(migrate_command)
    app.cli.add_command(seed_command)
    app.cli.add_command(dataset_group)
    app.cli.add_command(keys_group)
    app.cli.add_command(ingest_command)
    app.cli.add_command(synth_command)
    app.cli.add_command(settings_command)
