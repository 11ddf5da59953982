"""Statistics and a consistency report over the curated dataset (``flask dataset report``).

The report looks for what an annotator may have missed: an alias of an entity that occurs
in an article but is not covered by a mention there, a quotation mark that belongs to no
statement and no quoted term, a direct quote not set off by quotation marks, aliases whose
``in_text`` flag disagrees with the texts. It also lists, for review, the sentences of an
article that look like a report of an event whose evidence does not cite that article.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from api.checks import SeedRows
from api.text import fold, fold_apostrophes, fold_marks

QUOTE_MARKS = '«»“”"'
WORD = re.compile(r"\w+")
SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")
# Words are compared by their first letters, so "déploiement" meets "déployées" and
# "nucléaires" meets "nucléaire"; shorter words are mostly grammar.
STEM_LENGTH = 5
# Grammatical words long enough to pass the length test: they say nothing about an event.
GRAMMAR = frozenset(
    [
        "ainsi",
        "alors",
        "apres",
        "aupres",
        "aussi",
        "autre",
        "autres",
        "avant",
        "avoir",
        "cette",
        "comme",
        "dans",
        "depuis",
        "dont",
        "encore",
        "entre",
        "leurs",
        "lorsque",
        "malgre",
        "meme",
        "notre",
        "nous",
        "parce",
        "pendant",
        "plusieurs",
        "pour",
        "puisque",
        "quand",
        "selon",
        "sont",
        "tandis",
        "toute",
        "toutes",
        "tous",
        "votre",
        "vous",
    ]
)
# A sentence is a likely report of an event when one of its participants is named or speaks in
# it and it shares this many key words with one of its evidence spans. Measured on the seeds by
# dropping one article's evidence of an event at a time: 4 words find 8 of the 11 dropped
# citations with 3 candidates on the complete seeds; 3 words find 8 with 6, 2 find 10 with 28.
SHARED_KEY_WORDS = 4


@dataclass
class DatasetReport:
    totals: dict[str, Any] = field(default_factory=dict)
    per_article: list[dict[str, Any]] = field(default_factory=list)
    undated_statements: list[str] = field(default_factory=list)
    single_source_events: list[str] = field(default_factory=list)
    unmentioned_entities: list[str] = field(default_factory=list)
    uncited_reports: list[str] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)


def build_report(rows: SeedRows) -> DatasetReport:
    report = DatasetReport()
    bodies = {a["id"]: a["body"] for a in rows.articles}
    _statistics(rows, report)
    _uncovered_aliases(rows, bodies, report)
    _uncovered_quote_marks(rows, bodies, report)
    _alias_flags(rows, bodies, report)
    _mention_texts(rows, report)
    _uncited_reports(rows, bodies, report)
    return report


def _statistics(rows: SeedRows, report: DatasetReport) -> None:
    report.totals = {
        "articles": len(rows.articles),
        "entities": len(rows.entities),
        "entities_by_type": dict(sorted(Counter(e["type"] for e in rows.entities).items())),
        "aliases": len(rows.entity_aliases),
        "mentions": len(rows.mentions),
        "statements": len(rows.statements),
        "statements_by_kind": dict(sorted(Counter(s["kind"] for s in rows.statements).items())),
        "events": len(rows.events),
        "events_by_type": dict(sorted(Counter(e["type"] for e in rows.events).items())),
        "evidence_spans": len(rows.event_evidence),
        "quoted_terms": len(rows.terms),
    }
    event_articles: dict[str, set[str]] = defaultdict(set)
    for span in rows.event_evidence:
        event_articles[span["event_id"]].add(span["article_id"])
    for article in rows.articles:
        article_id = article["id"]
        statements = [s for s in rows.statements if s["article_id"] == article_id]
        mentions = [m for m in rows.mentions if m["article_id"] == article_id]
        report.per_article.append(
            {
                "article": article_id,
                "published": article["published_value"],
                "mentions": len(mentions),
                "entities": len({m["entity_id"] for m in mentions}),
                "direct": sum(s["kind"] == "direct" for s in statements),
                "reported": sum(s["kind"] == "reported" for s in statements),
                "events": sum(article_id in articles for articles in event_articles.values()),
                "terms": sum(t["article_id"] == article_id for t in rows.terms),
            }
        )
    report.undated_statements = [
        f"{s['id']} ({s['article_id']}, {s['speaker_id']}): {s['text'][:60]}"
        for s in rows.statements
        if s["said_on_value"] is None
    ]
    report.single_source_events = [
        f"{event['id']} ({next(iter(event_articles[event['id']]))})"
        for event in rows.events
        if len(event_articles[event["id"]]) == 1
    ]
    # An entity without any alias (the unknown speaker) cannot be mentioned; it is accounted
    # for as long as some statement is attributed to it.
    present = {m["entity_id"] for m in rows.mentions}
    named = {a["entity_id"] for a in rows.entity_aliases}
    present |= {s["speaker_id"] for s in rows.statements} - named
    report.unmentioned_entities = [e["id"] for e in rows.entities if e["id"] not in present]


def _uncovered_aliases(rows: SeedRows, bodies: dict[str, str], report: DatasetReport) -> None:
    """Every whole-word occurrence of an alias (accents and apostrophes folded) needs a mention."""
    owners: dict[str, set[str]] = defaultdict(set)
    for alias in rows.entity_aliases:
        owners[fold_marks(alias["alias"])].add(alias["entity_id"])
    spans: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for mention in rows.mentions:
        spans[mention["article_id"]].append((mention["start"], mention["end"]))
    for article_id, body in bodies.items():
        folded = fold_marks(body)
        for alias, entity_ids in sorted(owners.items()):
            for match in re.finditer(rf"(?<!\w){re.escape(alias)}(?!\w)", folded):
                start, end = match.span()
                if not any(s <= start and end <= e for s, e in spans[article_id]):
                    report.gaps.append(
                        f"{article_id}: {body[start:end]!r} at {start} (alias of "
                        f"{', '.join(sorted(entity_ids))}) is not covered by a mention"
                    )


def _uncovered_quote_marks(rows: SeedRows, bodies: dict[str, str], report: DatasetReport) -> None:
    """Every quotation mark opens, closes or sits inside a statement or a quoted term."""
    quoted: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for statement in rows.statements:
        quoted[statement["article_id"]].append((statement["start"], statement["end"], statement["kind"]))
    for term in rows.terms:
        quoted[term["article_id"]].append((term["start"], term["end"], "term"))
    for article_id, body in bodies.items():
        spans = quoted[article_id]
        for position, char in enumerate(body):
            if char not in QUOTE_MARKS:
                continue
            if not any(
                start <= position < end
                or (position < start and not body[position + 1 : start].strip())
                or (position >= end and not body[end:position].strip())
                for start, end, _ in spans
            ):
                context = body[max(0, position - 30) : position + 30].replace("\n", " ")
                report.gaps.append(
                    f"{article_id}: quotation mark {char!r} at {position} is in no statement or term: …{context}…"
                )
        for start, end, kind in spans:
            if kind == "reported":
                continue
            before, after = body[:start].rstrip()[-1:], body[end:].lstrip()[:1]
            if before not in QUOTE_MARKS or after not in QUOTE_MARKS:
                report.gaps.append(f"{article_id}: {kind} span at {start} is not set off by quotation marks")


def _alias_flags(rows: SeedRows, bodies: dict[str, str], report: DatasetReport) -> None:
    """``in_text`` means this exact spelling (apostrophe variants aside) occurs in a text."""
    plain_bodies = [fold_apostrophes(body) for body in bodies.values()]
    for alias in rows.entity_aliases:
        pattern = re.compile(rf"(?<!\w){re.escape(fold_apostrophes(alias['alias']))}(?!\w)")
        found = any(pattern.search(body) for body in plain_bodies)
        if alias["in_text"] and not found:
            report.gaps.append(
                f"{alias['entity_id']}: alias {alias['alias']!r} is marked in_text but occurs in no text"
            )
        if not alias["in_text"] and found:
            report.gaps.append(
                f"{alias['entity_id']}: alias {alias['alias']!r} occurs in a text but is marked not in_text"
            )


def _mention_texts(rows: SeedRows, report: DatasetReport) -> None:
    aliases: dict[str, set[str]] = defaultdict(set)
    for alias in rows.entity_aliases:
        aliases[alias["entity_id"]].add(fold(alias["alias"]))
    for mention in rows.mentions:
        if fold(mention["text"]) not in aliases[mention["entity_id"]]:
            report.gaps.append(
                f"{mention['article_id']}: mention {mention['text']!r} at {mention['start']} "
                f"is not an alias of {mention['entity_id']}"
            )


def _stems(text: str) -> set[str]:
    words = WORD.findall(fold_marks(text).casefold())
    return {w[:STEM_LENGTH] for w in words if len(w) >= STEM_LENGTH and w not in GRAMMAR and not w.isdigit()}


def _uncited_reports(rows: SeedRows, bodies: dict[str, str], report: DatasetReport) -> None:
    """Sentences where an event's participants and key words meet, in an article it does not cite.

    Key words come from each evidence span on its own (a sentence must echo one report of the
    event, not a mix of several), without the names of the participants (counted apart) and
    without words found in every article (the corpus's common vocabulary). No date rule: an
    article may announce an event ahead of it, or recall it years later.
    """
    spans: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for span in rows.event_evidence:
        spans[span["event_id"]].append(span)
    involved: dict[str, set[str]] = defaultdict(set)
    for participant in rows.event_participants:
        involved[participant["event_id"]].add(participant["entity_id"])
    # who is present in a span: the entities mentioned in it and the speakers of the statements
    # in it ("Il a ajouté que …" names nobody, yet its speaker is there)
    present: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for mention in rows.mentions:
        present[mention["article_id"]].append((mention["start"], mention["end"], mention["entity_id"]))
    for statement in rows.statements:
        present[statement["article_id"]].append(
            (statement["start"], statement["end"], statement["speaker_id"])
        )
    names: dict[str, set[str]] = defaultdict(set)
    for alias in rows.entity_aliases:
        names[alias["entity_id"]] |= _stems(alias["alias"])
    article_words = {article_id: _stems(body) for article_id, body in bodies.items()}
    common = set.intersection(*article_words.values()) if article_words else set()
    for event in rows.events:
        who = involved[event["id"]] | ({event["location_id"]} if event["location_id"] else set())
        own_names = set().union(*(names[e] for e in who))
        key_words = [_stems(s["text"]) - common - own_names for s in spans[event["id"]]]
        cited = {s["article_id"] for s in spans[event["id"]]}
        for article_id, body in bodies.items():
            if article_id in cited:
                continue
            for match in SENTENCE.finditer(body):
                start, end = match.span()
                named = {e for s, t, e in present[article_id] if start <= s and t <= end} & who
                words = _stems(body[start:end])
                shared = max((words & keys for keys in key_words), key=len, default=set())
                if named and len(shared) >= SHARED_KEY_WORDS:
                    sentence = body[start:end].strip()
                    report.uncited_reports.append(
                        f"{event['id']}: {article_id} at {start} has {', '.join(sorted(named))} and "
                        f"shares {', '.join(sorted(shared))}…: {sentence[:100]}"
                    )


def format_report(report: DatasetReport) -> str:
    lines = ["Totals"]
    for key, value in report.totals.items():
        lines.append(f"  {key}: {value}")
    lines.append("Per article")
    header = ("article", "published", "mentions", "entities", "direct", "reported", "events", "terms")
    lines.append("  " + " | ".join(header))
    lines.extend("  " + " | ".join(str(row[h]) for h in header) for row in report.per_article)
    for title, items in (
        ("Statements without a said-on date", report.undated_statements),
        ("Events reported by one article only", report.single_source_events),
        ("Entities with no mention", report.unmentioned_entities),
        ("Events to review: reported in an article their evidence does not cite?", report.uncited_reports),
        ("Consistency gaps", report.gaps),
    ):
        lines.append(f"{title}: {len(items)}")
        lines.extend(f"  - {item}" for item in items)
    return "\n".join(lines)
