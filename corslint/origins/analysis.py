"""The analysis: the origin a pattern's author meant, and the attacker origins it also accepts (bypasses)."""

from __future__ import annotations

from typing import Iterable, Iterator, NamedTuple, Optional, Union

from corslint.lazy_regex import lazy
from corslint.model import MatchMode
from corslint.origins.hosts import (
    DOTTED_DIGITS,
    LABEL,
    is_local_host,
    is_private_host,
    is_under,
    looks_registrable,
    parse_ip,
    public_suffix,
    registrable_domain,
    shared_host_suffix,
)
from corslint.origins.matcher import Compiled, as_mode, compile_pattern
from corslint.origins.memo import ACCEPTS, MISSING, REPORT_WEIGHT, REPORTS, SMALL_WEIGHT
from corslint.origins.report import (
    ACCEPT_STEPS,
    ANALYSIS_STEPS,
    ANY_WHY,
    ATTACKER,
    ATTACKER_HOST_WHY,
    BUDGET_ERROR,
    DOT_WHY,
    FALLBACK_SAMPLES,
    FALLBACK_STEPS,
    KIND_ORDER,
    NO_DOT_WHY,
    OPEN_SUFFIX_WHY,
    NULL_WHY,
    SCHEME_WHY,
    SUFFIX_WHY,
    UNRELATED_WHY,
    Bypass,
    Exhausted,
    PatternReport,
    Refused,
    failed_report,
)
from corslint.origins.samples import pattern_samples
from corslint.origins.strings import parse_origin
from corslint.records import replace


class _Origin(NamedTuple):
    scheme: str
    host: str
    port: Optional[int]
    loopback: bool = False
    private: bool = False

    @staticmethod
    def of(scheme: str, host: str, port: Optional[int]) -> "_Origin":
        return _Origin(scheme, host, port, is_local_host(host), is_private_host(host))

    @property
    def local(self) -> bool:
        return self.loopback or self.private

    @property
    def text(self) -> str:
        return f"{self.scheme}://{self.host}" + (f":{self.port}" if self.port is not None else "")

    def with_host(self, host: str, *, keep_port: bool = True) -> str:
        return _Origin(self.scheme, host, self.port if keep_port else None).text

    def with_scheme(self, scheme: str) -> "_Origin":
        return _Origin(scheme, self.host, self.port, self.loopback, self.private)

    @property
    def meaningful(self) -> bool:
        return "." in self.host or self.local or parse_ip(self.host) is not None


class Tester:
    """Tests candidate origins against one compiled pattern under one shared work budget."""

    def __init__(self, compiled: Compiled, steps: int) -> None:
        self.compiled = compiled
        self.budget = [steps]
        self.memo: dict[str, bool] = {}

    def __call__(self, text: str) -> bool:
        hit = self.memo.get(text)
        if hit is None:
            hit = self.compiled.accepts(text, self.budget)
            self.memo[text] = hit
        return hit


def _as_origin(sample: str) -> Optional[_Origin]:
    text = sample.lower()
    if "://" not in text:
        text = "https:" + text if text.startswith("//") else "https://" + ("app" if text.startswith(".") else "") + text
    parsed = parse_origin(text)
    if parsed.problems or not parsed.scheme or not parsed.host or parsed.host in ("null", "*"):
        return None
    if parse_ip(parsed.host) is None and (
        DOTTED_DIGITS.fullmatch(parsed.host) or not all(LABEL.fullmatch(label) for label in parsed.host.split("."))
    ):
        return None
    return _Origin.of(parsed.scheme, parsed.host, parsed.port)


def spelled_origins(compiled: Compiled, accepts: Tester) -> tuple[list[_Origin], bool]:
    """Well-formed origins the pattern spells out and accepts, and whether any sample spelled plain http."""
    found: dict[str, _Origin] = {}
    spelled_http = False
    for sample in pattern_samples(compiled.tree, compiled.flags):
        origin = _as_origin(sample)
        if origin is None or origin.text in found or not accepts(origin.text):
            continue
        spelled_http = spelled_http or sample.lower().startswith("http://")
        found[origin.text] = origin
    meaningful = (_preferred(o, accepts) for o in found.values() if o.meaningful)
    return list(dict.fromkeys(meaningful)), spelled_http


