"""Score the extraction pipeline: ``python -m api.dataset.scoring`` (``make extract-score``).

This is the evaluation, so it reads files (the pure pipeline in ``api.extract`` never does),
and it writes nothing. Two corpora are scored separately:

* the curated seeds: the gazetteer is built from ``seeds/entities.yaml`` (canonical names and
  every alias); each article's publication date is its curated fuzzy date, with its precision;
* the development set the project wrote for extraction (``tests/extraction_devset.yaml``,
  read by :mod:`api.dataset.devset`): short texts with their own small gazetteer, where an
  expected speaker may also be a name the gazetteer lacks (a proposed new entity) or the
  explicit unknown speaker.

Metrics (all micro-averaged over a corpus):

* direct quotes — precision and recall on the exact span (start and end);
* speaker accuracy — over direct quotes whose span matched, the proposed speaker is the
  curated entity;
* reported speech — recall: a curated reported statement counts as found when a proposed
  reported statement overlaps it with character IoU ≥ 0.5 (also shown: any overlap);
  speaker accuracy over those found;
* mentions — recall of curated mention spans (exact start and end), and of span + entity;
* dates — for statements (direct or reported) matched as above that have a curated
  ``said_on``, the proposed ``said_on`` equals it (value and precision); also shown:
  the two dates' intervals overlap.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from api.dataset.devset import DEFAULT_PATH, load_devset, new_speaker_key
from api.dataset.seed_files import read_seeds
from api.extract.mentions import Gazetteer
from api.extract.pipeline import extract
from api.extract.proposals import Extraction, KnownEntity, NewEntity, StatementProposal
from api.fuzzy_dates import interval

# What each corpus must reach (issue 16): the seeds must not regress, and the development
# set holds the line the pipeline is expected to hold on news it has never seen.
SEED_TARGETS = {
    "direct_recall": 0.95,
    "direct_precision": 0.9,
    "speaker_accuracy": 0.85,
    "reported_recall": 0.9,
}
DEVSET_TARGETS = {
    "direct_recall": 0.95,
    "direct_precision": 0.95,
    "speaker_accuracy": 0.95,
    "reported_recall": 0.9,
}


@dataclass
class Counts:
    """Numerator and denominator per metric."""

    values: dict[str, list[int]] = field(default_factory=dict)

    def add(self, name: str, hit: bool | int, total: int = 1) -> None:
        pair = self.values.setdefault(name, [0, 0])
        pair[0] += int(hit)
        pair[1] += total

    def ratio(self, name: str) -> float:
        hit, total = self.values.get(name, [0, 0])
        return hit / total if total else 0.0

    def merge(self, other: Counts) -> None:
        for name, (hit, total) in other.values.items():
            self.add(name, hit, total)


ROWS = (
    ("direct_precision", "direct quotes: precision (exact span)"),
    ("direct_recall", "direct quotes: recall (exact span)"),
    ("speaker_accuracy", "direct quotes: speaker accuracy (matched spans)"),
    ("reported_recall", "reported speech: recall (IoU >= 0.5)"),
    ("reported_recall_any", "reported speech: recall (any overlap)"),
    ("reported_speaker", "reported speech: speaker accuracy (IoU >= 0.5)"),
    ("mention_recall", "mentions: recall (exact span)"),
    ("mention_entity_recall", "mentions: recall (exact span + entity)"),
    ("date_exact", "said_on: accuracy (same value and precision)"),
    ("date_overlap", "said_on: accuracy (intervals overlap)"),
)


def _speaker_id(statement: StatementProposal) -> str | None:
    """A gazetteer id, or a proposed new entity compared by its folded name."""
    if isinstance(statement.speaker, NewEntity):
        return new_speaker_key(statement.speaker.name)
    return statement.speaker


def _iou(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union else 0.0


def _same_date(gold: dict[str, Any], proposed: StatementProposal) -> tuple[bool, bool]:
    said = proposed.said_on
    if said is None:
        return False, False
    exact = gold["said_on_value"] == said.value and gold["said_on_precision"] == said.precision
    first, last = interval(said.value, said.precision)
    overlap = first <= gold["said_on_end"] and gold["said_on_start"] <= last
    return exact, overlap


def score_article(
    extraction: Extraction, statements: Sequence[dict[str, Any]], mentions: Sequence[dict[str, Any]]
) -> Counts:
    """Counts for one article: ``statements``/``mentions`` are curated rows from the seeds."""
    counts = Counts()
    direct = {(s.start, s.end): s for s in extraction.statements if s.kind == "direct"}
    reported = [s for s in extraction.statements if s.kind == "reported"]
    gold_direct = [s for s in statements if s["kind"] == "direct"]
    gold_spans = {(s["start"], s["end"]) for s in gold_direct}
    counts.add("direct_precision", sum(span in gold_spans for span in direct), len(direct))
    for gold in statements:
        span = (gold["start"], gold["end"])
        if gold["kind"] == "direct":
            found = direct.get(span)
            counts.add("direct_recall", found is not None)
            if found is None:
                continue
            counts.add("speaker_accuracy", _speaker_id(found) == gold["speaker_id"])
        else:
            overlaps = [(_iou(span, (s.start, s.end)), s) for s in reported]
            best = max(overlaps, key=lambda item: item[0], default=(0.0, None))
            counts.add("reported_recall_any", best[0] > 0)
            counts.add("reported_recall", best[0] >= 0.5)
            if best[0] < 0.5 or best[1] is None:
                continue
            found = best[1]
            counts.add("reported_speaker", _speaker_id(found) == gold["speaker_id"])
        if gold.get("said_on_value") is not None:
            exact, overlap = _same_date(gold, found)
            counts.add("date_exact", exact)
            counts.add("date_overlap", overlap)
    proposed_spans = {(m.start, m.end) for m in extraction.mentions}
    proposed_pairs = {(m.start, m.end, m.entity) for m in extraction.mentions}
    for gold in mentions:
        counts.add("mention_recall", (gold["start"], gold["end"]) in proposed_spans)
        counts.add("mention_entity_recall", (gold["start"], gold["end"], gold["entity_id"]) in proposed_pairs)
    return counts


def score_seeds(seeds_dir: Path = Path("seeds"), *, use_ner: bool = True) -> dict[str, Counts]:
    """Run the pipeline on every seed article; counts per article id and under ``"all"``."""
    rows = read_seeds(seeds_dir)
    aliases: dict[str, list[str]] = {}
    for alias in rows.entity_aliases:
        aliases.setdefault(alias["entity_id"], []).append(alias["alias"])
    gazetteer = Gazetteer(
        KnownEntity(e["id"], e["name"], e["type"], tuple(aliases.get(e["id"], ()))) for e in rows.entities
    )
    results: dict[str, Counts] = {}
    total = Counts()
    for article in rows.articles:
        published: date = article["published_start"]
        extraction = extract(
            article["body"],
            language=article["language"],
            published=published,
            published_precision=article["published_precision"],
            gazetteer=gazetteer,
            use_ner=use_ner,
        )
        statements = [s for s in rows.statements if s["article_id"] == article["id"]]
        mentions = [m for m in rows.mentions if m["article_id"] == article["id"]]
        counts = score_article(extraction, statements, mentions)
        results[article["id"]] = counts
        total.merge(counts)
    results["all"] = total
    return results


def score_devset(path: Path = DEFAULT_PATH, *, use_ner: bool = True) -> dict[str, Counts]:
    """Run the pipeline on every development-set text; counts per text id and under ``"all"``."""
    devset = load_devset(path)
    gazetteer = Gazetteer(devset.entities)
    results: dict[str, Counts] = {}
    total = Counts()
    for text in devset.texts:
        extraction = extract(
            text.text, language="fr", published=text.published, gazetteer=gazetteer, use_ner=use_ner
        )
        counts = score_article(extraction, text.statements, ())
        results[f"{text.id} {text.style}"] = counts
        total.merge(counts)
    results["all"] = total
    return results


def missed(results: dict[str, Counts], targets: dict[str, float]) -> list[str]:
    """The metrics of ``targets`` that the corpus total does not reach."""
    total = results["all"]
    return [name for name, target in targets.items() if total.ratio(name) < target]


def format_table(title: str, results: dict[str, Counts], targets: dict[str, float]) -> str:
    total = results["all"]
    lines = [title, f"{'metric':<50} {'score':>6}  {'hits/total':>10}  target", "-" * 80]
    for name, label in ROWS:
        hit, count = total.values.get(name, [0, 0])
        if count == 0:
            continue
        target = targets.get(name)
        mark = (
            "" if target is None else (f">= {target}  " + ("ok" if total.ratio(name) >= target else "MISSED"))
        )
        lines.append(f"{label:<50} {total.ratio(name):>6.3f}  {f'{hit}/{count}':>10}  {mark}")
    lines.append("")
    lines.append("per text (direct P / R / speaker, reported R):")
    for key, counts in results.items():
        if key == "all":
            continue
        parts = " / ".join(
            f"{counts.ratio(n):.2f}" if counts.values.get(n, [0, 0])[1] else "   -"
            for n in ("direct_precision", "direct_recall", "speaker_accuracy", "reported_recall")
        )
        lines.append(f"  {key:<60} {parts}")
    return "\n".join(lines)


def main(seeds_dir: Path = Path("seeds"), devset_path: Path = DEFAULT_PATH) -> int:
    """Print both score tables; exit status 1 when a target is missed on either corpus."""
    devset = score_devset(devset_path)
    seeds = score_seeds(seeds_dir)
    print(format_table(f"development set ({devset_path.name})", devset, DEVSET_TARGETS))
    print()
    print(format_table(f"seed articles ({seeds_dir})", seeds, SEED_TARGETS))
    return 1 if missed(devset, DEVSET_TARGETS) or missed(seeds, SEED_TARGETS) else 0


if __name__ == "__main__":
    sys.exit(main())
