"""Findings, severities and confidences: what a check reports and how reporters see it."""

from __future__ import annotations

from enum import Enum

from corslint.model import Location, Related
from corslint.records import field, record, replace


class Severity(str, Enum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]

    @classmethod
    def parse(cls, text: str) -> "Severity":
        try:
            return cls(text.strip().lower())
        except ValueError:
            raise ValueError(f"unknown severity {text!r} (expected error, warning or info)") from None


_SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


class Confidence(str, Enum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        return _CONFIDENCE_RANK[self]


_CONFIDENCE_RANK = {Confidence.LOW: 0, Confidence.MEDIUM: 1, Confidence.HIGH: 2}


@record(frozen=True)
class Finding:
    """One problem at one place. `context` is the scope path; `related` are other places that explain it."""

    code: str
    name: str
    severity: Severity
    message: str
    location: Location
    source: str
    context: str = ""
    confidence: Confidence = Confidence.HIGH
    hint: str = ""
    related: tuple[Related, ...] = ()
    raw: str = ""  # the offending text, used for the fingerprint
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def sort_key(self) -> tuple:
        loc = self.location
        return (loc.path, loc.line, loc.column, self.code, self.message)

    def fingerprint(self, occurrence: int = 0) -> str:
        """Stable across line shifts: rule, file, scope and offending text, never the line number; `occurrence`
        tells apart identical findings of one file (the second identical server block is occurrence 1)."""
        import hashlib

        text = "\x1f".join((self.code, self.location.path, self.context, self.raw or self.message))
        if occurrence:
            text += f"\x1f{occurrence}"
        return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:32]

    def with_severity(self, severity: Severity) -> "Finding":
        return replace(self, severity=severity)
