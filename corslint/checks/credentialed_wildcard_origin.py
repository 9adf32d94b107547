"""CORS101: `Access-Control-Allow-Origin: *` together with credentials, which browsers refuse."""

from __future__ import annotations

from typing import Iterator

from corslint.checks._origin_helpers import (
    active_rules,
    assumption,
    confidence_for,
    credentials,
    credentials_clause,
    provenance,
)
from corslint.findings import Confidence, Finding, Severity
from corslint.checks._http_helpers import LIBRARY_NAMES
from corslint.model import CorsPolicy, OriginKind, OriginRule
from corslint.rule import Rule, RuleContext


HINT = "Echo only allowlisted origins (e.g. an nginx `map` of exact origins) or remove Access-Control-Allow-Credentials."


class CredentialedWildcardOrigin(Rule):
    code = "CORS101"
    name = "credentialed-wildcard-origin"
    summary = "`Access-Control-Allow-Origin: *` is sent together with `Access-Control-Allow-Credentials: true`, a combination browsers reject."
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    security_severity = 5.3
    # Traefik answers a `*` entry with the request's Origin once credentials are on (CORS102 judges that)
    never_on = frozenset({"traefik"})
    tags = ("security", "correctness")

    def check(self, policy: CorsPolicy, ctx: RuleContext) -> Iterator[Finding]:
        creds = credentials(policy)
        if not creds.on:
            return
        for rule in active_rules(policy):
            if rule.kind is not OriginKind.ANY or rule.invalid_fallback:
                continue  # a `*` the platform falls back to is reported as that fall-back (CORS111)
            if policy.credentials.default and policy.source in _NO_CREDENTIALS:
                yield self._default_credentials(policy, rule, creds.related)
                continue
            message = (
                f"`Access-Control-Allow-Origin: *` from {provenance(rule, policy)} is sent while "
                f"{credentials_clause(policy)}: browsers refuse `*` on credentialed requests, so every "
                f"request made with cookies or HTTP authentication fails.{assumption(rule)} Send one origin from an "
                "explicit allowlist instead (not the unvalidated request Origin, which is CORS102), or drop credentials "
                "if the API does not need them."
            )
            yield self.finding(
                policy,
                rule.prov,
                message,
                confidence=confidence_for(rule, default=self.confidence),
                hint=HINT,
                related=creds.related,
            )

    def _default_credentials(self, policy: CorsPolicy, rule: OriginRule, related: tuple) -> Finding:
        """Credentials nobody asked for (a platform that sends `Access-Control-Allow-Credentials: true` by default): the
        `*` serves every request made without cookies, and only a credentialed one fails."""
        library = LIBRARY_NAMES.get(policy.source, policy.source)
        message = (
            f"`Access-Control-Allow-Origin: *` from {provenance(rule, policy)} goes out with "
            f"`Access-Control-Allow-Credentials: true`, which {library} sends unless told otherwise: requests without "
            "cookies work, but a request made with cookies or HTTP authentication (`credentials: 'include'`) fails, "
            f"because browsers refuse `*` with credentials.{assumption(rule)} If the API needs no cookies, say so "
            f"({_NO_CREDENTIALS[policy.source]}); if it does, list the origins instead of `*`."
        )
        return self.finding(policy, rule.prov, message, severity=Severity.INFO, hint=HINT, related=related)


# the platforms that turn credentials on by default, and how to turn them off
_NO_CREDENTIALS = {"ingress-nginx": '`nginx.ingress.kubernetes.io/cors-allow-credentials: "false"`'}
