"""One fault, one finding: where a finding is the consequence of another at the same places (an nginx `if` that
drops the inherited Allow-Origin also leaves the preflight answer without it), only the cause is reported, with the
consequence as a related note."""

from __future__ import annotations


from corslint.findings import Finding
from corslint.model import Related
from corslint.records import replace

# (cause, consequence, how the consequence reads as a note on the cause)
CONSEQUENCES = (
    ("CORS403", "CORS202", "so the OPTIONS preflight answer here lacks them too (CORS202, reported with this finding)"),
)


def merge_consequences(findings: list[Finding]) -> list[Finding]:
    """Drop each consequence whose cause, in the same file, points at exactly the same related places."""
    by_key: dict[tuple[str, str, frozenset], int] = {}
    for index, finding in enumerate(findings):
        places = _places(finding)
        if places:
            by_key.setdefault((finding.code, finding.location.path, places), index)
    merged = list(findings)
    dropped: set[int] = set()
    for cause_code, consequence_code, note in CONSEQUENCES:
        for index, finding in enumerate(findings):
            if finding.code != consequence_code:
                continue
            cause = by_key.get((cause_code, finding.location.path, _places(finding)))
            if cause is None:
                continue
            dropped.add(index)
            related = merged[cause].related + (Related(finding.location, note),)
            merged[cause] = replace(merged[cause], related=related)
    return [finding for index, finding in enumerate(merged) if index not in dropped]


def _places(finding: Finding) -> frozenset:
    return frozenset((r.location.path, r.location.line, r.location.column) for r in finding.related)
