"""Findings on a linked request path. CORS404: the proxy in front of an application adds a single-valued CORS header
the application already sends, so the browser receives two. CORS501: the proxy hides the application's
Access-Control-Allow-Origin and sends none itself, so the application's CORS settings never reach the browser.
CORS202: the proxy answers the preflight itself and refuses methods, headers or origins the application allows."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator, Optional

from corslint.checks._http_helpers import (
    ACAH as ACAH_NAME,
    ACAM as ACAM_NAME,
    is_preflight_answer,
    library_name,
    preflighted_headers,
    preflighted_methods,
    quoted,
)
from corslint.findings import Finding, Severity
from corslint.layers.links import RequestPath
from corslint.layers.paths import ACAC, ACAO, app_sends, covering, hidden, live_origins, module_of, overlap, proxy_copies
from corslint.model import CorsPolicy, HeaderEmission, ListKind, ListSetting, OriginKind, PreflightKind, Provenance, Related

if TYPE_CHECKING:
    from corslint.rule import Rule

_HOW = {
    "nginx": "nginx's `add_header` adds to the headers the upstream sent and never replaces them (checked on nginx 1.22)",
    "apache-add": "Apache's `Header add` and `append` keep the backend's own copy (checked on Apache 2.4)",
    "apache": "Apache's `always` table is kept apart from the headers a proxied or mod_wsgi application sends and never "
    "replaces them (checked on Apache 2.4)",
}
_FIX = {
    "nginx": "keep one layer in charge: drop these add_header lines and let the application answer, or put "
    "`{module}_hide_header {header};` next to them so nginx's value replaces the application's",
    "apache": "keep one layer in charge: drop this line and let the application answer, or use `Header set` "
    "(onsuccess), which replaces the application's copy",
}


def across_layers(rule: "Rule", path: RequestPath, doubled: set[str]) -> Optional[Finding]:
    """One finding per path: the single-valued headers both layers send, anchored at the proxy's first one."""
    if is_preflight_answer(path.proxy):
        return None  # the proxy's own OPTIONS answer: the request never reaches the application
    copies: list[tuple[HeaderEmission, Related]] = []
    app_note = None
    proxy_origins = live_origins(path.proxy)
    sure = True
    for app in covering(path):
        sent = app_sends(app)
        if not sent:
            continue
        shared = overlap(proxy_origins, live_origins(app)) if ACAO in sent else False
        if shared is False and path.proxy.origins:
            continue
        sure = sure and shared is True
        for emission in proxy_copies(path):
            low = emission.name.lower()
            if low in sent and low not in doubled and all(e.name.lower() != low for e, _ in copies):
                copies.append((emission, Related(sent[low].location, f"the {library_name(app.source)} also sends {emission.name} here")))
                app_note = app_note or (app, sent[low])
    if not copies or app_note is None:
        return None
    for emission, _ in copies:
        doubled.add(emission.name.lower())
    anchor = next((e for e, _ in copies if e.name.lower() == ACAO), copies[0][0])
    app, app_prov = app_note
    names = " and ".join(e.name for e, _ in copies)
    lines = " and ".join(quoted(e.prov) for e, _ in copies)
    certain = sure and not path.assumed and not path.proxy.condition and not any(e.conditional for e, _ in copies)
    lead = (
        f"{names} {'is' if len(copies) == 1 else 'are'} sent twice on responses from this scope: {lines} "
        f"{'adds it' if len(copies) == 1 else 'add them'}, and {_behind(path)} sends its own from {_at(app_prov)}. "
        f"{_HOW[_how(path.proxy.source, anchor)]}, so the browser sees two values and rejects the "
        "response with \"multiple values\""
    )
    scope = "for every origin the application allows" if certain else "for the origins both layers allow"
    assumed = f" (assuming {path.assumed})" if path.assumed else ""
    message = f"{lead} {scope}{assumed}. To fix, {_FIX[path.proxy.source].format(header=anchor.name, module=module_of(path.upstream))}."
    related = [related for _, related in copies] + _steps(path)
    severity = None if certain else Severity.WARNING
    return rule.finding(path.proxy, anchor.prov, message, severity=severity, hint=f"send {anchor.name} from one layer only", related=related)


