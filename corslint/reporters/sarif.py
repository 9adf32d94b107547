"""The `sarif` format: SARIF 2.1.0 as GitHub code scanning expects it, with every enabled rule described."""

from __future__ import annotations

import json
from pathlib import PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING, Any, Optional
from urllib.parse import quote

from corslint.catalogue import parse_page
from corslint.findings import Confidence, Finding, Severity
from corslint.lazy_regex import lazy
from corslint.model import Location
from corslint.reporters.common import RunInfo, distinct_fingerprints, is_stdin_path

if TYPE_CHECKING:
    from corslint.rule import Rule

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "corslint/v1"
WHY_SECTION = "Why this is a problem"
MAX_DESCRIPTION = 1024
LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
DERIVED_SECURITY_SEVERITY = {Severity.ERROR: 7.5, Severity.WARNING: 5.0, Severity.INFO: 2.0}
PRECISION = {Confidence.HIGH: "high", Confidence.MEDIUM: "medium", Confidence.LOW: "low"}
_WINDOWS_DRIVE = lazy(r"^[A-Za-z]:[\\/]")


def render(findings: list[Finding], run: RunInfo) -> str:
    rules, index = rule_descriptors(findings, run)
    sarif_run: dict[str, Any] = {
        "tool": {"driver": {"name": "corslint", "version": run.version, "rules": rules}},
        "columnKind": "unicodeCodePoints",
    }
    if run.base_uri:
        base = run.base_uri if run.base_uri.endswith("/") else run.base_uri + "/"
        sarif_run["originalUriBaseIds"] = {SRCROOT: {"uri": base}}
    sarif_run["results"] = [
        result(f, index[f.code], run.base_uri, fp) for f, fp in zip(findings, distinct_fingerprints(findings))
    ]
    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [sarif_run]}
    return json.dumps(log, indent=2, ensure_ascii=False)


def rule_descriptors(findings: list[Finding], run: RunInfo) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Every enabled rule, then any rule a finding names that is not among them; returns them and code -> index."""
    worst = worst_severities(findings)
    descriptors: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    for rule in run.rules:
        if rule.code not in index:
            index[rule.code] = len(descriptors)
            descriptors.append(rule_descriptor(rule, run, worst.get(rule.code)))
    for finding in findings:
        if finding.code not in index:
            index[finding.code] = len(descriptors)
            descriptors.append(fallback_descriptor(finding, worst[finding.code]))
    return descriptors, index


def worst_severities(findings: list[Finding]) -> dict[str, Severity]:
    worst: dict[str, Severity] = {}
    for finding in findings:
        current = worst.get(finding.code)
        if current is None or finding.severity.rank > current.rank:
            worst[finding.code] = finding.severity
    return worst


def rule_descriptor(rule: type[Rule], run: RunInfo, worst_seen: Optional[Severity]) -> dict[str, Any]:
    """The rule's level follows the worst severity reported for it (overrides can raise it), else its default."""
    severity = worst_seen or rule.severity
    page = run.catalogue(rule.code)
    why = parse_page(page).first_paragraph(WHY_SECTION) if page else ""
    help_block = {"text": page, "markdown": page} if page else {"text": rule.summary}
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": limit(rule.summary)},
        "fullDescription": {"text": limit(why or rule.summary)},
        "help": help_block,
        "defaultConfiguration": {"level": LEVEL[severity]},
        "properties": {
            "tags": unique(rule.tags),
            "precision": PRECISION[rule.confidence],
            "security-severity": security_severity(rule.security_severity, severity),
        },
    }


def fallback_descriptor(finding: Finding, severity: Severity) -> dict[str, Any]:
    """For a finding whose rule is not in RunInfo.rules, so `ruleIndex` always points at a descriptor."""
    text = f"{finding.code} {finding.name}"
    return {
        "id": finding.code,
        "name": finding.name,
        "shortDescription": {"text": text},
        "fullDescription": {"text": text},
        "help": {"text": f"Run `corslint explain {finding.code}` for details."},
        "defaultConfiguration": {"level": LEVEL[severity]},
        "properties": {
            "tags": ["security"],
            "precision": PRECISION[finding.confidence],
            "security-severity": security_severity(None, severity),
        },
    }


def security_severity(value: Optional[float], severity: Severity) -> str:
    score = DERIVED_SECURITY_SEVERITY[severity] if value is None else min(max(float(value), 0.1), 10.0)
    return f"{score:.1f}"


def limit(text: str, size: int = MAX_DESCRIPTION) -> str:
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"


def unique(items: tuple[str, ...] | list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def result(finding: Finding, rule_index: int, base_uri: Optional[str], fingerprint: Optional[str] = None) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": rule_index,
        "level": LEVEL[finding.severity],
        "message": {"text": finding.message},
    }
    primary = physical_location(finding.location, base_uri)
    if primary is not None:
        entry["locations"] = [{"physicalLocation": primary}]
    related = related_locations(finding, base_uri)
    if related:
        entry["relatedLocations"] = related
    entry["partialFingerprints"] = {FINGERPRINT_KEY: fingerprint or finding.fingerprint()}
    return entry


def related_locations(finding: Finding, base_uri: Optional[str]) -> list[dict[str, Any]]:
    locations: list[dict[str, Any]] = []
    for related in finding.related:
        physical = physical_location(related.location, base_uri)
        if physical is not None:
            locations.append({"id": len(locations) + 1, "physicalLocation": physical, "message": {"text": related.note}})
    return locations


def physical_location(loc: Location, base_uri: Optional[str]) -> Optional[dict[str, Any]]:
    """None when the path names no file (empty, or a bare stdin marker): SARIF needs an artifact to point at."""
    artifact = artifact_location(loc.path, base_uri)
    if artifact is None:
        return None
    physical: dict[str, Any] = {"artifactLocation": artifact}
    area = region(loc)
    if area:
        physical["region"] = area
    return physical


def artifact_location(path: str, base_uri: Optional[str]) -> Optional[dict[str, str]]:
    """A repo-relative, percent-encoded POSIX URI against %SRCROOT%; absolute paths outside the base become file: URIs."""
    if not path or is_stdin_path(path):
        return None
    if _WINDOWS_DRIVE.match(path) or path.startswith("/"):
        absolute = (PureWindowsPath(path) if _WINDOWS_DRIVE.match(path) else PurePosixPath(path)).as_uri()
        base = (base_uri or "").rstrip("/") + "/"
        if base_uri and absolute.startswith(base):
            return {"uri": absolute[len(base):], "uriBaseId": SRCROOT}
        return {"uri": absolute}
    posix = path.replace("\\", "/")
    while posix.startswith("./"):
        posix = posix[2:]
    return {"uri": quote(posix, safe="/"), "uriBaseId": SRCROOT}


def region(loc: Location) -> dict[str, int]:
    """startLine always (when known); columns only when known; the end only when it is not before the start."""
    if loc.line <= 0:
        return {}
    area = {"startLine": loc.line}
    if loc.column > 0:
        area["startColumn"] = loc.column
    if loc.end_line >= loc.line:
        area["endLine"] = loc.end_line
    end_line = loc.end_line or loc.line
    if loc.column > 0 and loc.end_column > 0 and (end_line > loc.line or loc.end_column >= loc.column):
        area["endColumn"] = loc.end_column
    return area
