"""Shared helpers for the origin-trust rules (CORS101–CORS111, CORS901): credentials, wording, pattern analysis.

Keeps the rules small and their messages consistent; nothing here decides whether to report.
"""

from __future__ import annotations

import re
from fnmatch import fnmatchcase
from typing import Callable, Iterable, Iterator, NamedTuple, Optional

from corslint import origins
from corslint.checks._http_helpers import LIBRARY_NAMES, quoted, shown
from corslint.findings import Confidence, Finding, Severity
from corslint.model import CorsPolicy, MatchMode, OriginKind, OriginRule, Related, State
from corslint.records import replace
from corslint.rule import Rule, RuleContext, where

UPPER_CASE_PROBLEM = "has upper-case letters"
SEVERAL_ORIGINS_PROBLEM = "contains several origins"
NO_SCHEME_PROBLEM = "has no scheme"
DEFAULT_PORTS = {"http": 80, "https": 443}
NGINX_LOCATION_MODIFIERS = ("=", "^~", "~", "~*")


class Credentials(NamedTuple):
    """Whether the scope sends `Access-Control-Allow-Credentials: true`, and where that is set."""

    on: bool
    unknown: bool
    related: tuple[Related, ...]

    @property
    def phrase(self) -> str:
        if self.on:
            return "with credentials"
        if self.unknown:
            return "with credentials that corslint cannot determine"
        return "without credentials"


def credentials(policy: CorsPolicy) -> Credentials:
    setting = policy.credentials
    related: tuple[Related, ...] = ()
    if setting.is_true() and setting.prov is not None:
        what = "the library default" if setting.default else where(setting.prov)
        related = (Related(setting.prov.location, f"credentials are enabled here ({what})"),)
    elif setting.state is State.UNKNOWN and setting.prov is not None:
        related = (Related(setting.prov.location, f"credentials are set here but cannot be read: {where(setting.prov)}"),)
    return Credentials(on=setting.is_true(), unknown=setting.state is State.UNKNOWN, related=related)


def credentials_clause(policy: CorsPolicy) -> str:
    """"credentials are enabled (`Access-Control-Allow-Credentials: true` from `<raw>`)".

    The place itself goes into the finding's `related`, so findings on a value shared by several scopes
    (an nginx `map` entry) read the same and are reported once.
    """
    setting = policy.credentials
    if setting.prov is None:
        return "credentials are enabled (`Access-Control-Allow-Credentials: true`)"
    origin = "the library default" if setting.default else where(setting.prov)
    return f"credentials are enabled (`Access-Control-Allow-Credentials: true` from {origin})"


def exposure(policy: CorsPolicy, actor: str) -> str:
    """What `actor` gains, for rules whose severity depends on credentials (error with, warning without)."""
    creds = credentials(policy)
    if creds.on:
        return f"Because {credentials_clause(policy)}, {actor} can read responses with the user's cookies."
    if creds.unknown:
        return (
            f"corslint could not tell whether credentials are enabled; if they are, {actor} can read responses "
            "with the user's cookies (reported as a warning)."
        )
    return (
        "The responses are sent without credentials, so only what an anonymous request can see is exposed "
        "(lower severity)."
    )


def credentials_sentence(policy: CorsPolicy, actor: str = "such a page") -> str:
    """A sentence on what credentials add, or on their being unknown; "" without credentials."""
    creds = credentials(policy)
    if creds.on:
        return f" Because {credentials_clause(policy)}, {actor} can act with the user's cookies."
    if creds.unknown:
        return " corslint could not tell whether credentials are enabled."
    return ""


def active_rules(policy: CorsPolicy) -> list[OriginRule]:
    """Origin rules that apply as written (not fallbacks for an unset environment variable)."""
    return [rule for rule in policy.origins if not rule.env_fallback]


def provenance(rule: OriginRule, policy: CorsPolicy) -> str:
    """`<raw>` (nginx) or `<raw>` (npm `cors`), plus the environment-variable fallback it is, if any."""
    text = f"{quoted(rule.prov)} ({LIBRARY_NAMES.get(policy.source, policy.source)})"
    if rule.env_fallback:
        text += f", used while {env_name(rule.env_fallback)} is unset"
    return text


def env_name(variable: str) -> str:
    return f"`{variable}`" if variable.startswith("$") else f"`${variable}`"


