"""Date expressions in French text, resolved against the publication date.

Absolute expressions ("25 mai", "le 1er juillet 2023", "en mars", "2025") and relative ones
("jeudi", "ce mercredi 23 octobre", "l'année dernière", "plus tôt cette année", "il y a
25 ans"). Rules, each written into the proposal's note:

* a day and month without a year take the year that puts them closest to publication;
* a bare weekday is the most recent such day on or before publication ("dernier": strictly
  before; "prochain": strictly after);
* a weekday next to a day of the month that falls on another weekday is kept as written
  (the day of the month wins) and flagged in the note with a lower confidence;
* when the publication date is only known to the month or year, relative expressions are
  resolved against its last day and the note says so.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from api.extract.lexicon import MONTHS, WEEKDAYS, folded
from api.extract.proposals import DateProposal
from api.fuzzy_dates import FuzzyDate

_WD = "|".join(WEEKDAYS)
_MO = "|".join(MONTHS)
_YEAR = r"(?:1[89]|20)\d\d"
_NUMBERS = {
    "un": 1,
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "cinq": 5,
    "six": 6,
    "sept": 7,
    "huit": 8,
    "neuf": 9,
    "dix": 10,
}
_WEEKDAY_NAMES = list(WEEKDAYS)

_DAY_MONTH = re.compile(
    rf"\b(?:(?P<det>ce|le|du|au)\s+)?(?:(?P<wd>{_WD})\s+)?(?P<day>[0-3]?\d)(?:er)?\s+(?P<mo>{_MO})"
    rf"(?:\s+(?P<yr>{_YEAR}))?\b"
)
_MONTH = re.compile(
    rf"\b(?P<mod>en|debut|fin|mi-|courant|depuis|mois de|(?:a )?la fin(?: de)?)\s*(?P<mo>{_MO})"
    rf"(?:\s+(?P<yr>{_YEAR}))?\b|\b(?P<mo2>{_MO})\s+(?P<yr2>{_YEAR})\b"
)
_WEEKDAY = re.compile(rf"\b(?:(?P<det>ce|cette|le)\s+)?(?P<wd>{_WD})(?:\s+(?P<rel>dernier|prochain))?\b")
_YEAR_ALONE = re.compile(rf"(?<!\w)(?:en\s+)?(?P<yr>{_YEAR})(?!\w)")
_RELATIVE_DAY = re.compile(r"\b(?P<word>aujourd'hui|avant-hier|apres-demain|hier|demain)\b")
_RELATIVE_YEAR = re.compile(
    r"\b(?:(?P<mod>plus tot|plus tard|au debut de|debut|a la fin de|fin de|depuis le debut de|depuis la fin de)\s+)?"
    r"(?P<what>l'annee derniere|l'annee passee|l'an dernier|l'an passe|l'annee prochaine|l'an prochain|"
    r"cette annee|le mois dernier|le mois prochain|ce mois-ci)\b"
)
_AGO = re.compile(rf"\bil y a (?P<n>\d+|{'|'.join(_NUMBERS)}) (?P<unit>ans?|annees?|mois|jours?)\b")


def _closest_year(month: int, day: int, anchor: date) -> date | None:
    candidates = []
    for year in (anchor.year - 1, anchor.year, anchor.year + 1):
        try:
            candidates.append(date(year, month, day))
        except ValueError:
            continue
    return min(candidates, key=lambda d: abs((d - anchor).days), default=None)


def _closest_month_year(month: int, anchor: date) -> int:
    options = [(anchor.year - 1, month), (anchor.year, month), (anchor.year + 1, month)]
    return min(options, key=lambda ym: abs((ym[0] * 12 + ym[1]) - (anchor.year * 12 + anchor.month)))[0]


class _Resolver:
    def __init__(self, published: date | None, precision: str) -> None:
        self.published = published
        self.precision = precision
        self.anchor: date | None = None
        if published is not None:
            if precision == "day":
                self.anchor = published
            elif precision == "month":
                nxt = date(published.year + published.month // 12, published.month % 12 + 1, 1)
                self.anchor = nxt - timedelta(days=1)
            else:
                self.anchor = date(published.year, 12, 31)
        self.hedge = (
            ""
            if precision == "day" or published is None
            else f"; publication known only to the {precision}, its last day used"
        )
        self.penalty = 0.0 if precision == "day" else 0.2

    def day_month(self, m: re.Match[str]) -> tuple[FuzzyDate | None, float]:
        day, month = int(m["day"]), MONTHS[m["mo"]]
        weekday = m["wd"]
        if m["yr"]:
            try:
                value = date(int(m["yr"]), month, day)
            except ValueError:
                return None, 0.2
            note, confidence = "absolute date", 0.95
        elif self.anchor is None:
            return None, 0.3
        else:
            found = _closest_year(month, day, self.anchor)
            if found is None:
                return None, 0.2
            value = found
            note = f"year {value.year} inferred: the closest to publication ({self.anchor}{self.hedge})"
            confidence = 0.85 - self.penalty / 2
        if weekday:
            actual = _WEEKDAY_NAMES[value.weekday()]
            if actual != weekday:
                note += f"; WEEKDAY MISMATCH: the text says {weekday} but {value} is a {actual}"
                confidence = 0.45
            else:
                note += f"; {weekday} agrees with the date"
        return FuzzyDate(value.isoformat(), "day", note), confidence

    def weekday(self, m: re.Match[str]) -> tuple[FuzzyDate | None, float]:
        if self.anchor is None:
            return None, 0.3
        target = WEEKDAYS[m["wd"]]
        back = (self.anchor.weekday() - target) % 7
        rel = m["rel"]
        if rel == "prochain":
            value = self.anchor + timedelta(days=(target - self.anchor.weekday()) % 7 or 7)
            how = "after"
        else:
            if rel == "dernier" and back == 0:
                back = 7
            value = self.anchor - timedelta(days=back)
            how = "before" if rel == "dernier" else "on or before"
        note = f"'{m.group(0)}': the {m['wd']} {how} publication ({self.anchor}){self.hedge}"
        return FuzzyDate(value.isoformat(), "day", note), 0.75 - self.penalty

    def month(self, m: re.Match[str]) -> tuple[FuzzyDate | None, float]:
        month = MONTHS[m["mo"] or m["mo2"]]
        year_text = m["yr"] or m["yr2"]
        modifier = (m["mod"] or "").strip()
        part = next((p for p in ("debut", "mi-", "fin") if p in modifier), None)
        suffix = f" ({part} of the month)" if part else ""
        if year_text:
            return FuzzyDate(f"{int(year_text):04d}-{month:02d}", "month", "absolute month" + suffix), 0.9
        if self.anchor is None:
            return None, 0.3
        year = _closest_month_year(month, self.anchor)
        note = f"year {year} inferred: the closest to publication ({self.anchor}){suffix}"
        return FuzzyDate(f"{year:04d}-{month:02d}", "month", note), 0.8

    def relative_day(self, m: re.Match[str]) -> tuple[FuzzyDate | None, float]:
        if self.anchor is None:
            return None, 0.3
        shift = {"aujourd'hui": 0, "hier": -1, "avant-hier": -2, "demain": 1, "apres-demain": 2}[m["word"]]
        value = self.anchor + timedelta(days=shift)
        note = f"'{m.group(0)}' relative to publication ({self.anchor}){self.hedge}"
        return FuzzyDate(value.isoformat(), "day", note), 0.7 - self.penalty

    def relative_period(self, m: re.Match[str]) -> tuple[FuzzyDate | None, float]:
        if self.anchor is None:
            return None, 0.3
        what = m["what"]
        note = f"'{m.group(0)}' relative to publication ({self.published})"
        if "mois" in what:
            shift = {"le mois dernier": -1, "le mois prochain": 1}.get(what, 0)
            index = self.anchor.year * 12 + self.anchor.month - 1 + shift
            return FuzzyDate(f"{index // 12:04d}-{index % 12 + 1:02d}", "month", note), 0.7
        shift = -1 if ("dernier" in what or "passe" in what) else (1 if "prochain" in what else 0)
        return FuzzyDate(f"{self.anchor.year + shift:04d}", "year", note), 0.75

    def ago(self, m: re.Match[str]) -> tuple[FuzzyDate | None, float]:
        if self.anchor is None:
            return None, 0.3
        n = int(m["n"]) if m["n"].isdigit() else _NUMBERS[m["n"]]
        note = f"'{m.group(0)}' counted back from publication ({self.published})"
        if m["unit"].startswith("an"):
            return FuzzyDate(f"{self.anchor.year - n:04d}", "year", note), 0.7
        if m["unit"] == "mois":
            index = self.anchor.year * 12 + self.anchor.month - 1 - n
            return FuzzyDate(f"{index // 12:04d}-{index % 12 + 1:02d}", "month", note), 0.6
        return FuzzyDate((self.anchor - timedelta(days=n)).isoformat(), "day", note), 0.6

    def year(self, m: re.Match[str], text: str) -> tuple[FuzzyDate | None, float] | None:
        start = m.start("yr")
        # "Zapad-2025" names something; a year glued to a word by a hyphen is not a date.
        if start >= 2 and text[start - 1] == "-" and text[start - 2].isalpha():
            return None
        return FuzzyDate(m["yr"], "year", "year written in the text"), 0.8


def find_dates(
    body: str, *, published: date | None, published_precision: str = "day"
) -> tuple[DateProposal, ...]:
    """Every date expression in ``body``, longest first, none overlapping another."""
    text = folded(body)
    resolver = _Resolver(published, published_precision)
    taken: list[tuple[int, int]] = []
    found: list[DateProposal] = []

    def add(
        start: int, end: int, resolved: tuple[FuzzyDate | None, float] | None, relative: bool = False
    ) -> None:
        if resolved is None or any(s < end and start < e for s, e in taken):
            return
        taken.append((start, end))
        value, confidence = resolved
        found.append(DateProposal(start, end, body[start:end], value, round(confidence, 2), relative))

    for m in _DAY_MONTH.finditer(text):
        add(m.start(), m.end(), resolver.day_month(m), relative=bool(m["wd"] or m["det"] == "ce"))
    for m in _AGO.finditer(text):
        add(m.start(), m.end(), resolver.ago(m), relative=True)
    for m in _RELATIVE_YEAR.finditer(text):
        add(m.start(), m.end(), resolver.relative_period(m), relative=True)
    for m in _MONTH.finditer(text):
        add(m.start(), m.end(), resolver.month(m))
    for m in _WEEKDAY.finditer(text):
        add(m.start(), m.end(), resolver.weekday(m), relative=True)
    for m in _RELATIVE_DAY.finditer(text):
        add(m.start(), m.end(), resolver.relative_day(m), relative=True)
    for m in _YEAR_ALONE.finditer(text):
        add(m.start(), m.end(), resolver.year(m, text))
    return tuple(sorted(found, key=lambda d: d.start))
