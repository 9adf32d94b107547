"""The `json` format: corslint's own machine-readable report (version, findings, summary), indented by 2."""

from __future__ import annotations

import json
from typing import Any, Optional

from corslint.findings import Finding, Severity
from corslint.reporters.common import RunInfo, distinct_fingerprints, severity_counts


def _known(value: int) -> Optional[int]:
    """Lines and columns are 1-based; 0 (unknown) becomes null."""
    return value if value > 0 else None


def finding_dict(finding: Finding, fingerprint: Optional[str] = None) -> dict[str, Any]:
    loc = finding.location
    return {
        "rule": finding.code,
        "name": finding.name,
        "severity": finding.severity.value,
        "confidence": finding.confidence.value,
        "message": finding.message,
        "path": loc.path,
        "line": _known(loc.line),
        "column": _known(loc.column),
        "end_line": _known(loc.end_line),
        "end_column": _known(loc.end_column),
        "source": finding.source,
        "context": finding.context,
        "hint": finding.hint,
        "related": [
            {
                "path": r.location.path,
                "line": _known(r.location.line),
                "column": _known(r.location.column),
                "note": r.note,
            }
            for r in finding.related
        ],
        "fingerprint": fingerprint or finding.fingerprint(),
    }


def render(findings: list[Finding], run: RunInfo) -> str:
    counts = severity_counts(findings)
    report = {
        "version": run.version,
        "findings": [finding_dict(f, fp) for f, fp in zip(findings, distinct_fingerprints(findings))],
        "summary": {
            "errors": counts[Severity.ERROR],
            "warnings": counts[Severity.WARNING],
            "infos": counts[Severity.INFO],
            "files": run.files_scanned,
            "policies": run.policies_found,
        },
    }
    return json.dumps(report, indent=2, ensure_ascii=False)
