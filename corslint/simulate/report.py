"""How `corslint simulate` prints its verdict: a readable walk through the checks, or JSON for tools."""

from __future__ import annotations

from typing import Any, Optional

from corslint.simulate.browser import Verdict
from corslint.simulate.request import SimRequest
from corslint.simulate.responses import Response, Sent
from corslint.simulate.run import Outcome

_MARK = {True: "ok  ", False: "FAIL", None: "?   "}


def _where(sent: Optional[Sent]) -> str:
    if sent is None or sent.prov is None:
        return ""
    loc = sent.prov.location
    raw = f"  `{sent.prov.raw}`" if sent.prov.raw else ""
    return f"  {loc.path}:{loc.line}{raw}"


def _headers(response: Response, indent: str) -> list[str]:
    if not response.headers:
        return [f"{indent}(no CORS headers)"]
    return [f"{indent}{h.name}: {h.value}{_where(h)}" for h in response.headers]


def _steps(verdict: Verdict, indent: str) -> list[str]:
    return [f"{indent}{_MARK[step.passed]} {step.what}" + (f" ({step.detail})" if step.detail else "") for step in verdict.steps]


def as_text(request: SimRequest, outcomes: list[Outcome]) -> str:
    credentials = ", with credentials" if request.credentials else ""
    headers = f", setting {', '.join(name for name, _ in request.headers)}" if request.headers else ""
    lines = [f"Request: {request.method} {request.url} from origin {request.origin}{credentials}{headers}"]
    if not outcomes:
        lines.append(_NO_PLACE)
        return "\n".join(lines)
    for outcome in outcomes:
        lines.extend(_outcome(outcome, ""))
    return "\n".join(lines)


_NO_PLACE = "No scope that sets CORS answers this request: the browser gets no CORS headers, and a cross-origin read is blocked."


def _outcome(outcome: Outcome, pad: str) -> list[str]:
    policy = outcome.place.policy
    loc = policy.location
    linked = f"  -> {outcome.linked}" if outcome.linked else ""
    lines = ["", f"{pad}At {loc.path}:{loc.line}  {policy.scope}  [{policy.source}]{linked}"]
    if outcome.preflight is not None and outcome.preflight_verdict is not None:
        lines.append(f"{pad}  Preflight: needed ({'; '.join(outcome.reasons)})")
        status = outcome.preflight.status or "unknown status"
        note = f" -- {outcome.preflight.note}" if outcome.preflight.note else ""
        lines.append(f"{pad}    OPTIONS answer: {status}{note}")
        lines.extend(_headers(outcome.preflight, pad + "      "))
        lines.extend(_steps(outcome.preflight_verdict, pad + "    "))
    else:
        lines.append(f"{pad}  Preflight: not needed (a simple request)")
    if outcome.preflight_verdict is None or outcome.preflight_verdict.allowed is not False:
        response = outcome.response
        redirect = f", a redirect to {response.answer.target}" if response.answer is not None and response.redirect else ""
        lines.append(f"{pad}  Actual response ({response.status}{redirect}):")
        lines.extend(_headers(response, pad + "      "))
        lines.extend(_steps(outcome.verdict, pad + "    "))
        error = outcome.error_response
        if [h.name for h in error.headers] != [h.name for h in response.headers]:
            lines.append(f"{pad}    on an error ({error.status}): " + (", ".join(h.name for h in error.headers) or "no CORS headers"))
    if outcome.redirected is not None and outcome.redirected.hop.request is not None:
        return lines + _followed(outcome, pad)
    return lines + _verdict(outcome, pad)


def _followed(outcome: Outcome, pad: str) -> list[str]:
    redirected = outcome.redirected
    assert redirected is not None and redirected.hop.request is not None
    changes = f" ({'; '.join(redirected.hop.changes)})" if redirected.hop.changes else ""
    lines = [f"{pad}  The browser follows the redirect to {redirected.hop.url}{changes}:"]
    if redirected.verdict is not None:
        lines.append(f"{pad}    {_NO_PLACE}")
        lines.append(f"{pad}  Verdict: blocked")
        lines.append(f"{pad}  Console: {redirected.verdict.console}")
        return lines
    for following in redirected.outcomes:
        lines.extend(_outcome(following, pad + "    "))
    return lines


def _verdict(outcome: Outcome, pad: str) -> list[str]:
    allowed = outcome.allowed
    if allowed is True:
        return [f"{pad}  Verdict: allowed"]
    if allowed is None:
        return [f"{pad}  Verdict: depends on " + "; ".join(outcome.unknown)]
    failing = outcome.preflight_verdict if outcome.preflight_verdict is not None and outcome.preflight_verdict.allowed is False else outcome.verdict
    lines = [f"{pad}  Verdict: blocked", f"{pad}  Console: {failing.console}"]
    if failing.fix_at is not None and failing.fix_at.prov is not None:
        lines.append(f"{pad}  Change:{_where(failing.fix_at)}")
    return lines


def as_json(request: SimRequest, outcomes: list[Outcome]) -> dict[str, Any]:
    def response(r: Optional[Response]) -> Optional[dict[str, Any]]:
        if r is None:
            return None
        return {
            "status": r.status, "note": r.note, "unknown": r.unknown,
            "headers": [{"name": h.name, "value": h.value, "path": h.prov.location.path if h.prov else None,
                         "line": h.prov.location.line if h.prov else None} for h in r.headers],
        }

    def verdict(v: Optional[Verdict]) -> Optional[dict[str, Any]]:
        if v is None:
            return None
        return {"allowed": v.allowed, "console": v.console,
                "steps": [{"check": s.what, "passed": s.passed, "detail": s.detail} for s in v.steps]}

    def redirect(o: Outcome) -> Optional[dict[str, Any]]:
        if o.redirected is None:
            return None
        hop = o.redirected.hop
        followed = as_json(hop.request, o.redirected.outcomes)["places"] if hop.request is not None else []
        return {"location": hop.url, "followed": hop.request is not None, "changes": list(hop.changes), "places": followed,
                "verdict": verdict(o.redirected.verdict), "allowed": o.redirected.allowed}

    return {
        "request": {"origin": request.origin, "method": request.method, "headers": [n for n, _ in request.headers],
                    "credentials": request.credentials, "path": request.path, "host": request.host},
        "places": [
            {
                "path": o.place.policy.location.path, "line": o.place.policy.location.line, "scope": o.place.policy.scope,
                "source": o.place.policy.source, "linked": o.linked, "preflight_reasons": o.reasons,
                "preflight": response(o.preflight), "preflight_verdict": verdict(o.preflight_verdict),
                "response": response(o.response), "error_response": response(o.error_response),
                "verdict": verdict(o.verdict), "allowed": o.allowed, "unknown": o.unknown,
                "redirect": redirect(o),
            }
            for o in outcomes
        ],
    }