def _behind(path: RequestPath) -> str:
    """`the application behind this proxy (compose service api, in `backend`)`: the same words for every location that
    proxies to it, so reporters fold one fault repeated in several locations into one entry."""
    return f"the application behind this proxy ({path.service}, in `{path.folder}`)"


def _steps(path: RequestPath) -> list[Related]:
    """The link as notes: the `*_pass` line, then each step to the application."""
    passed = Related(path.upstream.prov.location, f"`{path.upstream.prov.raw}` hands the requests to {path.service}")
    return [passed, *path.steps]


def _at(prov: Provenance) -> str:
    return f"{quoted(prov)} ({prov.location.path}, line {prov.location.line})"


def _how(source: str, emission: HeaderEmission) -> str:
    return "apache-add" if source == "apache" and emission.action in ("add", "append") else source


def hidden_by_proxy(rule: "Rule", path: RequestPath) -> Iterator[Finding]:
    hide = hidden(path).get(ACAO)
    if hide is None or any(e.name.lower() == ACAO for e in path.proxy.emissions):
        return
    for app in covering(path):
        sent = app_sends(app).get(ACAO)
        if sent is None:
            continue
        message = (
            f"{quoted(hide.prov)} removes the Access-Control-Allow-Origin that {_behind(path)} sends from "
            f"{_at(sent)}, and this scope sends none of its own (checked on "
            f"nginx 1.22): the {library_name(app.source)} settings never reach the browser, and every cross-origin "
            "read through this proxy fails. Remove that line, or send the header from nginx instead."
        )
        related = [Related(sent.location, f"the {library_name(app.source)} sends Access-Control-Allow-Origin here")]
        yield rule.finding(path.proxy, hide.prov, message, hint="remove proxy_hide_header Access-Control-Allow-Origin", related=related + _steps(path))
        return


def answers_for_application(path: RequestPath) -> bool:
    """Does a CORS library of the application answer the preflights the proxy passes on?"""
    return any(app.preflight.kind is PreflightKind.LIBRARY for app in covering(path))


def preflight_mismatch(rule: "Rule", path: RequestPath) -> Optional[Finding]:
    """The proxy's own OPTIONS answer against what the application allows."""
    answer = _answer(path.proxy)
    if answer is None:
        return None
    for app in covering(path):
        if app.preflight.kind is not PreflightKind.LIBRARY:
            continue
        refused = _refusals(answer, app)
        if not refused:
            continue
        emission = answer.get(ACAM_NAME.lower()) or answer.get(ACAH_NAME.lower()) or answer.get(ACAO)
        anchor = emission[0].prov if emission else path.proxy.preflight.prov
        what = "; ".join(f"the {phrase} (from {_at(prov)})" if prov else f"the {phrase}" for phrase, prov in refused)
        message = (
            f"This scope answers OPTIONS preflights itself, so the {library_name(app.source)} of {_behind(path)} never "
            f"sees them, and the answer refuses what the application allows: {what}. Browsers stop such requests "
            "through this location at the preflight, before the application is asked (corslint cannot tell whether "
            "clients send them here). List the same methods, headers and origins in both places, or let the preflight "
            "through to the application."
        )
        related = [Related(prov.location, "the application allows it here") for _, prov in refused if prov is not None]
        # certain for the requests it names, but whether clients send them through this location is not known
        return rule.finding(path.proxy, anchor, message, severity=Severity.INFO, hint="answer the preflight with what the application allows", related=related + _steps(path))
    return None


_Answer = dict[str, list[HeaderEmission]]


