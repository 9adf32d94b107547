"""Runs the pipeline: discovery, sources, checks, per-file ignores, suppressions, severity overrides, sorting."""

from __future__ import annotations

import gc
import os
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Callable, NamedTuple, Optional, Sequence

from corslint.config import Config, exclusion_filter, ignored_for_file, kind_filter
from corslint.discovery import Discovered, discover, is_development_path
from corslint.errors import describe
from corslint.findings import Confidence, Finding
from corslint.model import CorsPolicy, Extraction, Location, ParseProblem
from corslint.parallel import can_fork, run_forked
from corslint.records import field, record, replace
from corslint.registry import Registry
from corslint.root_cause import merge_consequences
from corslint.rule import Rule, RuleContext
from corslint.selection import code_for, enabled_codes, resolve
from corslint.workspace import SourceFile, Workspace

if TYPE_CHECKING:
    from corslint.layers.links import Layers

PARSE_ERROR = "CORS001"
UNRESOLVED_INCLUDE = "CORS004"


class UnknownKind(Exception):
    """Standard input was given a name no source claims (a usage error)."""


@record
class LintResult:
    findings: list[Finding]
    policies: list[CorsPolicy]
    enabled_rules: list[type[Rule]]
    files_scanned: int = 0
    files_analysed: set[str] = field(default_factory=set)
    skipped: dict[str, str] = field(default_factory=dict)
    # display path -> the source that claimed the file (analysed or not: most claimed files hold no CORS)
    files_claimed: dict[str, str] = field(default_factory=dict)
    # the request paths across layers, and the upstreams that could not be linked (for `corslint show`)
    layers: Optional[Layers] = None


class StdinInput(NamedTuple):
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


@record
class _SourceResult:
    """One source's extraction (policies already marked as development where their path says so) and, per policy
    (by its index in `extraction.policies`), the findings of each enabled rule (by its index in the rule list)."""

    name: str
    extraction: Extraction
    findings: dict[int, list[tuple[int, list[Finding]]]]


class _Checker:
    """The enabled policy rules, instantiated once per process, each with its context."""

    def __init__(self, rules: Sequence[type[Rule]], config: Config, registry: Registry) -> None:
        self.registry = registry
        self.rules = [
            (index, rule_cls(), _rule_context(rule_cls, config, registry)) for index, rule_cls in enumerate(rules) if rule_cls.policy_rule
        ]

    def check(self, policy: CorsPolicy, layers: Optional[Layers] = None) -> list[tuple[int, list[Finding]]]:
        found = []
        for index, rule, ctx in self.rules:
            if not rule.applies_to(policy.source):
                continue
            if layers is not None:
                ctx = replace(ctx, layers=layers)
            findings: list[Finding] = []
            try:
                findings.extend(rule.check(policy, ctx))
            except Exception as exc:
                findings.append(self._internal_error(rule, policy, exc))
            if findings:
                found.append((index, findings))
        return found

    def _internal_error(self, rule: Rule, policy: CorsPolicy, exc: Exception) -> Finding:
        detail = describe(exc)
        return Finding(
            code=PARSE_ERROR,
            name="parse-error",
            severity=self.registry.rule(PARSE_ERROR).severity,  # type: ignore[union-attr]
            message=f"internal error in rule {rule.code} ({rule.name}) on this scope: {detail}; please report it",
            location=policy.location,
            source=policy.source,
            context=policy.scope,
        )


def _problem_findings(
    problems: list[ParseProblem], policies: list[CorsPolicy], enabled: set[str], registry: Registry
) -> list[Finding]:
    """CORS001 for each problem; CORS004 for the includes not found, in the files that set CORS headers only."""
    findings: list[Finding] = []
    if PARSE_ERROR in enabled:
        parse_rule = registry.rule(PARSE_ERROR)
        findings.extend(parse_rule().from_problem(p) for p in problems if p.code == PARSE_ERROR)  # type: ignore[attr-defined,union-attr]
    unresolved = [p for p in problems if p.code == UNRESOLVED_INCLUDE]
    if unresolved and UNRESOLVED_INCLUDE in enabled:
        with_cors = _files_setting_cors(policies)
        include_rule = registry.rule(UNRESOLVED_INCLUDE)
        findings.extend(include_rule().from_problems(p for p in unresolved if p.location.path in with_cors))  # type: ignore[attr-defined,union-attr]
    return findings


def _files_setting_cors(policies: list[CorsPolicy]) -> set[str]:
    paths = {rule.prov.location.path for policy in policies for rule in policy.origins}
    paths.update(
        e.prov.location.path for policy in policies for e in policy.emissions if e.name.lower().startswith("access-control-")
    )
    return paths


_SERVERS = ("nginx", "apache")


def refused_files(problems: Sequence[ParseProblem]) -> dict[str, int]:
    """The nginx and Apache files the server itself would refuse to load (CORS001), each with the error's line."""
    return {
        p.location.path: p.location.line for p in problems
        if p.code == PARSE_ERROR and p.source in _SERVERS and not p.message.startswith("internal error")
    }


