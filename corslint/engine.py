"""Runs the pipeline: discovery, sources, checks, per-file ignores, suppressions, severity overrides, sorting."""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Optional, Sequence

from corslint.config import Config, ignored_for_file, is_excluded
from corslint.discovery import Discovered, discover, is_development_path
from corslint.findings import Finding
from corslint.model import CorsPolicy, Extraction, Location, ParseProblem
from corslint.registry import Registry
from corslint.rule import Rule, RuleContext
from corslint.selection import code_for, enabled_codes, resolve
from corslint.sources.base import SourceFile, Workspace
from corslint.suppress import apply_suppressions

PARSE_ERROR = "CORS001"


class UnknownKind(Exception):
    """Standard input was given a name no source claims (a usage error)."""


@dataclass
class LintResult:
    findings: list[Finding]
    policies: list[CorsPolicy]
    enabled_rules: list[type[Rule]]
    files_scanned: int = 0
    files_analysed: set[str] = field(default_factory=set)
    skipped: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class StdinInput:
    filename: str
    data: bytes


def enabled_rules(registry: Registry, config: Config) -> list[type[Rule]]:
    auto = {"CORS901"} if config.trusted_origins else set()
    codes = enabled_codes(
        registry.rules,
        select=config.select,
        extend_select=config.extend_select,
        ignore=config.ignore,
        auto_enabled=auto,
    )
    return [rule for rule in registry.rules if rule.code in codes]


def _rule_context(rule: type[Rule], config: Config, registry: Registry) -> RuleContext:
    options = {name: option.default for name, option in rule.options.items()}
    for key, values in config.rule_options.items():
        if code_for(key, registry.rules) == rule.code:
            options.update(values)
    return RuleContext(trusted_origins=config.trusted_origins, public_paths=config.public_paths, options=options)


def _extract(registry: Registry, discovered: Discovered, workspace: Workspace) -> Extraction:
    extraction = Extraction(problems=list(discovered.problems), skipped=dict(discovered.skipped))
    for name in sorted(discovered.by_source):
        source = registry.source(name)
        files = discovered.by_source[name]
        if source is None:
            continue
        try:
            extraction.merge(source.extract(files, workspace))
        except Exception as exc:  # a source bug must not hide the rest of the tree
            detail = traceback.format_exception_only(type(exc), exc)[-1].strip()
            for source_file in files:
                extraction.problems.append(
                    ParseProblem(Location(source_file.path, 1, 1), f"internal error in the {name} source: {detail}", name)
                )
    return extraction


def _run_checks(policies: Sequence[CorsPolicy], rules: Sequence[type[Rule]], config: Config, registry: Registry) -> list[Finding]:
    findings: list[Finding] = []
    for rule_cls in rules:
        if not rule_cls.policy_rule:
            continue
        rule = rule_cls()
        ctx = _rule_context(rule_cls, config, registry)
        for policy in policies:
            if not rule.applies_to(policy.source):
                continue
            try:
                findings.extend(rule.check(policy, ctx))
            except Exception as exc:
                detail = traceback.format_exception_only(type(exc), exc)[-1].strip()
                findings.append(
                    Finding(
                        code=PARSE_ERROR,
                        name="parse-error",
                        severity=registry.rule(PARSE_ERROR).severity,  # type: ignore[union-attr]
                        message=f"internal error in rule {rule.code} ({rule.name}) on this scope: {detail}; please report it",
                        location=policy.location,
                        source=policy.source,
                        context=policy.scope,
                    )
                )
    return findings


def _dedupe(findings: Sequence[Finding]) -> list[Finding]:
    """One finding per rule and place: scopes that share a value (inherited headers, a snippet
    included twice) would otherwise report it once each, sometimes with scope-specific wording."""
    seen: set[tuple] = set()
    unique = []
    for finding in findings:
        key = (finding.code, finding.location)
        if key not in seen:
            seen.add(key)
            unique.append(finding)
    return unique