def _answer(proxy: CorsPolicy) -> Optional[_Answer]:
    """The headers of the proxy's own OPTIONS answer by lower-cased name; None when the proxy does not answer it."""
    preflight = proxy.preflight
    if preflight.kind is PreflightKind.ANSWERED and preflight.headers:
        headers = list(preflight.headers)
    elif is_preflight_answer(proxy):
        headers = list(proxy.emissions)
    else:
        return None
    found: _Answer = {}
    for emission in headers:
        found.setdefault(emission.name.lower(), []).append(emission)
    return found


def _refusals(answer: _Answer, app: CorsPolicy) -> list[tuple[str, Optional[Provenance]]]:
    refused: list[tuple[str, Optional[Provenance]]] = []
    methods = _refused(answer, ACAM_NAME, preflighted_methods(app.methods) if _written(app.methods) else [])
    if methods:
        refused.append((f"method{'s' if len(methods) > 1 else ''} {', '.join(methods)}", app.methods.prov))
    headers = _refused(answer, ACAH_NAME, preflighted_headers(app.allow_headers) if _written(app.allow_headers) else [])
    if headers:
        refused.append((f"request header{'s' if len(headers) > 1 else ''} {', '.join(headers)}", app.allow_headers.prov))
    origins = _refused_origins(answer, app)
    if origins:
        refused.append((f"origin{'s' if len(origins) > 1 else ''} {', '.join(origins)}", app.origins[0].prov))
    credentialed = any(e.value.strip().strip("'\"") == "true" for e in answer.get(ACAC, []))
    if app.credentials.is_true() and not app.credentials.default and not credentialed:
        refused.append(("credentialed requests (no `Access-Control-Allow-Credentials: true` on the preflight answer)", app.credentials.prov))
    return refused


def _written(setting: ListSetting) -> bool:
    return setting.kind is ListKind.EXPLICIT and not setting.default


def _listed(answer: _Answer, name: str) -> Optional[set[str]]:
    """The comma-separated values of header `name` on the answer (lower-cased); None when one is not literal (`$var`)."""
    values: set[str] = set()
    for emission in answer.get(name.lower(), []):
        if "$" in emission.value or "%{" in emission.value:
            return None
        values.update(item.strip().strip("'\"").lower() for item in emission.value.strip("'\"").split(","))
    return values


def _refused(answer: _Answer, name: str, wanted: list[str]) -> list[str]:
    listed = _listed(answer, name)
    if not wanted or listed is None or "*" in listed:
        return []
    return [item for item in wanted if item.lower() not in listed]


def _refused_origins(answer: _Answer, app: CorsPolicy) -> list[str]:
    allowed = _listed(answer, ACAO)
    theirs = live_origins(app)
    if not allowed or "*" in allowed or not theirs or any(rule.kind is not OriginKind.EXACT for rule in theirs):
        return []
    return [rule.value for rule in theirs if rule.value.lower().rstrip("/") not in {a.rstrip("/") for a in allowed}]


def doubled_for(path: RequestPath, header: str) -> Optional[str]:
    """How the proxy's own `header` fares on this path when the application sends one as well: "every" when the
    application sends it for every origin (the proxy's value never goes out alone), "covers" when for every origin
    the proxy allows, "some" when only for some; None when the application sends none."""
    low = header.lower()
    if is_preflight_answer(path.proxy) or not any(e.name.lower() == low for e in proxy_copies(path)):
        return None
    found: Optional[str] = None
    mine = live_origins(path.proxy)
    for app in covering(path):
        if low not in app_sends(app):
            continue
        theirs = live_origins(app)
        if any(rule.kind in (OriginKind.ANY, OriginKind.REFLECT) for rule in theirs):
            return "every"
        exact = {rule.value.lower().rstrip("/") for rule in theirs if rule.kind is OriginKind.EXACT}
        if mine and all(rule.kind is OriginKind.EXACT and rule.value.lower().rstrip("/") in exact for rule in mine):
            found = "covers"
        elif found is None and overlap(mine, theirs) is not False:
            found = "some"
    return found
