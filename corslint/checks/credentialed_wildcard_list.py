"""CORS303: `*` in Allow-Methods, Allow-Headers or Expose-Headers on a credentialed response, where it is literal."""

from __future__ import annotations

from typing import Iterator

from corslint.checks._http_helpers import ACAH, ACAM, ACEH, describe, has_star, related
from corslint.findings import Finding, Severity
from corslint.model import CorsPolicy, ListKind
from corslint.rule import ALL_SOURCES, Rule, RuleContext

_EFFECT = {
    ACAM: "only GET, HEAD and POST pass the preflight",
    ACAH: "every preflight for a custom header, Authorization or a JSON Content-Type fails",
    ACEH: "scripts can read no response header beyond the safelisted ones",
}


class CredentialedWildcardList(Rule):
    code = "CORS303"
    name = "credentialed-wildcard-list"
    summary = (
        "Access-Control-Allow-Methods, -Allow-Headers or -Expose-Headers contains `*` on a credentialed response, "
        "where browsers read it as a literal name, so the requests silently fail."
    )
    severity = Severity.ERROR
    tags = ("correctness",)
    sources = ALL_SOURCES
    # with credentials Traefik echoes the request's method and headers for `*`, and drops `*` from the exposed ones
    never_on = frozenset({"traefik"})

    def check(self, policy: CorsPolicy, ctx: RuleContext) -> Iterator[Finding]:
        if not policy.credentials_on():
            return
        credentials = policy.credentials.prov
        for header, setting in ((ACAM, policy.methods), (ACAH, policy.allow_headers), (ACEH, policy.expose_headers)):
            if setting.kind is ListKind.REFLECT or not has_star(setting):
                continue
            prov = setting.prov_of("*")
            message = (
                f"{header} `*` (from {describe(setting.prov, policy.source)}) is sent together with "
                f"Access-Control-Allow-Credentials: true (from {describe(credentials, policy.source)}). On credentialed "
                f"requests browsers read `*` as a literal name, not a wildcard, so {_EFFECT[header]}. "
                "List the names explicitly."
            )
            yield self.finding(
                policy,
                prov,
                message,
                hint=f"replace `*` in {header} with the explicit names",
                related=related(credentials, "credentials are enabled here", unless=prov),
            )