def _preferred(origin: _Origin, accepts: Tester) -> _Origin:
    if origin.scheme == "http" and not origin.loopback:
        secure = origin.with_scheme("https")
        if accepts(secure.text):
            return secure
    return origin


def _one_per_host(spelled: list[_Origin]) -> list[_Origin]:
    first: dict[str, _Origin] = {}
    for origin in spelled:
        first.setdefault(origin.host, origin)
    return list(first.values())


def _subdomain_wildcard(spelled: list[_Origin], accepts: Tester) -> Optional[str]:
    found: Optional[str] = None
    for origin in _one_per_host(spelled):
        registrable = registrable_domain(origin.host)
        if registrable is None or origin.local:
            continue
        labels = origin.host.split(".")
        start = len(labels) - len(registrable.split("."))
        for index in range(start, -1, -1):
            domain = ".".join(labels[index:])
            if accepts(origin.with_host(f"attacker.{domain}")):
                if found is None or len(domain) < len(found):
                    found = domain
                break
    return found


def _shared_host(spelled: list[_Origin], accepts: Tester) -> Optional[str]:
    for origin in spelled:
        suffix = shared_host_suffix(origin.host)
        if suffix and origin.host != suffix and accepts(origin.with_host(f"attacker.{suffix}")):
            return suffix
    return None


def _host_candidates(origin: _Origin) -> list[tuple[str, str, str]]:
    host = origin.host
    candidates = [("suffix", origin.with_host(f"{host}.{ATTACKER}", keep_port=False), SUFFIX_WHY)]
    registrable = registrable_domain(host)
    if registrable:
        for prefix in ("attacker", "attacker-"):
            candidates.append(("no-dot-boundary", origin.with_host(prefix + registrable), NO_DOT_WHY))
    dots = [i for i, ch in enumerate(host) if ch == "."]
    for index in dots:
        swapped = host[:index] + "x" + host[index + 1 :]
        if index == dots[-1]:
            swapped += ".net"
        if looks_registrable(swapped):
            candidates.append(("unescaped-dot", origin.with_host(swapped), DOT_WHY))
    return candidates


def _outside_intent(host: str, spelled: list[_Origin], wildcard: Optional[str], shared: Optional[str]) -> bool:
    domains = {registrable_domain(o.host) or o.host for o in spelled}
    domains |= {d for d in (wildcard, shared) if d}
    return not any(is_under(host, domain) for domain in domains)


def _bypasses(
    spelled: list[_Origin], accepts: Tester, wildcard: Optional[str], shared: Optional[str], spelled_http: bool
) -> list[Bypass]:
    found: dict[str, Bypass] = {}
    for origin in _one_per_host(spelled)[:16]:
        suffix = _open_suffix(origin, accepts)
        if suffix is not None:
            # the "trusted domain" was spelled by a wildcard: what the pattern trusts is every domain under the suffix
            if not is_private_host(f"x.{suffix}") and "any-origin" not in found:
                found["any-origin"] = Bypass("any-origin", origin.with_host(f"{_PROBE_LABEL}.{suffix}"), OPEN_SUFFIX_WHY.format(suffix=suffix))
            continue
        for kind, candidate, why in _host_candidates(origin):
            if kind in found or not accepts(candidate):
                continue
            host = parse_origin(candidate).host
            if _outside_intent(host, spelled, wildcard, shared):
                found[kind] = Bypass(kind, candidate, why)
        plain = origin.with_scheme("http").text
        pinned = spelled_http or origin.scheme != "https" or origin.loopback
        if "scheme" not in found and not pinned and accepts(plain):
            found["scheme"] = Bypass("scheme", plain, SCHEME_WHY)
    return list(found.values())


_PROBE_LABEL = "attacker-owned"


def _open_suffix(origin: _Origin, accepts: Tester) -> Optional[str]:
    """The public suffix (`dev`, `co.uk`) under which the pattern accepts any domain at all, when it does."""
    suffix = public_suffix(origin.host)
    if not suffix or origin.host == suffix or parse_ip(origin.host) is not None or shared_host_suffix(origin.host):
        return None  # a shared host (`*.github.io`) is told apart by its own report (CORS109)
    return suffix if accepts(origin.with_host(f"{_PROBE_LABEL}.{suffix}")) else None


