"""CORS108: an exact origin value that can never equal a browser's Origin header."""

from __future__ import annotations

from typing import Iterator, Optional

from corslint import origins
from corslint.checks._origin_helpers import (
    shown,
    NO_SCHEME_PROBLEM,
    SEVERAL_ORIGINS_PROBLEM,
    assumption,
    confidence_for,
    corrected,
    exact_origins,
    is_null_value,
    problems,
    gate_subject,
    mode_phrase,
    provenance,
    report,
)
from corslint.findings import Confidence, Finding, Severity
from corslint.model import CorsPolicy, OriginKind, OriginRule
from corslint.rule import Rule, RuleContext


class InvalidOriginValue(Rule):
    code = "CORS108"
    name = "invalid-origin-value"
    summary = "A configured origin can never match a browser's `Origin` header, so requests from it always fail."
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    security_severity = 3.7
    tags = ("correctness",)

    def check(self, policy: CorsPolicy, ctx: RuleContext) -> Iterator[Finding]:
        for rule in policy.origins + policy.gates:
            if rule.kind is OriginKind.PATTERN and _matches_no_origin(rule):
                yield self._no_origin(policy, rule)
        for rule in policy.gates:
            found = problems(rule, origins.parse_origin(rule.value)) if rule.kind is OriginKind.EXACT else []
            if found:
                fix = _fix(exact_origins(rule), found)
                message = (
                    f"The origin `{shown(rule.value)}` that {provenance(rule, policy)} compares the request's Origin with "
                    f"can never equal a browser's `Origin` header: it {_join(found)}. So the test never holds for a "
                    f"browser: a `==` check rejects every one, a `!=` check lets every one through. {fix}"
                )
                yield self.finding(policy, rule.prov, message, severity=Severity.WARNING, hint=fix)
        for rule in policy.origins:
            if rule.request_data in _REQUEST_DATA:
                yield self.finding(
                    policy,
                    rule.prov,
                    f"Access-Control-Allow-Origin is set to {_REQUEST_DATA[rule.request_data]} (from "
                    f"{provenance(rule, policy)}), which is never a browser's `Origin`: {_WHY_NEVER[rule.request_data]}, "
                    "so every cross-origin request fails. Echo the request's Origin only after checking it against an "
                    "allowlist (`$http_origin` in nginx, `expr=%{req:Origin}` in Apache), or send one fixed origin.",
                    hint="send an allowlisted Origin, not the Host, URI or Referer",
                )
                continue
            if rule.kind is not OriginKind.EXACT or is_null_value(rule) or rule.value.strip() == "*":
                continue
            found = problems(rule, origins.parse_origin(rule.value))
            if not found:
                continue
            fix = _fix(exact_origins(rule), found)
            if policy.source == "django" and set(found) <= _DJANGO_MATCHES_ANYWAY:
                yield self._django_check_rejects(policy, rule, found, fix)
                continue
            twin = _listed_correctly(policy, rule)
            if twin is not None:
                yield self._dead_entry(policy, rule, found, twin)
                continue
            message = (
                f"The origin `{shown(rule.value)}` from {provenance(rule, policy)} can never match a browser's `Origin` "
                f"header: it {_join(found)}. Browsers compare the origin byte for byte (lower-case scheme and host, "
                "no path, no trailing slash, no default port), so requests from it always fail."
                f"{assumption(rule)} {fix}"
            )
            yield self.finding(
                policy,
                rule.prov,
                message,
                confidence=confidence_for(rule, default=self.confidence),
                hint=fix,
            )

    def _no_origin(self, policy: CorsPolicy, rule: OriginRule) -> Finding:
        if rule in policy.gates:
            message = (
                f"{gate_subject(rule, policy)} matches no origin a browser sends: a browser's Origin is "
                "`scheme://host[:port]` (no path, no trailing slash), and corslint found no way to make the test accept "
                "one, so it treats every browser alike (a negated test rejects them all, a positive one never holds)."
                f"{assumption(rule)} Compare with the origin as the browser sends it, for example `https://app.example.com`."
            )
        else:
            message = (
                f"The origin pattern `{shown(rule.value)}` from {provenance(rule, policy)} matches no origin a browser "
                f"sends: {mode_phrase(rule, policy.source)}, and a browser's Origin is `scheme://host[:port]` (no path, "
                "no trailing slash), which corslint found no way to make it accept, so no cross-origin request is ever "
                f"allowed.{assumption(rule)} Write the origin as the browser sends it, for example "
                "`^https://app\\.example\\.com$`."
            )
        return self.finding(policy, rule.prov, message, severity=Severity.WARNING, confidence=Confidence.MEDIUM,
                            hint="match `scheme://host[:port]`, anchored, with nothing after the host")

    def _dead_entry(self, policy: CorsPolicy, rule: OriginRule, found: list[str], twin: OriginRule) -> Finding:
        """The same list also holds the origin as browsers send it: the wrong spelling only never matches."""
        message = (
            f"The origin `{shown(rule.value)}` from {provenance(rule, policy)} can never match a browser's `Origin` "
            f"header: it {_join(found)}. The same setting also lists `{shown(twin.value)}`, the origin as browsers send "
            "it, so requests from that origin still work; this entry is dead and can be removed."
        )
        return self.finding(policy, rule.prov, message, severity=Severity.INFO, hint=f"remove `{rule.value}`")

    def _django_check_rejects(self, policy: CorsPolicy, rule: OriginRule, found: list[str], fix: str) -> Finding:
        return self.finding(
            policy,
            rule.prov,
            _django_message(rule.value, provenance(rule, policy), found, fix),
            severity=Severity.WARNING,
            confidence=confidence_for(rule, default=self.confidence),
            hint=fix,
        )