def assumption(rule: OriginRule) -> str:
    """A sentence saying what corslint assumed about this origin rule, or ""."""
    return f" (corslint assumed: {rule.assumption.rstrip('.')}.)" if rule.assumption else ""


def confidence_for(rule: OriginRule, policy: Optional[CorsPolicy] = None, *, default: Confidence) -> Confidence:
    """One step lower than `default` when corslint had to assume something."""
    assumed = bool(rule.assumption) or (policy is not None and credentials(policy).unknown)
    if not assumed:
        return default
    return Confidence.MEDIUM if default is Confidence.HIGH else Confidence.LOW


def with_security_severity(finding: Finding, score: float) -> Finding:
    """Attach a per-finding security severity (lower than the rule's default)."""
    return replace(finding, extra={**finding.extra, "security-severity": score})


def pattern_mode(rule: OriginRule) -> MatchMode:
    return rule.mode or MatchMode.SEARCH


def pattern_dialect(rule: OriginRule) -> str:
    return rule.dialect or "pcre"


def report(rule: OriginRule) -> origins.PatternReport:
    """The analysis of a PATTERN origin rule."""
    return origins.analyze_pattern(
        rule.value, dialect=pattern_dialect(rule), mode=pattern_mode(rule), ignore_case=rule.ignore_case
    )


def accepts(rule: OriginRule, origin: str) -> bool:
    found = origins.pattern_accepts(
        rule.value, origin, dialect=pattern_dialect(rule), mode=pattern_mode(rule), ignore_case=rule.ignore_case
    )
    return bool(found)


def is_pattern(rule: OriginRule) -> bool:
    return rule.kind is OriginKind.PATTERN


def accepts_any(rule: OriginRule) -> bool:
    """REFLECT, or a PATTERN that accepts every origin."""
    if rule.kind is OriginKind.REFLECT:
        return True
    return is_pattern(rule) and report(rule).ok and report(rule).accepts_any


def narrow_pattern(rule: OriginRule) -> Optional[origins.PatternReport]:
    """The report of a PATTERN that was analysed and does not accept every origin, else None."""
    if not is_pattern(rule):
        return None
    found = report(rule)
    if not found.ok or found.accepts_any:
        return None
    return found


def is_null_value(rule: OriginRule) -> bool:
    return rule.kind is OriginKind.NULL or (rule.kind is OriginKind.EXACT and rule.value.strip().lower() == "null")


def exact_origins(rule: OriginRule) -> list[origins.ParsedOrigin]:
    """Each origin an EXACT value names (a list value is split)."""
    parts = origins.split_origin_list(rule.value) or [rule.value]
    return [origins.parse_origin(part) for part in parts]


def problems(rule: OriginRule, parsed: origins.ParsedOrigin) -> list[str]:
    """The reasons `parsed` can never equal a browser origin, ignoring case when the source folds it."""
    return [p for p in parsed.problems if not (rule.ignore_case and p == UPPER_CASE_PROBLEM)]


def corrected(parsed: origins.ParsedOrigin) -> Optional[str]:
    """The serialized origin the author probably meant, when it can be derived."""
    if not parsed.host or "*" in parsed.host:
        return None
    scheme = (parsed.scheme or "https").lower()
    port = "" if parsed.port in (None, DEFAULT_PORTS.get(scheme)) else f":{parsed.port}"
    return f"{scheme}://{parsed.host.lower()}{port}"


def host_of(parsed: origins.ParsedOrigin) -> str:
    return parsed.host.lower().strip("[]")


def mode_phrase(rule: OriginRule, source: str) -> str:
    """How the framework applies the pattern, in words (anchoring and case)."""
    mode = pattern_mode(rule)
    case = "case-insensitive" if rule.ignore_case else "case-sensitive"
    if mode is MatchMode.GLOB:
        return f"{source} treats the leading `*` as a wildcard for subdomains"
    if mode is MatchMode.FULLMATCH:
        if source == "apache":
            return f"Apache copies only the part `SetEnvIf` matched (`$0`), so the regex decides the whole origin ({case})"
        return f"the regex must match the whole origin (a {case} full match)"
    if mode is MatchMode.MATCH:
        what = "Python `re.match`" if pattern_dialect(rule) == "python" else "the regex"
        return f"{what} anchors only at the start of the origin ({case})"
    return _search_phrase(rule, source, case)


