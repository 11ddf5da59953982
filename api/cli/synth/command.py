"""``flask synth``: migrate, then fill the database with a synthetic dataset.

The generator, the loader and Alembic are imported when the command runs: the app registers the
command at start-up without paying for them.
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from api.cli.synth import DEFAULT_SEED, MIN_ARTICLES
from api.db import get_engine, upgrade_schema


@click.command("synth")
@click.option(
    "--articles",
    type=click.IntRange(min=MIN_ARTICLES),
    required=True,
    help="Number of articles N: also 10·N statements, N/10 entities, N/5 events.",
)
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True, help="Same seed, same data.")
@click.option("--force", is_flag=True, help="Add synthetic data to a database holding non-synthetic data.")
@with_appcontext
def synth_command(articles: int, seed: int, force: bool) -> None:
    """Fill the database with a synthetic dataset of N articles, for benchmarks.

    Migrates the database first, then writes in one transaction fictional French news
    articles, entities, statements, mentions and events that keep every invariant of the
    real data (body[start:end] == text, derived ids, search index). No revision is recorded
    for them (the history would double the data). A database already holding this very
    dataset is left as it is; one holding other synthetic data is refused (use a new file or
    database); one holding non-synthetic data is refused unless --force.
    """
    from api.cli.synth.loading import SynthRefused, build  # noqa: PLC0415 — see the module docstring

    upgrade_schema(current_app.config["DATABASE_URL"])
    try:
        with click.progressbar(length=articles, label="articles", show_pos=True) as bar:
            report = build(get_engine(), articles, seed, force=force, progress=bar.update)
    except SynthRefused as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(1) from None
    if not report.built:
        click.echo(
            f"this database already holds this dataset (articles={articles}, seed={seed}); nothing to do"
        )
        return
    counts = ", ".join(f"{name}: {count}" for name, count in report.counts.items())
    click.echo(f"dataset version {report.version}; {counts}; {report.seconds:.1f} s")
