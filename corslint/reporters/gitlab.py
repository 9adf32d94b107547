"""The `gitlab` format: a GitLab Code Quality (Code Climate subset) JSON array, fingerprints unique per report."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from corslint.findings import Finding, Severity
from corslint.reporters.common import RunInfo, one_line


SEVERITY = {Severity.ERROR: "critical", Severity.WARNING: "major", Severity.INFO: "info"}


def _digest(text: str) -> str:
    return hashlib.md5(text.encode("utf-8", "surrogateescape"), usedforsecurity=False).hexdigest()


def unique_fingerprints(findings: list[Finding]) -> list[str]:
    """md5 of the line-independent finding fingerprint; a repeat is salted with a counter until unique."""
    seen: set[str] = set()
    result: list[str] = []
    for finding in findings:
        base = finding.fingerprint()
        candidate, salt = _digest(base), 0
        while candidate in seen:
            salt += 1
            candidate = _digest(f"{base}:{salt}")
        seen.add(candidate)
        result.append(candidate)
    return result


def issue(finding: Finding, fingerprint: str) -> dict[str, Any]:
    return {
        "description": f"{finding.code} {finding.name}: {one_line(finding.message)}",
        "check_name": finding.code,
        "fingerprint": fingerprint,
        "severity": SEVERITY[finding.severity],
        "location": {
            "path": finding.location.path,
            "lines": {"begin": max(finding.location.line, 1)},
        },
    }


def render(findings: list[Finding], run: RunInfo) -> str:
    issues = [issue(f, fp) for f, fp in zip(findings, unique_fingerprints(findings))]
    return json.dumps(issues, indent=2, ensure_ascii=False)
