"""The extraction development set: its fixtures hold together, and the pipeline holds the line.

The targets are issue 16's; a change to the pipeline that drops below one fails here, with
the per-text scores in the message so the regression is easy to find.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from api.dataset.devset import DEFAULT_PATH, DevSetError, load_devset
from api.dataset.scoring import DEVSET_TARGETS, format_table, missed, score_devset

# The construction classes the issue lists, each needing at least one text.
REQUIRED_CLASSES = {
    "ascii-paragraph",
    "accent-stripped",
    "missing-opening-mark",
    "colon-post",
    "colon-communique",
    "new-speaker",
    "unknown-speaker",
    "guillemets",
    "english-marks",
    "single-guillemets",
    "nested",
    "reversed-guillemets",
    "dash-interview",
    "qa-interview",
    "topic-verb",
    "denial",
    "passive",
    "organisation-qualification",
    "collective-source",
}


def test_every_expected_statement_is_at_its_offsets_in_its_text() -> None:
    devset = load_devset()
    assert len(devset.texts) >= 30
    for text in devset.texts:
        assert text.statements, text.id
        for statement in text.statements:
            assert text.text[statement["start"] : statement["end"]] == statement["text"], text.id


def test_every_class_of_the_issue_has_texts() -> None:
    assert {text.style for text in load_devset().texts} >= REQUIRED_CLASSES


def test_a_drifted_offset_is_refused_with_its_place(tmp_path: Path) -> None:
    source = DEFAULT_PATH.read_text(encoding="utf-8")
    broken = tmp_path / "devset.yaml"
    first_start = next(line for line in source.splitlines() if line.strip().startswith("start:"))
    broken.write_text(source.replace(first_start, first_start.replace("start:", "start: 1 #"), 1))
    with pytest.raises(DevSetError, match=r"texts\[0\]\.statements\[0\].*is '"):
        load_devset(broken)


def test_an_unknown_speaker_id_is_refused(tmp_path: Path) -> None:
    source = DEFAULT_PATH.read_text(encoding="utf-8")
    broken = tmp_path / "devset.yaml"
    broken.write_text(source.replace("speaker: paul-durand", "speaker: paul-durant", 1))
    with pytest.raises(DevSetError, match="unknown entity id 'paul-durant'"):
        load_devset(broken)


def test_the_pipeline_meets_the_development_set_targets() -> None:
    results = score_devset()
    assert not missed(results, DEVSET_TARGETS), format_table("development set", results, DEVSET_TARGETS)
