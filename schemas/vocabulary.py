"""Closed vocabularies of the data model (PRODUCT.md §2)."""

ENTITY_TYPES = (
    "person",
    "organization",
    "country",
    "place",
    "weapon_system",
    "agreement",
    "military_exercise",
    "program",
    "other",
)
EVENT_TYPES = (
    "meeting",
    "agreement_signing",
    "deployment",
    "military_exercise",
    "missile_strike",
    "announcement",
    "sanctions",
    "summit",
    "other",
)
STATEMENT_KINDS = ("direct", "reported")
PRECISIONS = ("day", "month", "year")
STATUSES = ("verified", "proposed")
TIMELINE_INTERVALS = ("day", "week", "month", "year")