_REQUEST_DATA = {
    "host": "the request's Host",
    "path": "the request's URI",
    "referer": "the request's Referer",
    "idle": "mod_headers' `%i`, the server's idle percentage",
}
_WHY_NEVER = {
    "host": "a Host is a host name without a scheme (`api.example.com`), an Origin always has one",
    "path": "a URI is a path (`/api/items`), an Origin is scheme, host and port",
    "referer": (
        "a Referer is a URL with a path, and the default referrer policy sends a cross-origin referrer as the origin "
        "followed by `/`, which never equals the Origin"
    ),
    "idle": (
        "mod_headers has no request-header format (`%{Name}i` is mod_log_config's), so it reads `%{…}i` as `%i` and "
        "sends `i=` and a number whatever the braces name"
    ),
}

# django-cors-headers compares only scheme and host[:port], so these still match; its system check E014 rejects them
_DJANGO_MATCHES_ANYWAY = frozenset({origins.SLASH, origins.PATH, origins.QUERY})


def _listed_correctly(policy: CorsPolicy, rule: OriginRule) -> Optional[OriginRule]:
    """Another exact origin of the same setting that is what `rule` would be, written as browsers send it."""
    parsed = exact_origins(rule)
    if len(parsed) != 1:
        return None
    meant = corrected(parsed[0])
    if meant is None:
        return None
    for other in policy.origins:
        if other is not rule and other.kind is OriginKind.EXACT and other.value.strip() == meant and not problems(other, origins.parse_origin(other.value)):
            return other
    return None


def _fix(parsed_all: list[origins.ParsedOrigin], found: list[str]) -> str:
    if SEVERAL_ORIGINS_PROBLEM in found:
        fixed = [corrected(p) or p.text for p in parsed_all]
        listed = ", ".join(f"`{o}`" for o in fixed)
        return (
            f"Send exactly one origin per response: choose it from the list {listed} with an allowlist "
            "(nginx: a `map $http_origin`)."
        )
    suggestion = _single_fix(parsed_all[0], found)
    if suggestion:
        return suggestion
    return "Write the origin as `scheme://host[:port]`, or use a pattern the source supports for wildcards."


def _django_message(value: str, where: str, found: list[str], fix: str) -> str:
    return (
        f"The origin `{shown(value)}` from {where} {_join(found)}. django-cors-headers compares only the scheme and "
        "host of an origin, so it still matches, but the library's own system check `corsheaders.E014` rejects the "
        "value: `manage.py check` and `runserver` stop with an error (a WSGI server still serves the app). "
        f"{fix}"
    )


def _single_fix(parsed: origins.ParsedOrigin, found: list[str]) -> Optional[str]:
    if any("wildcard" in problem for problem in found):
        return _wildcard_fix(parsed)
    fixed = corrected(parsed)
    if fixed is None:
        return None
    if NO_SCHEME_PROBLEM in found:
        return f"Add the scheme, probably `{fixed}`."
    return f"Use `{fixed}`."


def _wildcard_fix(parsed: origins.ParsedOrigin) -> str:
    domain = parsed.host.lower().lstrip("*.") or "example.com"
    scheme = (parsed.scheme or "https").lower()
    escaped = domain.replace(".", "\\.")
    regex = f"^{scheme}://[a-z0-9-]+\\.{escaped}$"
    return (
        "A literal `*` is not a wildcard here: list each origin, or match subdomains with an anchored regex "
        f"such as `{regex}`."
    )


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _matches_no_origin(rule: OriginRule) -> bool:
    """The analysis finished, found no origin the pattern spells and accepts, and its probe found none either."""
    found = report(rule)
    return found.ok and not found.exhausted and found.intended is None and not found.bypasses and not found.accepts_any