def _search_phrase(rule: OriginRule, source: str, case: str) -> str:
    dialect = pattern_dialect(rule)
    if source == "nginx":
        operator = "~*" if rule.ignore_case else "~"
        return f"nginx applies `{operator}` as an unanchored, {case} PCRE search"
    if source == "apache":
        directive = "SetEnvIfNoCase" if rule.ignore_case else "SetEnvIf"
        return f"Apache `{directive}` applies the regex unanchored, {case}"
    if dialect == "js":
        return f"JavaScript `RegExp.test` is unanchored ({case})"
    if dialect == "go":
        return f"Go `MatchString` is unanchored ({case})"
    return f"the regex is applied unanchored, as a {case} search"


def origin_list(values: Iterable[str], limit: int = 3) -> str:
    items = [f"`{shown(v)}`" for v in dict.fromkeys(values)][:limit]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _path_candidates(path: str) -> list[str]:
    text = path.strip()
    head, _, rest = text.partition(" ")
    if head in NGINX_LOCATION_MODIFIERS and rest.strip():
        text = rest.strip()
    candidates = [text, text.rstrip("/") or "/"]
    if not text.endswith("/"):
        candidates.append(text + "/")
    return list(dict.fromkeys(candidates))


def is_public(policy: CorsPolicy, ctx: RuleContext) -> bool:
    """True when one of the scope's paths matches a `public-paths` glob."""
    globs = [g.strip() for g in ctx.public_paths if g.strip()]
    candidates = [candidate for path in policy.paths for candidate in _path_candidates(path)]
    return any(fnmatchcase(candidate, glob) for candidate in candidates for glob in globs)


GATE_SENTENCE = (
    " The test decides access rather than a CORS header: a page on such a site gets through the check meant for "
    "trusted origins."
)


def report_each_origin(
    rule: Rule,
    policy: CorsPolicy,
    describe: Callable[[OriginRule], Optional[str]],
    *,
    advice: str,
    hint: str,
    severity: Optional[Callable[[OriginRule], Optional[Severity]]] = None,
    gates: bool = False,
) -> Iterator[Finding]:
    """One finding per origin rule `describe` has something to say about: its text, the credentials and
    assumption notes, then `advice`; `severity` may lower the rule's default for some origins. With `gates`, the
    policy's access-gate origin tests are judged too, with their own consequence instead of the credentials."""
    creds = credentials(policy)
    for origin in policy.origins + (policy.gates if gates else []):
        text = describe(origin)
        if text is None:
            continue
        gate = origin in policy.gates
        notes = (GATE_SENTENCE if gate else credentials_sentence(policy)) + assumption(origin)
        yield rule.finding(
            policy,
            origin.prov,
            f"{text}.{notes}{' ' + advice if advice else ''}",
            severity=severity(origin) if severity else None,
            confidence=confidence_for(origin, default=rule.confidence),
            hint=hint,
            related=creds.related,
        )


def gate_subject(rule: OriginRule, policy: CorsPolicy) -> str:
    """How an access-gate test is named in messages: the test as written and what it compares."""
    raw = rule.prov.raw
    literal = _literal_test(rule)
    if literal is not None:
        how, text = literal
        return f"The origin test {provenance(rule, policy)}, which passes origins {how} `{text}`,"
    return f"The origin test `{shown(rule.value)}` in {provenance(rule, policy)} ({mode_phrase(rule, policy.source)})" if raw else ""


def _literal_test(rule: OriginRule) -> Optional[tuple[str, str]]:
    """('starting with', text) for a startswith/endswith/`in` test written as an escaped literal, else None."""
    if rule.dialect not in ("python", "js") or rule.kind is not OriginKind.PATTERN or pattern_mode(rule) is not MatchMode.SEARCH:
        return None
    value = rule.value
    head, tail = value.startswith("^"), value.endswith("$") and not value.endswith("\\$")
    body = value[1 if head else 0 : len(value) - (1 if tail else 0)]
    try:
        literal = re.sub(r"\\(.)", r"\1", body)
    except re.error:
        return None
    if re.escape(literal) != body:
        return None
    return ("starting with" if head else "ending with" if tail else "containing"), literal

