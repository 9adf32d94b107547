"""CORS201: the scope allows requests that need a preflight, but the OPTIONS preflight provably gets no 2xx answer."""

from __future__ import annotations

from typing import Iterator, Optional

from corslint.checks._http_helpers import (
    SERVER_AND_APPLICATION_SOURCES,
    anchor_prov,
    describe,
    headers_need_preflight,
    is_preflight_answer,
    methods_need_preflight,
    place,
    related,
)
from corslint.findings import Confidence, Finding, Severity
from corslint.model import CorsPolicy, PreflightKind, Provenance, Related
from corslint.rule import Option, Rule, RuleContext

ASSUME_UPSTREAM = "assume-upstream-handles-preflight"


class UnhandledPreflight(Rule):
    code = "CORS201"
    name = "unhandled-preflight"
    summary = (
        "The configuration allows requests that need a preflight, but the OPTIONS preflight provably gets "
        "no 2xx answer with the CORS headers."
    )
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    tags = ("correctness",)
    sources = SERVER_AND_APPLICATION_SOURCES
    options = {
        ASSUME_UPSTREAM: Option(
            "bool",
            True,
            "Trust that upstreams/applications behind a proxy answer OPTIONS preflights themselves, as most "
            "frameworks do; `false` also reports, at low confidence, scopes that pass OPTIONS to an unseen upstream.",
        )
    }

    def check(self, policy: CorsPolicy, ctx: RuleContext) -> Iterator[Finding]:
        kind = policy.preflight.kind
        if kind not in (PreflightKind.NOT_HANDLED, PreflightKind.DELEGATED):
            return
        if not policy.has_cors or is_preflight_answer(policy):
            return
        if kind is PreflightKind.DELEGATED and ctx.option(ASSUME_UPSTREAM, True):
            return
        if kind is PreflightKind.DELEGATED and _linked_answers(policy, ctx):
            return  # the application behind it, linked in the tree, answers preflights with its CORS library
        reasons = _reasons(policy)
        if not reasons:
            return
        yield self._finding(policy, reasons, kind is PreflightKind.DELEGATED)

    def _finding(self, policy: CorsPolicy, reasons: list[tuple[str, Optional[Provenance]]], delegated: bool) -> Finding:
        preflight = policy.preflight
        anchor = anchor_prov(policy) or preflight.prov
        allowed = " and ".join(f"{phrase} from {describe(prov, policy.source)}" for phrase, prov in reasons)
        rel: list[Related] = []
        for _, prov in reasons:
            rel.extend(related(prov, "this value makes browsers send a preflight", unless=anchor))
        rel.extend(related(preflight.prov, "OPTIONS requests end up here", unless=anchor))
        lead = f"This scope allows {allowed}, so browsers send an OPTIONS preflight first"
        seen_from = anchor.location.path if anchor else ""
        if delegated:
            message, confidence = f"{lead}; {_delegated_text(policy, seen_from)}", Confidence.LOW
        else:
            message, confidence = f"{lead}, {_not_handled_text(policy, seen_from)}", Confidence.HIGH
        return self.finding(policy, anchor, message, confidence=confidence, hint=_hint(policy), related=rel)


def _delegated_text(policy: CorsPolicy, seen_from: str) -> str:
    preflight = policy.preflight
    upstream = f"`{preflight.note}`" if preflight.note else "behind this scope"
    passed = f" at {place(preflight.prov, seen_from)}" if preflight.prov else ""
    return (
        f"OPTIONS is passed on{passed}. With `{ASSUME_UPSTREAM} = false` corslint assumes the upstream {upstream} "
        "does not answer OPTIONS with a 2xx and these headers; if it does (Express, Flask, Django views and most "
        "frameworks do), drop that setting, otherwise answer OPTIONS here."
    )


def _not_handled_text(policy: CorsPolicy, seen_from: str) -> str:
    preflight = policy.preflight
    prov = preflight.prov
    why = f" ({preflight.note})" if preflight.note else ""
    ends = f"; OPTIONS ends at {place(prov, seen_from)}" if prov else ""
    if prov and prov.raw and prov.raw in preflight.note:
        other = prov.location.path if seen_from and prov.location.path != seen_from else ""
        why, ends = f" ({preflight.note}, {other + ', ' if other else ''}line {prov.location.line})", ""
    return (
        f"but nothing answers it with a 2xx and the CORS headers{why}{ends}. Browsers then never send the real "
        "request: answer OPTIONS with a 2xx carrying Access-Control-Allow-Origin, -Methods and -Headers."
    )


def _reasons(policy: CorsPolicy) -> list[tuple[str, Optional[Provenance]]]:
    reasons: list[tuple[str, Optional[Provenance]]] = []
    methods = methods_need_preflight(policy.methods)
    if methods:
        reasons.append((methods, policy.methods.prov))
    headers = headers_need_preflight(policy.allow_headers)
    if headers:
        reasons.append((headers, policy.allow_headers.prov))
    return reasons


def _hint(policy: CorsPolicy) -> str:
    if policy.source == "nginx":
        return "answer OPTIONS in this location: if ($request_method = OPTIONS) { add_header ...; return 204; }"
    if policy.source == "apache":
        return "answer OPTIONS: RewriteCond %{REQUEST_METHOD} OPTIONS + RewriteRule ^ - [R=204,L], with `Header always set ...`"
    return "let the CORS middleware answer OPTIONS for these routes"


def _linked_answers(policy: CorsPolicy, ctx: RuleContext) -> bool:
    """Does an application linked behind this proxy scope answer preflights with its CORS library?"""
    paths = ctx.paths_of(policy)
    if not paths:
        return False
    from corslint.checks._layers import answers_for_application

    return any(answers_for_application(path) for path in paths)
