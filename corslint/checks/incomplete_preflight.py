"""CORS202: the OPTIONS answer exists but lacks a header the browser checks on the preflight."""

from __future__ import annotations

from typing import Iterator, Optional

from corslint.checks._http_helpers import (
    SERVER_AND_APPLICATION_SOURCES,
    ACAC,
    ACAH,
    ACAM,
    ACAO,
    describe,
    first_emission,
    headers_need_preflight,
    is_preflight_answer,
    main_emissions,
    methods_need_preflight,
    related,
    split_list,
)
from corslint.checks._wiring import facts
from corslint.model import ROUTE_METHOD
from corslint.findings import Finding, Severity
from corslint.model import CorsPolicy, HeaderEmission, ListKind, ListSetting, PreflightKind, Provenance, Related
from corslint.rule import Rule, RuleContext

_WHY = {
    ACAO: "without it every preflight fails the CORS check",
    ACAC: "credentialed requests need it on the preflight too",
    ACAM: "without it only GET, HEAD and POST pass the preflight",
    ACAH: "without it no request header outside the safelist passes the preflight",
}


class IncompletePreflight(Rule):
    code = "CORS202"
    name = "incomplete-preflight"
    summary = (
        "The OPTIONS preflight answer lacks a header the browser checks: Access-Control-Allow-Origin, "
        "or the Allow-Methods/Allow-Headers the actual requests need."
    )
    severity = Severity.ERROR
    tags = ("correctness",)
    sources = SERVER_AND_APPLICATION_SOURCES

    def check(self, policy: CorsPolicy, ctx: RuleContext) -> Iterator[Finding]:
        yield from self._library_methods(policy)
        if is_preflight_answer(policy) or policy.preflight.kind is PreflightKind.ANSWERED:
            for path in ctx.paths_of(policy):
                from corslint.checks._layers import preflight_mismatch

                found = preflight_mismatch(self, path) if path.proxy is policy else None
                if found is not None:
                    yield found
                    break
        preflight = policy.preflight
        if preflight.kind is not PreflightKind.ANSWERED or not preflight.headers or is_preflight_answer(policy):
            return
        missing = [(name, prov) for name, prov in _needed(policy) if preflight.header(name) is None]
        if not missing:
            return
        names = ", ".join(name for name, _ in missing)
        reasons = "; ".join(
            f"{name}: {_WHY[name]} (this scope sends it via {describe(prov, policy.source)})" for name, prov in missing
        )
        rel: list[Related] = []
        for name, prov in missing:
            rel.extend(related(prov, f"{name} on the actual response", unless=preflight.prov))
        message = (
            f"The OPTIONS preflight answer lacks {names}, which the actual responses of this scope rely on. "
            f"{reasons}. Add {'them' if len(missing) > 1 else 'it'} to the OPTIONS answer."
        )
        yield self.finding(policy, preflight.prov, message, hint=_hint(policy, missing), related=rel)


    def _library_methods(self, policy: CorsPolicy) -> Iterator[Finding]:
        """A library answers preflights with its method list, and the app serves routes outside it."""
        methods = policy.methods
        if policy.preflight.kind is not PreflightKind.LIBRARY or methods.kind not in (ListKind.EXPLICIT, ListKind.DEFAULT):
            return
        routes = [f for f in facts(policy, ROUTE_METHOD) if f.subject != "OPTIONS" and not methods.contains(f.subject)]
        if not routes:
            return
        served = list(dict.fromkeys(f.subject for f in routes))
        allowed = ", ".join(methods.items) or "no method"
        origin = describe(methods.prov, policy.source, default=methods.kind is ListKind.DEFAULT)
        message = (
            f"The preflight answer allows only {allowed} (from {origin}), but this app serves "
            f"{', '.join(served)} routes: a cross-origin {served[0]} that needs a preflight (a JSON body, an "
            f"Authorization header) is refused{_REFUSAL.get(policy.source, '')}. List every method the "
            "cross-origin routes use."
        )
        rel = [Related(f.prov.location, f"{f.subject} route{' ' + f.detail if f.detail else ''}") for f in routes]
        yield self.finding(
            policy, methods.prov, message, hint=f"allow {', '.join(served)} as well", related=rel
        )


_REFUSAL = {
    "fastapi": " (Starlette's CORSMiddleware answers such a preflight with 400)",
    "starlette": " (Starlette's CORSMiddleware answers such a preflight with 400)",
}


def _needed(policy: CorsPolicy) -> list[tuple[str, Optional[Provenance]]]:
    """Headers the preflight must carry, given the actual response path, each with where the main path sets it."""
    main = main_emissions(policy)
    needed: list[tuple[str, Optional[Provenance]]] = []
    acao = first_emission(main, ACAO)
    if acao is not None or policy.origins:
        needed.append((ACAO, acao.prov if acao else policy.origins[0].prov))
    if policy.credentials_on():
        acac = first_emission(main, ACAC)
        needed.append((ACAC, acac.prov if acac else policy.credentials.prov))
    methods = _main_list(policy.methods, main, ACAM)
    if methods_need_preflight(methods):
        needed.append((ACAM, methods.prov))
    headers = _main_list(policy.allow_headers, main, ACAH)
    if headers_need_preflight(headers):
        needed.append((ACAH, headers.prov))
    return needed


def _main_list(setting: ListSetting, main: list[HeaderEmission], name: str) -> ListSetting:
    """The list as the model states it, or as the main path's own header spells it when the model has none."""
    if setting.present:
        return setting
    emission = first_emission(main, name)
    if emission is None:
        return setting
    if "$" in emission.value:
        return ListSetting(ListKind.UNKNOWN, (), emission.prov)
    return ListSetting(ListKind.EXPLICIT, tuple(split_list(emission.value)), emission.prov)


def _hint(policy: CorsPolicy, missing: list[tuple[str, Optional[Provenance]]]) -> str:
    names = ", ".join(name for name, _ in missing)
    if policy.source == "nginx":
        return f"repeat {names} inside the OPTIONS block: its own add_header lines replace the inherited ones"
    if policy.source == "apache":
        return f"set {names} with `Header always set`: the rewritten OPTIONS answer carries only the always table"
    return f"send {names} on the OPTIONS answer as well"
