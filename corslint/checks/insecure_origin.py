"""CORS105: a plain-HTTP origin on a public host is trusted (localhost and private networks are CORS107's)."""

from __future__ import annotations

from typing import Iterator, Optional

from corslint import origins
from corslint.checks._origin_helpers import (
    gate_subject,
    shown,
    report_each_origin,
    accepts,
    exact_origins,
    host_of,
    mode_phrase,
    narrow_pattern,
    provenance,
)
from corslint.findings import Confidence, Finding, Severity
from corslint.model import CorsPolicy, OriginKind, OriginRule
from corslint.rule import Option, Rule, RuleContext

WHY = (
    "anyone on the network path to that site (public Wi-Fi, a hostile proxy) can inject a script into its pages "
    "and call this API as that origin"
)


class InsecureOrigin(Rule):
    code = "CORS105"
    name = "insecure-origin"
    summary = "A plain-HTTP origin on a public host is trusted, so anyone on its network path can act as that origin."
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    security_severity = 5.9
    tags = ("security",)
    options = {
        "allow-http-origins": Option(
            "list[str]", [], "Plain-HTTP origins trusted on purpose (for example an intranet host); they are not reported."
        ),
    }

    def check(self, policy: CorsPolicy, ctx: RuleContext) -> Iterator[Finding]:
        allowed = {o.strip().lower().rstrip("/") for o in ctx.option("allow-http-origins", []) or []}

        def describe(rule: OriginRule) -> Optional[str]:
            subject = _subject(rule, policy, allowed)
            return f"{subject}: {WHY}" if subject else None

        yield from report_each_origin(
            self,
            policy,
            describe,
            advice="Serve that site over HTTPS and trust its `https://` origin instead.",
            hint="Trust the `https://` origin instead.",
            gates=True,
        )


def _subject(rule: OriginRule, policy: CorsPolicy, allowed: set[str]) -> Optional[str]:
    if rule.kind is OriginKind.EXACT:
        insecure = [p.text for p in exact_origins(rule) if _is_insecure(p) and p.text.lower().rstrip("/") not in allowed]
        if insecure:
            listed = ", ".join(f"`{text}`" for text in insecure)
            return f"The plain-HTTP origin {listed} is trusted by {provenance(rule, policy)}"
        return None
    found = narrow_pattern(rule)
    if found is None or not (found.accepts_http or _scheme_bypass(found)):
        return None
    example = _scheme_bypass(found) or _http_variant(rule, found)
    if example and not _is_insecure(origins.parse_origin(example)):
        return None  # a local-network name is CORS107's; an HSTS-preloaded one is never loaded over HTTP
    such_as = f" such as `{example}`" if example else ""
    if rule in policy.gates:
        return f"{gate_subject(rule, policy)} lets plain-HTTP origins through{such_as}"
    return (
        f"The origin pattern `{shown(rule.value)}` from {provenance(rule, policy)} accepts plain-HTTP origins{such_as} "
        f"({mode_phrase(rule, policy.source)})"
    )


def _is_insecure(parsed: origins.ParsedOrigin) -> bool:
    """Plain HTTP on a public host: localhost, loopback and private-network origins are CORS107's, the more specific."""
    host = host_of(parsed)
    if parsed.scheme.lower() != "http" or not host or origins.is_local_host(host) or origins.is_private_host(host):
        return False
    return not origins.hsts_preloaded(host)


def _http_variant(rule: OriginRule, found: origins.PatternReport) -> Optional[str]:
    if found.intended and found.intended.startswith("http://"):
        return found.intended
    if not found.intended or not found.intended.startswith("https://"):
        return None
    candidate = "http://" + found.intended[len("https://"):]
    return candidate if accepts(rule, candidate) else None


def _scheme_bypass(found: origins.PatternReport) -> Optional[str]:
    for bypass in found.bypasses:
        if bypass.kind == "scheme":
            return bypass.origin
    return None
