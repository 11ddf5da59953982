"""Text folding shared by name matching and consistency checks."""

from __future__ import annotations

import re
import unicodedata

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u00b4": "'", "`": "'"})
_DASHES = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-"})
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Accent-, case-, apostrophe- and whitespace-insensitive form of ``text``."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES).translate(_DASHES))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", stripped).strip().casefold()


def fold_apostrophes(text: str) -> str:
    """Every apostrophe variant as ``'``, nothing else changed."""
    return text.translate(_APOSTROPHES)


def _fold_char(char: str) -> str:
    return unicodedata.normalize("NFD", char.translate(_APOSTROPHES))[0]


def fold_marks(text: str) -> str:
    """Accents and apostrophe variants folded, case kept, one character for one.

    The result has the length of ``text``, so an offset found in it is an offset in ``text``.
    """
    return "".join(_fold_char(c) for c in text)
