"""The extraction development set: short texts the project wrote, with expected statements.

The file (``tests/extraction_devset.yaml``) holds a small gazetteer (``entities``) and the
texts, each with its publication day and the statements a careful reader annotates. Reading
it checks every statement against its text — ``text[start:end]`` must be the statement's
words, as the seed loader checks spans — so a fixture that drifts fails loudly instead of
scoring the pipeline against the wrong words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from api.config import PROJECT_ROOT
from api.extract.proposals import UNKNOWN_SPEAKER, KnownEntity
from api.fuzzy_dates import FuzzyDateError, interval, precision_of
from api.text import fold
from api.yaml_text import safe_load

DEFAULT_PATH = PROJECT_ROOT / "tests" / "extraction_devset.yaml"
KINDS = frozenset({"direct", "reported"})


class DevSetError(ValueError):
    """The development set file is malformed; the message says where."""


@dataclass(frozen=True)
class DevText:
    id: str
    style: str  # the class of construction the text exercises
    published: date
    text: str
    statements: tuple[dict[str, Any], ...]  # rows shaped like the seed loader's statements


@dataclass(frozen=True)
class DevSet:
    entities: tuple[KnownEntity, ...]
    texts: tuple[DevText, ...]


def new_speaker_key(name: str) -> str:
    """How an expected speaker absent from the gazetteer is compared: by its folded name."""
    return "new:" + fold(name)


def _require(condition: bool, where: str, message: str) -> None:
    if not condition:
        raise DevSetError(f"{where}: {message}")


def _speaker(where: str, value: Any, known: set[str]) -> str:
    if isinstance(value, dict):
        _require(
            set(value) == {"new"} and isinstance(value["new"], str) and value["new"].strip() != "",
            where,
            "a new speaker is written {new: Name}",
        )
        return new_speaker_key(value["new"])
    _require(isinstance(value, str), where, "speaker must be an entity id or {new: Name}")
    _require(value in known or value == UNKNOWN_SPEAKER, where, f"unknown entity id {value!r}")
    return value


def _statement(where: str, item: Any, body: str, known: set[str]) -> dict[str, Any]:
    _require(isinstance(item, dict), where, "a statement is a mapping")
    _require(item.get("kind") in KINDS, where, "kind must be direct or reported")
    start, end, text = item.get("start"), item.get("end"), item.get("text")
    _require(
        isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(body),
        where,
        "start and end must be offsets into the text",
    )
    _require(body[start:end] == text, where, f"text[{start}:{end}] is {body[start:end]!r}, not {text!r}")
    said_on = str(item.get("said_on", ""))
    try:
        precision = precision_of(said_on)
        first, last = interval(said_on, precision)
    except FuzzyDateError as exc:
        raise DevSetError(f"{where}.said_on: {exc}") from exc
    return {
        "kind": item["kind"],
        "start": start,
        "end": end,
        "text": text,
        "speaker_id": _speaker(f"{where}.speaker", item.get("speaker"), known),
        "said_on_value": said_on,
        "said_on_precision": precision,
        "said_on_start": first,
        "said_on_end": last,
    }


def load_devset(path: Path = DEFAULT_PATH) -> DevSet:
    """Read and check the development set; :class:`DevSetError` names the first problem."""
    data = safe_load(path.read_text(encoding="utf-8"))
    _require(isinstance(data, dict), str(path), "expected a mapping with entities and texts")
    entities = tuple(
        KnownEntity(e["id"], e["name"], e["type"], tuple(e.get("aliases", ()))) for e in data["entities"]
    )
    known = {e.id for e in entities}
    texts: list[DevText] = []
    seen: set[str] = set()
    for index, item in enumerate(data["texts"]):
        where = f"texts[{index}]"
        _require(isinstance(item, dict) and isinstance(item.get("text"), str), where, "a text is required")
        _require(item.get("id") not in seen, where, f"duplicate id {item.get('id')!r}")
        seen.add(item["id"])
        try:
            published = date.fromisoformat(str(item.get("published")))
        except ValueError as exc:
            raise DevSetError(f"{where}.published: {exc}") from exc
        statements = tuple(
            _statement(f"{where}.statements[{n}]", s, item["text"], known)
            for n, s in enumerate(item.get("statements", ()))
        )
        texts.append(DevText(item["id"], str(item.get("class", "")), published, item["text"], statements))
    return DevSet(entities, tuple(texts))
