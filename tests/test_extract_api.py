"""No quote lost for its speaker: what ``POST /v1/articles?extract=true`` and ``flask ingest``
store when the speaker is not in the dataset, or when the text names nobody.

Runs on SQLite by default and on PostgreSQL with ``TEST_DATABASE_URL`` (see conftest).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.test_writes import Api, seeded  # noqa: F401 — the fixture is used by name

NEW_SPEAKER_QUOTE = "Nous ne laisserons pas construire cette route sans nous battre jusqu'au bout."
UNKNOWN_QUOTE = "On nous a promis des reclassements, on n'a rien vu venir depuis des mois."


def article(article_id: str, body: str) -> dict[str, Any]:
    return {
        "id": article_id,
        "title": body.split("\n", 1)[0],
        "body": body,
        "language": "fr",
        "published": {"value": "2026-03-05", "precision": "day"},
    }


def statements_of(api: Api, article_id: str) -> list[dict[str, Any]]:
    return api.json(f"/v1/statements?article={article_id}&limit=100")["data"]


def test_a_speaker_the_dataset_lacks_is_proposed_as_a_new_entity_with_the_quote(seeded: Api) -> None:  # noqa: F811
    body = (
        "Des riverains contre la rocade\n"
        f"« {NEW_SPEAKER_QUOTE} », a affirmé jeudi Grégoire Vasselin, porte-parole des riverains.\n"
    )
    assert seeded.get("/v1/entities/gregoire-vasselin").status_code == 404
    response = seeded.post("/v1/articles?extract=true", article("a-2026-03-05-test-rocade", body))
    assert response.status_code == 201, response.get_data(as_text=True)

    (quote,) = [s for s in statements_of(seeded, "a-2026-03-05-test-rocade") if s["kind"] == "direct"]
    assert quote["text"] == NEW_SPEAKER_QUOTE
    assert body[quote["start"] : quote["end"]] == NEW_SPEAKER_QUOTE
    assert quote["status"] == "proposed"
    entity = seeded.json(f"/v1/entities/{quote['speaker']}")
    assert quote["speaker"] == "gregoire-vasselin"
    assert entity["name"] == "Grégoire Vasselin"
    assert entity["status"] == "proposed" and entity["type"] == "person"


def test_a_quote_whose_speaker_is_never_named_goes_to_the_unknown_speaker(seeded: Api) -> None:  # noqa: F811
    body = f"Devant l'usine occupée\nLa colère ne retombe pas devant l'usine.\n« {UNKNOWN_QUOTE} »\n"
    had_unknown = seeded.get("/v1/entities/unknown-speaker").status_code == 200
    response = seeded.post("/v1/articles?extract=true", article("a-2026-03-05-test-usine", body))
    assert response.status_code == 201, response.get_data(as_text=True)

    (quote,) = [s for s in statements_of(seeded, "a-2026-03-05-test-usine") if s["kind"] == "direct"]
    assert quote["text"] == UNKNOWN_QUOTE
    assert quote["speaker"] == "unknown-speaker"
    assert quote["confidence"] <= 0.3
    unknown = seeded.json("/v1/entities/unknown-speaker")
    assert unknown["type"] == "other"
    if not had_unknown:  # the pipeline created it, in the same write as the article
        assert unknown["status"] == "proposed"
        assert seeded.history("entities", "unknown-speaker")[0][0] == "create"

    # a second article reuses the same entity instead of failing on a duplicate id
    again = seeded.post("/v1/articles?extract=true", article("a-2026-03-05-test-usine-2", body + "Fin.\n"))
    assert again.status_code == 201, again.get_data(as_text=True)
    speakers = {s["speaker"] for s in statements_of(seeded, "a-2026-03-05-test-usine-2")}
    assert speakers == {"unknown-speaker"}


def test_flask_ingest_keeps_a_quote_without_a_named_speaker(seeded: Api, tmp_path: Path) -> None:  # noqa: F811
    text = tmp_path / "usine.txt"
    text.write_text(
        "---\npublished: 2026-03-05\n---\nDevant l'usine occupée\n"
        f"La colère ne retombe pas devant l'usine.\n« {UNKNOWN_QUOTE} »\n",
        encoding="utf-8",
    )
    result = seeded.ingest(str(text))
    assert result.exit_code == 0, result.output
    (article_id,) = [
        a["id"] for a in seeded.json("/v1/articles?limit=500")["data"] if UNKNOWN_QUOTE in a["body"]
    ]
    quotes = [s for s in statements_of(seeded, article_id) if s["kind"] == "direct"]
    assert [(s["text"], s["speaker"]) for s in quotes] == [(UNKNOWN_QUOTE, "unknown-speaker")]
