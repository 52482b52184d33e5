"""The facts a breach is assessed on, read from JSON and checked, in plain words when wrong."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from .vocabulary import (
    BREACH_TYPES,
    CONSEQUENCES,
    DATA_CATEGORIES,
    DATA_EXTENTS,
    DATA_SUBJECTS,
    DOCUMENT_KINDS,
    EXFILTRATION,
    HARMS,
    RECIPIENTS,
    RELIABILITY,
    SERVICE_EFFECTS,
    VOLUMES,
)


class FactsError(ValueError):
    """The facts cannot be assessed; the message says which field and why, in plain words."""


# Field name -> vocabulary, by the shape of the value.
LISTS = {
    "data_categories": DATA_CATEGORIES,
    "data_subjects": DATA_SUBJECTS,
    "breach_types": BREACH_TYPES,
    "consequences": CONSEQUENCES,
    "harm_materialised": HARMS,
    "document_kinds": DOCUMENT_KINDS,
}
# None (or "") means "not said"; recipient, reliability, extent, effect and volume may be left out.
ONE_OF = {
    "recipient": RECIPIENTS,
    "exfiltration": EXFILTRATION,
    "data_extent": DATA_EXTENTS,
    "recipient_reliability": RELIABILITY,
    "service_effect": SERVICE_EFFECTS,
    "volume_per_person": VOLUMES,
}
BOOLEANS = (
    "children_involved",
    "encrypted_key_safe",
    "hashed_strong",
    "pseudonymised",
    "recovered_or_deleted",
    "malicious",
    "contained",
    "profiling",
    "publicly_available",
    "later_measures_remove_high_risk",
    "contact_disproportionate",
)
NUMBERS = ("people_count", "records_count", "restoration_hours", "unavailable_hours")
TEXTS = ("consequences_notes", "harm_notes", "later_measures_notes")


@dataclass(frozen=True)
class Facts:
    """What the risk turns on. Every field has a default; a fact not given assesses as it did before it existed.

    A number left out is "not known", never the worst case: the result says where it rests on one.
    """

    data_categories: frozenset[str] = frozenset()
    data_subjects: frozenset[str] = frozenset()
    children_involved: bool = False
    people_count: int | None = None
    records_count: int | None = None
    breach_types: frozenset[str] = frozenset({"confidentiality"})
    recipient: str | None = None
    encrypted_key_safe: bool = False
    recovered_or_deleted: bool = False
    exfiltration: str = "none"
    backup_available: bool | None = None
    restoration_hours: float | None = None
    malicious: bool = False
    contained: bool = False
    consequences: frozenset[str] = frozenset()
    consequences_notes: str = ""
    # Art. 34(3) exemptions that only people can judge; the engine records and applies them.
    later_measures_remove_high_risk: bool = False
    later_measures_notes: str = ""
    contact_disproportionate: bool = False
    # Issue 19: facts the guidance turns on that the engine could not see before.
    harm_materialised: frozenset[str] = frozenset()
    harm_notes: str = ""
    data_extent: str | None = None
    document_kinds: frozenset[str] = frozenset()
    recipient_reliability: str | None = None
    unavailable_hours: float | None = None
    service_effect: str | None = None
    hashed_strong: bool = False
    pseudonymised: bool = False
    profiling: bool = False
    publicly_available: bool = False
    volume_per_person: str | None = None

    @classmethod
    def fields(cls) -> tuple[str, ...]:
        return tuple(cls.__dataclass_fields__)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Facts:
        """Facts from JSON-like data (the command's file, a stored assessment), checked."""
        if not isinstance(data, Mapping):
            raise FactsError("The facts must be a JSON object.")
        unknown = sorted(set(data) - set(cls.fields()))
        if unknown:
            raise FactsError(f"Unknown fields: {', '.join(unknown)}.")
        kwargs: dict[str, Any] = {}
        for name, vocabulary in LISTS.items():
            if name in data:
                kwargs[name] = _choices(name, data[name], vocabulary)
        for name, vocabulary in ONE_OF.items():
            value = data.get(name)
            if value in (None, ""):
                if name != "exfiltration":
                    kwargs[name] = None
            elif value not in vocabulary:
                raise FactsError(f"{name} must be one of: {', '.join(vocabulary)} (got {value!r}).")
            else:
                kwargs[name] = value
        for name in BOOLEANS:
            if name in data:
                if not isinstance(data[name], bool):
                    raise FactsError(f"{name} must be true or false.")
                kwargs[name] = data[name]
        if "backup_available" in data:
            if data["backup_available"] is not None and not isinstance(data["backup_available"], bool):
                raise FactsError("backup_available must be true, false or null.")
            kwargs["backup_available"] = data["backup_available"]
        for name in NUMBERS:
            value = data.get(name)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise FactsError(f"{name} must be a number of zero or more, or null.")
            kwargs[name] = int(value) if name.endswith("_count") else value
        for name in TEXTS:
            if name in data:
                if not isinstance(data[name], str):
                    raise FactsError(f"{name} must be text.")
                kwargs[name] = data[name]
        facts = cls(**kwargs)
        if not facts.breach_types:
            raise FactsError("breach_types needs at least one of: confidentiality, integrity, availability.")
        return facts

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, sets as sorted lists: what is stored and what `from_dict` reads back."""
        out = asdict(self)
        for name, value in out.items():
            if isinstance(value, frozenset | set):
                out[name] = sorted(value)
        return out

    @property
    def vulnerable(self) -> bool:
        """Children or vulnerable adults: people the EDPB and the ICO treat as at greater risk."""
        return self.children_involved or "pupils" in self.data_subjects or "vulnerable_adults" in self.data_subjects

    @property
    def out_of_reach_hours(self) -> float | None:
        """How long the data was out of reach: the duration given, or the restore time from a working backup.

        One reading for both wordings, so a DPO who enters the restore time and one who enters
        the outage get the same answer. A restore time without a working backup says nothing of
        when the data came back, so it is not read as the duration (as before).
        """
        if self.unavailable_hours is not None:
            return self.unavailable_hours
        return self.restoration_hours if self.backup_available else None

    @property
    def readable_categories(self) -> frozenset[str]:
        """The categories someone holding the data could read: strongly hashed credentials cannot be."""
        if self.hashed_strong:
            return self.data_categories - {"login_credentials"}
        return self.data_categories


def _choices(name: str, value: Any, vocabulary: Mapping[str, str]) -> frozenset[str]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise FactsError(f"{name} must be a list.")
    values = frozenset(value)
    wrong = sorted(str(v) for v in values - set(vocabulary))
    if wrong:
        raise FactsError(f"{name}: unknown {', '.join(wrong)}; expected some of: {', '.join(vocabulary)}.")
    return values
