"""CORS302: every request header allowed, written explicitly: `Access-Control-Allow-Headers: *` or the requested headers reflected."""

from __future__ import annotations

from typing import Iterator

from corslint.checks._http_helpers import describe, has_star, header_hint
from corslint.findings import Finding, Severity
from corslint.model import CorsPolicy, ListKind
from corslint.rule import ALL_SOURCES, Rule, RuleContext


class PermissiveAllowHeaders(Rule):
    code = "CORS302"
    name = "permissive-allow-headers"
    summary = (
        "Access-Control-Allow-Headers allows every request header: `*`, or the request's "
        "Access-Control-Request-Headers reflected back, written explicitly in the configuration."
    )
    severity = Severity.INFO
    security_severity = 4.3
    tags = ("security",)
    sources = ALL_SOURCES

    def check(self, policy: CorsPolicy, ctx: RuleContext) -> Iterator[Finding]:
        headers = policy.allow_headers
        if headers.default:
            # a library that echoes the requested headers by default does so by design, and only for allowed origins
            return
        origin = describe(headers.prov, policy.source)
        hint = header_hint(policy, "Access-Control-Allow-Headers", '"Content-Type, Authorization"')
        if headers.kind is ListKind.REFLECT:
            yield self.finding(
                policy,
                headers.prov,
                f"Access-Control-Allow-Headers echoes the request's Access-Control-Request-Headers (from {origin}), so "
                "cross-origin scripts may send any header, Authorization and internal headers included. List the "
                "headers the API really accepts.",
                hint=hint,
            )
        elif has_star(headers) and not policy.credentials_on():
            caveat = "" if headers.contains("Authorization") else " except Authorization, which `*` never covers"
            yield self.finding(
                policy,
                headers.prov_of("*"),
                f"Access-Control-Allow-Headers `*` (from {origin}) lets cross-origin scripts send any request "
                f"header{caveat}. List the headers the API really accepts.",
                hint=hint,
            )
