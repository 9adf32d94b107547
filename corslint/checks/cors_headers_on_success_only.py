"""CORS402: CORS headers are added only to successful responses (nginx/Apache without `always`; Starlette's 500)."""

from __future__ import annotations

from typing import Iterator

from corslint.checks._http_helpers import (
    ACAC,
    ACAO,
    ACEH,
    NGINX_SUCCESS_STATUSES,
    is_preflight_answer,
    main_emissions,
)
from corslint.findings import Finding, Severity
from corslint.model import CorsPolicy, DeliveryFact, DeliveryKind, HeaderEmission, Related
from corslint.rule import Rule, RuleContext


RESPONSE_HEADERS = frozenset({ACAO.lower(), ACAC.lower(), ACEH.lower()})
_APACHE_OWN_ERRORS = "the error responses Apache produces itself (a missing file's 404, 403, its own 500)"


class CorsHeadersOnSuccessOnly(Rule):
    code = "CORS402"
    name = "cors-headers-on-success-only"
    summary = (
        "CORS headers are added only to successful responses (nginx `add_header` or Apache `Header` without "
        "`always`; the Starlette/FastAPI 500 of an unhandled exception), so error responses reach scripts as "
        "opaque CORS errors that hide the real status."
    )
    severity = Severity.WARNING
    tags = ("correctness",)
    sources = frozenset({"nginx", "apache", "fastapi", "starlette"})

    def check(self, policy: CorsPolicy, ctx: RuleContext) -> Iterator[Finding]:
        if is_preflight_answer(policy) or _static(policy):
            return  # fonts and images are fetched by the page, not read by scripts: their error status matters little
        outside = next((f for f in policy.delivery if f.kind is DeliveryKind.ERRORS_OUTSIDE), None)
        if outside is not None:
            yield self.finding(policy, outside.prov, _outside_message(policy, outside), severity=Severity.INFO, hint=_OUTERMOST_HINT)
            return
        emissions = main_emissions(policy)
        # a header another line already sends with `always` reaches the error responses anyway
        delivered = {e.name.lower() for e in emissions if e.always is True}
        # only these matter on an error response: the rest are read from preflight answers, which are 2xx
        lacking = [e for e in emissions if e.name.lower() in RESPONSE_HEADERS and e.always is False and e.name.lower() not in delivered]
        # Allow-Origin decides; Allow-Credentials alone still breaks credentialed errors; Expose-Headers alone does not
        anchor = next((e for name in (ACAO, ACAC) for e in lacking if e.name.lower() == name.lower()), None)
        if anchor is None:
            return
        paths = [path for path in ctx.paths_of(policy) if path.proxy is policy]
        if paths and _moot_behind(paths):
            # the linked application sends the header on its own error responses too: what breaks is the duplicate
            # on the others (CORS404), not a missing header
            return
        names: list[str] = []
        for emission in lacking:
            if emission.name not in names:
                names.append(emission.name)
        rel = tuple(Related(e.prov.location, f"{e.name} also lacks `always`") for e in lacking if e is not anchor)
        if anchor.name.lower() == ACAO.lower():
            message = f"{_list(names)} {'is' if len(names) == 1 else 'are'} added without `always`, {_effect(policy, len(names))}"
        else:
            message = _credentials_only(policy, names)
        yield self.finding(policy, anchor.prov, message, hint=_hint(policy, anchor), related=rel)


_OUTERMOST_HINT = "app = CORSMiddleware(app, allow_origins=[...])  # wrap the finished app, outside ServerErrorMiddleware"


def _outside_message(policy: CorsPolicy, fact: DeliveryFact) -> str:
    framework = "FastAPI" if policy.source == "fastapi" else "Starlette"
    return (
        f"The {framework} 500 for an unhandled exception carries no CORS headers ({fact.detail}): the browser "
        "reports a CORS error instead of the 500, and scripts cannot see the status. HTTPException responses "
        "(404, 422...) keep the headers. Wrap the finished app in the middleware, outermost, to see the 500."
    )


def _static(policy: CorsPolicy) -> bool:
    rules = policy.origins
    return policy.static_assets or (bool(rules) and all(rule.static_assets for rule in rules))


def _credentials_only(policy: CorsPolicy, names: list[str]) -> str:
    errors = _APACHE_OWN_ERRORS if policy.source == "apache" else "4xx and 5xx responses"
    return (
        f"{_list(names)} {'is' if len(names) == 1 else 'are'} added without `always` while Access-Control-Allow-Origin "
        f"has it, so {errors} carry the origin but not "
        "`Access-Control-Allow-Credentials: true`. Credentialed requests that fail (401, 404, 429, 500...) then reach "
        "scripts as opaque CORS errors instead of their real status. Add `always` to each."
    )


def _list(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _effect(policy: CorsPolicy, count: int) -> str:
    them, each = ("it", "it") if count == 1 else ("them", "each")
    if policy.source == "apache":
        sent = (
            f"so Apache puts {them} in the success table only: {_APACHE_OWN_ERRORS} go out without {them}, while "
            f"proxied and CGI error responses keep {them}"
        )
    else:
        sent = f"so nginx sends {them} only with status {NGINX_SUCCESS_STATUSES}: 4xx and 5xx responses go out without {them}"
    return (
        f"{sent}. The browser then reports an opaque CORS error and scripts cannot see the real status (401, 404, "
        f"429, 500...). Add `always` to {each}."
    )


def _hint(policy: CorsPolicy, anchor: HeaderEmission) -> str:
    if policy.source == "apache":
        return f'Header always set {anchor.name} "{anchor.value}"'
    return f"add_header {anchor.name} {anchor.value} always;"


def _moot_behind(paths: list) -> bool:
    """The applications linked behind send their own Allow-Origin for every origin the proxy allows, errors included."""
    from corslint.checks._layers import doubled_for

    return all(doubled_for(path, ACAO) in ("every", "covers") for path in paths)