def _read_past_errors(findings: list[Finding], problems: Sequence[ParseProblem]) -> list[Finding]:
    """A server refuses to load a file with a syntax error (CORS001): what corslint read past the error is what the
    file will do once it loads, so those findings say so and are at most of medium confidence."""
    broken = refused_files(problems)
    if not broken:
        return findings
    marked = []
    for finding in findings:
        line = broken.get(finding.location.path)
        if line is None:
            marked.append(finding)
            continue
        note = f" (The server refuses this file as it stands, CORS001 at line {line}; this holds once it loads.)"
        confidence = Confidence.MEDIUM if finding.confidence is Confidence.HIGH else finding.confidence
        marked.append(replace(finding, message=finding.message + note, confidence=confidence))
    return marked


def _extract_one(name: str, registry: Registry, discovered: Discovered, workspace: Workspace) -> Extraction:
    source = registry.source(name)
    files = discovered.by_source[name]
    if source is None:
        return Extraction()
    try:
        return source.extract(files, workspace)
    except Exception as exc:  # a source bug must not hide the rest of the tree
        detail = describe(exc)
        message = f"internal error in the {name} source: {detail}"
        return Extraction(problems=[ParseProblem(Location(f.path, 1, 1), message, name) for f in files])


def _analyse(names: Sequence[str], registry: Registry, discovered: Discovered, workspace: Workspace, checker_args: tuple) -> list[_SourceResult]:
    """Extract and check the files of these sources: the unit of work a worker process does."""
    checker = _Checker(*checker_args)
    results = []
    for name in names:
        extraction = _extract_one(name, registry, discovered, workspace)
        for source_file in discovered.by_source[name]:
            source_file.release()  # a large tree is not held in memory whole
        extraction.policies = [
            replace(p, development=True) if not p.development and is_development_path(p.location.path) else p
            for p in extraction.policies
        ]
        gc.freeze()  # the extraction lives to the end of the run (see `_lint`)
        findings = {index: found for index, policy in enumerate(extraction.policies) if (found := checker.check(policy))}
        results.append(_SourceResult(name, extraction, findings))
    return results


# Seconds per MiB of claimed files, measured with bench/run.py: nginx and Apache files are mostly parsed,
# Python and JavaScript files mostly only probed. Used to share the sources out between processes.
_COST_PER_MIB = {"nginx": 0.36, "apache": 0.56, "python": 0.025, "javascript": 0.023}
_DEFAULT_COST_PER_MIB = 0.1
# below this estimated work, forking and pickling cost more than a second core saves (bench/run.py --jobs-sweep)
AUTO_PARALLEL_SECONDS = 0.005
# its results hold parse trees that are slow to pickle, so the sources grouped with it run in the main process
_KEPT_HOME = "nginx"


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def plan(discovered: Discovered, jobs: Optional[int]) -> list[list[str]]:
    """The sources (sorted names) for each process; one group means no worker. `jobs` None is automatic."""
    names = sorted(name for name, files in discovered.by_source.items() if files)
    cost = {name: discovered.sizes.get(name, 0) / 2**20 * _COST_PER_MIB.get(name, _DEFAULT_COST_PER_MIB) for name in names}
    if jobs is None:
        jobs = cpu_count() if sum(cost.values()) >= AUTO_PARALLEL_SECONDS else 1
    count = max(1, min(jobs, len(names)))
    if count == 1 or not can_fork():
        return [names] if names else []
    groups: list[list[str]] = [[] for _ in range(count)]
    load = [0.0] * count
    for name in sorted(names, key=lambda n: (-cost[n], n)):
        lightest = load.index(min(load))
        groups[lightest].append(name)
        load[lightest] += cost[name]
    groups = [sorted(group) for group in groups if group]
    groups.sort(key=lambda group: (_KEPT_HOME not in group, -sum(cost[n] for n in group)))
    return groups


def _run(groups: list[list[str]], registry: Registry, discovered: Discovered, workspace: Workspace, checker_args: tuple) -> list[_SourceResult]:
    tasks = [partial(_analyse, group, registry, discovered, workspace, checker_args) for group in groups]
    results = [result for part in run_forked(tasks) for result in part]
    return sorted(results, key=lambda result: result.name)


_Keyed = list[tuple[CorsPolicy, Sequence[tuple[int, list[Finding]]]]]


def _combine(discovered: Discovered, results: Sequence[_SourceResult]) -> tuple[Extraction, _Keyed]:
    """Merge per-source results in the order a single process produces them: sources by name, policies sorted
    by place, each with its check findings."""
    extraction = Extraction(problems=list(discovered.problems), skipped=dict(discovered.skipped))
    keyed: _Keyed = []
    for result in results:
        extraction.merge(result.extraction)
        keyed.extend((policy, result.findings.get(index, ())) for index, policy in enumerate(result.extraction.policies))
    keyed.sort(key=lambda item: (item[0].location.path, item[0].location.line, item[0].location.column, item[0].scope))
    extraction.policies = [policy for policy, _ in keyed]
    return extraction, keyed