def _sort(bypasses: Iterable[Bypass]) -> tuple[Bypass, ...]:
    return tuple(sorted(bypasses, key=lambda b: KIND_ORDER.index(b.kind)))


def _analyze(compiled: Compiled, accepts: Tester) -> PatternReport:
    accepts_null = accepts("null")
    extra = [Bypass("null", "null", NULL_WHY)] if accepts_null and not compiled.spells_null else []
    spelled, spelled_http = spelled_origins(compiled, accepts)
    intended = spelled[0].text if spelled else None
    accepts_local = any(o.local for o in spelled)
    if accepts(f"https://{ATTACKER}"):
        accepts_any = accepts("https://evil-site.net:8443")
        extra.append(Bypass("any-origin", f"https://{ATTACKER}", ANY_WHY if accepts_any else UNRELATED_WHY))
        if accepts_any:
            return PatternReport(
                ok=True, error="", intended=intended, bypasses=_sort(extra), accepts_any=True,
                accepts_null=accepts_null, subdomain_wildcard=None, shared_host=None,
                accepts_http=accepts(f"http://{ATTACKER}"), accepts_local=accepts_local, exhausted=False,
            )
    shared = _shared_host(spelled, accepts)
    wildcard = _subdomain_wildcard(spelled, accepts)
    if wildcard and shared and is_under(wildcard, shared):
        wildcard = None
    accepts_http = any(o.scheme == "http" and not o.loopback for o in spelled) or any(
        accepts(o.with_scheme("http").text) for o in spelled if not o.loopback
    )
    return PatternReport(
        ok=True, error="", intended=intended,
        bypasses=_sort(_bypasses(spelled, accepts, wildcard, shared, spelled_http) + extra),
        accepts_any=False, accepts_null=accepts_null, subdomain_wildcard=wildcard, shared_host=shared,
        accepts_http=accepts_http, accepts_local=accepts_local, exhausted=False,
    )


def _fallback(compiled: Compiled, accepts: Tester) -> tuple[list[Bypass], bool, bool]:
    """Bypasses found by probing a few cheap attacker origins, with whether `null` and every origin are accepted.

    For when the exact analysis ran out of budget, or finished without learning what the pattern is for. Each
    candidate is attacker-controlled by construction, and is reported only if the step-bounded matcher accepted
    it; the probing gets a fresh budget of FALLBACK_STEPS (the tester's memo of finished tests is reused) and
    stops when that runs out, keeping what it found. Candidates built from the pattern's own text go first: they
    are the likeliest to match, so they get the budget before `https://attacker.test` and `null`.
    """
    accepts.budget = [FALLBACK_STEPS]
    found: dict[str, Bypass] = {}
    accepts_any = accepts_null = False
    try:
        for kind, candidate, why in _fallback_candidates(compiled):
            if kind not in found and accepts(candidate):
                found[kind] = Bypass(kind, candidate, why)
        if accepts(f"https://{ATTACKER}"):
            accepts_any = accepts("https://evil-site.net:8443")
            found["any-origin"] = Bypass("any-origin", f"https://{ATTACKER}", ANY_WHY if accepts_any else UNRELATED_WHY)
        accepts_null = accepts("null")
        if accepts_null and not compiled.spells_null:
            found["null"] = Bypass("null", "null", NULL_WHY)
    except (Exhausted, RecursionError):
        pass
    return list(found.values()), accepts_any, accepts_null


def _fallback_candidates(compiled: Compiled) -> Iterator[tuple[str, str, str]]:
    """Attacker origins built from the first few samples of the pattern: the exact analysis's host mutations of
    each well-formed origin they spell (kept only outside the domains spelled), then each sample's host-like text
    as labels in front of a domain the attacker owns."""
    samples = pattern_samples(compiled.tree, compiled.flags)[:FALLBACK_SAMPLES]
    spelled = [o for o in map(_as_origin, samples) if o is not None and o.meaningful]
    tried: set[str] = set()
    for origin in _one_per_host(spelled):
        for kind, candidate, why in _host_candidates(origin):
            if candidate not in tried and _outside_intent(parse_origin(candidate).host, spelled, None, None):
                tried.add(candidate)
                yield kind, candidate, why
    for host in dict.fromkeys(filter(None, map(_sample_host, samples))):
        for scheme in ("https", "http"):
            candidate = f"{scheme}://{host}.{ATTACKER}"
            if candidate not in tried:
                tried.add(candidate)
                yield "any-origin", candidate, ATTACKER_HOST_WHY


