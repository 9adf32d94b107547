"""CORS301: every method allowed (`*` or reflected), or the forbidden TRACE, CONNECT or TRACK listed."""

from __future__ import annotations

from typing import Iterator

from corslint.checks._http_helpers import FORBIDDEN_METHODS, LIBRARY_NAMES, describe, has_star, header_hint
from corslint.findings import Finding, Severity
from corslint.model import CorsPolicy, ListKind
from corslint.rule import ALL_SOURCES, Rule, RuleContext

_ECHO = "; TRACE and TRACK echo the request back, credentials included"


class PermissiveMethods(Rule):
    code = "CORS301"
    name = "permissive-methods"
    summary = "Access-Control-Allow-Methods allows every method (`*` or reflected), or lists TRACE, CONNECT or TRACK."
    severity = Severity.WARNING
    security_severity = 4.3
    tags = ("security",)
    sources = ALL_SOURCES

    def check(self, policy: CorsPolicy, ctx: RuleContext) -> Iterator[Finding]:
        methods = policy.methods
        origin = describe(methods.prov, policy.source)
        hint = header_hint(policy, "Access-Control-Allow-Methods", '"GET, POST"')
        if methods.kind is ListKind.REFLECT:
            yield self.finding(
                policy,
                methods.prov,
                f"Access-Control-Allow-Methods echoes whatever method the preflight asks for (from {origin}), so "
                "cross-origin scripts may use every method, DELETE and PUT included. List only the methods this "
                "API serves to browsers.",
                hint=hint,
            )
        elif methods.expanded_star:
            yield self.finding(
                policy,
                methods.prov,
                f"Access-Control-Allow-Methods allows every method: {origin} asks for `*`, which "
                f"{LIBRARY_NAMES.get(policy.source, policy.source)} sends as every method it knows by name ({', '.join(methods.items)}), so "
                "cross-origin scripts may use DELETE, PUT and PATCH too. List only the methods this API serves to "
                "browsers.",
                hint=hint,
            )
        elif has_star(methods) and not policy.credentials_on():
            yield self.finding(
                policy,
                methods.prov_of("*"),
                f"Access-Control-Allow-Methods `*` (from {origin}) lets cross-origin scripts use every method, "
                "DELETE and PUT included. List only the methods this API serves to browsers.",
                hint=hint,
            )
        for item in methods.items:
            method = item.strip().upper()
            if method in FORBIDDEN_METHODS:
                yield self.finding(
                    policy,
                    methods.prov_of(item),
                    f"{method} is listed in Access-Control-Allow-Methods (from {origin}). Browsers never send "
                    f"{method} from scripts (a forbidden method in Fetch), so the entry can only advertise that the "
                    f"server accepts it{_ECHO if method != 'CONNECT' else ''}. Remove it and disable {method} on the "
                    "server.",
                    hint=f"remove {method} from Access-Control-Allow-Methods",
                )