def _apply_per_file_ignores(findings: Sequence[Finding], config: Config, registry: Registry) -> list[Finding]:
    if not config.per_file_ignores:
        return list(findings)
    cache: dict[str, set[str]] = {}
    kept = []
    for finding in findings:
        path = finding.location.path
        if path not in cache:
            cache[path] = {code for selector in ignored_for_file(path, config) for code in resolve(selector, registry.rules)}
        if finding.code not in cache[path]:
            kept.append(finding)
    return kept


def _apply_severity(findings: Sequence[Finding], config: Config, registry: Registry) -> list[Finding]:
    if not config.severity:
        return list(findings)
    overrides = {}
    for selector, severity in config.severity.items():
        for code in resolve(selector, registry.rules):
            overrides[code] = severity
    return [f.with_severity(overrides[f.code]) if f.code in overrides else f for f in findings]


def lint(
    paths: Sequence[Path],
    config: Config,
    registry: Registry,
    *,
    stdin: Optional[StdinInput] = None,
    inline_suppressions: bool = True,
    force_exclude: bool = False,
    progress: Optional[Callable[[int, int], None]] = None,
) -> LintResult:
    """Lint files under `paths` (or one standard-input file) and return sorted findings and the policies seen."""
    cwd = Path.cwd()
    rules = enabled_rules(registry, config)
    enabled = {rule.code for rule in rules}
    if stdin is not None:
        workspace = Workspace([cwd], max_bytes=config.max_file_size, display_base=cwd)
        discovered = _discover_stdin(stdin, registry, workspace)
    else:
        roots = [p if p.is_dir() else p.parent for p in paths]
        workspace = Workspace(roots, max_bytes=config.max_file_size, display_base=cwd)
        discovered = discover(
            paths,
            registry.sources,
            workspace,
            excluded=lambda display: is_excluded(display, config),
            force_exclude=force_exclude,
        )
    if progress is not None:
        claimed = sum(len(files) for files in discovered.by_source.values())
        progress(claimed, discovered.scanned)
    extraction = _extract(registry, discovered, workspace)
    policies = [
        replace(p, development=True) if not p.development and is_development_path(p.location.path) else p
        for p in extraction.policies
    ]
    policies.sort(key=lambda p: (p.location.path, p.location.line, p.location.column, p.scope))
    findings = _run_checks(policies, rules, config, registry)
    if PARSE_ERROR in enabled:
        parse_rule = registry.rule(PARSE_ERROR)
        findings.extend(parse_rule().from_problem(problem) for problem in extraction.problems)  # type: ignore[attr-defined,union-attr]
    findings = _dedupe(findings)
    if inline_suppressions:
        kept, meta = apply_suppressions(
            findings,
            extraction.comments,
            rules=registry.rules,
            enabled=enabled,
            require_reason=config.require_suppression_reason,
        )
        findings = kept + [m for m in meta if m.code in enabled]
    findings = _apply_per_file_ignores(findings, config, registry)
    findings = _apply_severity(findings, config, registry)
    findings.sort(key=lambda f: f.sort_key)
    return LintResult(
        findings=findings,
        policies=policies,
        enabled_rules=rules,
        files_scanned=discovered.scanned,
        files_analysed=extraction.files,
        skipped=extraction.skipped,
    )


def _discover_stdin(stdin: StdinInput, registry: Registry, workspace: Workspace) -> Discovered:
    discovered = Discovered(scanned=1)
    head = stdin.data[:4096]
    for source in registry.sources:
        if source.may_claim(stdin.filename) and source.claims(stdin.filename, head):
            source_file = SourceFile.from_bytes(stdin.filename, stdin.data)
            workspace.register(source_file)
            discovered.by_source[source.name] = [source_file]
            return discovered
    raise UnknownKind(
        f"cannot tell what kind of configuration {stdin.filename!r} is; "
        "give --stdin-filename a name such as nginx.conf"
    )
