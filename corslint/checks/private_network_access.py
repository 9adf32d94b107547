"""CORS503: Access-Control-Allow-Private-Network: true lets public sites reach a private-network service."""

from __future__ import annotations

from typing import Iterator, Optional

from corslint.checks._http_helpers import ACAPN, describe, first_emission, SERVER_AND_APPLICATION_SOURCES
from corslint.findings import Finding, Severity
from corslint.model import CorsPolicy, Provenance
from corslint.rule import Rule, RuleContext


class PrivateNetworkAccess(Rule):
    code = "CORS503"
    name = "private-network-access"
    summary = (
        "Access-Control-Allow-Private-Network: true (or a library setting that sends it) lets public web sites "
        "reach services on the private network through visitors' browsers."
    )
    severity = Severity.WARNING
    security_severity = 6.5
    tags = ("security",)
    sources = SERVER_AND_APPLICATION_SOURCES

    def check(self, policy: CorsPolicy, ctx: RuleContext) -> Iterator[Finding]:
        enabled = _enabled(policy)
        if enabled is None:
            return
        prov, default = enabled
        message = (
            f"Access-Control-Allow-Private-Network: true (from {describe(prov, policy.source, default=default)}) "
            "declares that public web pages may drive this private-network service through a visitor's browser. "
            "Chrome's Private Network Access preflight, which asks for this header, is on hold in favour of the "
            "Local Network Access permission prompt (Chrome 142), but the opt-in still states the intent; flask-cors "
            "once sent it by default (CVE-2024-6221). Remove it unless public pages really must reach this service."
        )
        yield self.finding(policy, prov, message, hint="remove Access-Control-Allow-Private-Network")


def _enabled(policy: CorsPolicy) -> Optional[tuple[Optional[Provenance], bool]]:
    setting = policy.private_network
    if setting.is_true():
        return setting.prov, setting.default
    if setting.is_known:
        return None
    emission = first_emission(policy.emissions, ACAPN)
    if emission is not None and emission.value.strip().strip("'\"").strip().lower() == "true":
        return emission.prov, False
    return None