def project_roots(discovered: Discovered) -> set[str]:
    """Folders holding a project's manifest (package.json, requirements.txt, pyproject.toml, a compose file, a Procfile)."""
    from corslint.sources.deploy.names import PROJECT_MARKS, kind_of

    roots = {f.path.rpartition("/")[0] or "." for f in discovered.by_source.get("python-deps", ())}
    roots.update(f.path.rpartition("/")[0] or "." for f in discovered.by_source.get("deploy", ()) if kind_of(f.path) in PROJECT_MARKS)
    return roots


def _across_layers(discovered: Discovered, extraction: Extraction, keyed: _Keyed, checker_args: tuple) -> tuple[Optional[Layers], _Keyed]:
    """Link proxies to the applications behind them; the policies on a linked path are checked again, knowing it."""
    if not extraction.services and not extraction.listeners:
        return None, keyed
    from corslint.layers.links import link

    refused = refused_files(extraction.problems)
    layers = link(extraction.policies, extraction.services, extraction.listeners, project_roots(discovered), refused)
    if not layers.paths:
        return layers, keyed
    involved = layers.involved()
    checker = _Checker(*checker_args)
    return layers, [(policy, checker.check(policy, layers) if id(policy) in involved else found) for policy, found in keyed]


def _by_rule(keyed: _Keyed, rule_count: int) -> list[Finding]:
    """Check findings rule by rule and, within a rule, policy by policy."""
    by_rule: list[list[Finding]] = [[] for _ in range(rule_count)]
    for _, found in keyed:
        for index, findings in found:
            by_rule[index].extend(findings)
    return [finding for findings in by_rule for finding in findings]


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
    jobs: Optional[int] = None,
) -> LintResult:
    """Lint files under `paths` (or one standard-input file) and return sorted findings and the policies seen.

    `jobs` is the number of processes to share the sources between (None: automatic, one unless the tree is large).
    """
    thresholds = gc.get_threshold()
    # A run allocates millions of objects that live to its end and makes almost no cyclic garbage: the collector's
    # default pace (a young collection every 700 allocations) would spend ~5 % of the run re-examining them.
    gc.set_threshold(100_000, 1_000, 1_000)
    try:
        return _lint(paths, config, registry, stdin=stdin, inline_suppressions=inline_suppressions,
                     force_exclude=force_exclude, progress=progress, jobs=jobs)
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def _lint(
    paths: Sequence[Path],
    config: Config,
    registry: Registry,
    *,
    stdin: Optional[StdinInput],
    inline_suppressions: bool,
    force_exclude: bool,
    progress: Optional[Callable[[int, int], None]],
    jobs: Optional[int],
) -> LintResult:
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
            excluded=exclusion_filter(config),
            force_exclude=force_exclude,
            kind_of=kind_filter(config),
        )
    # What is alive now (and what each source leaves) lives until the end of the run: moving it out of the cycle
    # collector's reach saves its repeated full passes over a large heap. The sources leave no cyclic garbage.
    gc.freeze()
    if progress is not None:
        claimed = sum(len(files) for files in discovered.by_source.values())
        progress(claimed, discovered.scanned)
    groups = plan(discovered, 1 if stdin is not None else jobs)
    checker_args = (rules, config, registry)
    results = _run(groups, registry, discovered, workspace, checker_args)
    extraction, keyed = _combine(discovered, results)
    layers, keyed = _across_layers(discovered, extraction, keyed, checker_args)
    policies = extraction.policies
    findings = _by_rule(keyed, len(rules))
    findings = _read_past_errors(findings, extraction.problems)
    findings.extend(_problem_findings(extraction.problems, policies, enabled, registry))
    findings = merge_consequences(_dedupe(findings))
    # most trees hold no directive at all, and then the suppression module is not even loaded
    if inline_suppressions and any("corslint:" in comment.text.lower() for comment in extraction.comments):
        from corslint.suppress import apply_suppressions

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
    if config.min_confidence is not Confidence.LOW:
        findings = [f for f in findings if f.confidence.rank >= config.min_confidence.rank]
    findings.sort(key=lambda f: f.sort_key)
    return LintResult(
        findings=findings,
        policies=policies,
        enabled_rules=rules,
        files_scanned=discovered.scanned,
        files_analysed=extraction.files,
        skipped=extraction.skipped,
        files_claimed={f.path: name for name, files in sorted(discovered.by_source.items()) for f in files},
        layers=layers,
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
    from corslint.unsupported import unsupported_reason

    reason = unsupported_reason(stdin.filename.rpartition("/")[2], lambda size: stdin.data[:size])
    if reason is not None:
        raise UnknownKind(f"{stdin.filename}: {reason}")
    raise UnknownKind(
        f"cannot tell what kind of configuration {stdin.filename!r} is; "
        "give --stdin-filename a name such as nginx.conf"
    )