_FALLBACK_HOST = 40
_HOST_END = lazy(r"[/:?#@\\]")


def _sample_host(sample: str) -> Optional[str]:
    """The host-like part of a sample, as DNS labels an attacker may put in front of a domain of their own."""
    if sample.lower() == "null":
        return None  # the `null` origin, as the exact analysis reads it, not a host name
    text = _HOST_END.split(sample.lower().partition("://")[2] or sample.lower(), 1)[0]
    labels = [label for label in text.split(".") if LABEL.fullmatch(label)]
    host = ".".join(labels)[:_FALLBACK_HOST].strip(".-")
    return host if host and all(LABEL.fullmatch(label) for label in host.split(".")) else None


def _partial(compiled: Compiled, accepts: Tester, error: str) -> PatternReport:
    """The report of an analysis that ran out of budget: a bypass the fallback probe found, or the failure."""
    bypasses, accepts_any, accepts_null = _fallback(compiled, accepts)
    if not bypasses:
        return failed_report(error, exhausted=True)
    return PatternReport(
        ok=True, error=error, intended=None, bypasses=_sort(bypasses), accepts_any=accepts_any,
        accepts_null=accepts_null, subdomain_wildcard=None, shared_host=None, accepts_http=False,
        accepts_local=False, exhausted=True,
    )


def _analyze_uncached(pattern: str, dialect: str, mode: MatchMode, ignore_case: bool) -> PatternReport:
    compiled = compile_pattern(pattern, dialect, mode, ignore_case)
    if isinstance(compiled, Refused):
        return failed_report(str(compiled), exhausted=compiled.exhausted)
    accepts = Tester(compiled, ANALYSIS_STEPS)
    try:
        report = _analyze(compiled, accepts)
        if report.intended is None and not report.bypasses:
            # Nothing the pattern spells is an origin it accepts, so the exact analysis had nothing to mutate:
            # probe attacker origins built from its samples instead (e.g. `(.*a){20}` and `aaa…a.attacker.test`).
            bypasses, _, _ = _fallback(compiled, accepts)
            return replace(report, bypasses=_sort(bypasses)) if bypasses else report
        return report
    except Exhausted:
        return _partial(compiled, accepts, BUDGET_ERROR)
    except RecursionError:
        return failed_report(f"{BUDGET_ERROR} (nested too deeply)", exhausted=True)


def analyze_pattern(
    pattern: str, *, dialect: str, mode: Union[MatchMode, str], ignore_case: bool
) -> PatternReport:
    """Analyse an origin pattern as `mode` applies it; never raises, bounded work, cached.

    When the exact analysis runs out of budget, a cheap probe of attacker origins still runs: a bypass it finds is
    reported with `exhausted=True` (see PatternReport).
    """
    key = (pattern, dialect, as_mode(mode), bool(ignore_case))
    found = REPORTS.lookup(key)
    if found is MISSING:
        found = REPORTS.store(key, _analyze_uncached(*key), REPORT_WEIGHT + len(pattern))
    return found


def pattern_accepts(
    pattern: str, origin: str, *, dialect: str, mode: Union[MatchMode, str], ignore_case: bool
) -> Optional[bool]:
    """Whether the pattern accepts `origin`; None when that cannot be decided within the budget. Cached."""
    key = (pattern, dialect, as_mode(mode), bool(ignore_case))
    found = ACCEPTS.lookup((*key, origin))
    if found is MISSING:
        weight = SMALL_WEIGHT + len(pattern) + len(origin)
        found = ACCEPTS.store((*key, origin), _accepts_uncached(key, origin), weight)
    return found


def _accepts_uncached(key: tuple[str, str, MatchMode, bool], origin: str) -> Optional[bool]:
    compiled = compile_pattern(*key)
    if isinstance(compiled, Refused):
        return None
    try:
        return compiled.accepts(origin, [ACCEPT_STEPS])
    except (Exhausted, RecursionError):
        return None
