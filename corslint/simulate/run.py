"""Puts the pieces together for one request: the places that answer it, the preflight and the actual response
(across layers where a proxy is linked to the application behind it), and the browser's verdict on each."""

from __future__ import annotations

from typing import Any, Optional

from corslint.model import CorsPolicy, PreflightKind
from corslint.records import field, record, replace
from corslint.simulate.browser import Step, Verdict, cors_check, preflight_checks
from corslint.simulate.redirects import MAX_HOPS, Hop, next_hop
from corslint.simulate.request import SimRequest, preflight_reasons
from corslint.simulate.responses import Response, Sent, actual, preflight
from corslint.simulate.scopes import Place, places

ERROR_STATUS = 404


@record
class Outcome:
    """What happens to the request at one place."""

    place: Place
    reasons: list[str]
    preflight: Optional[Response]
    preflight_verdict: Optional[Verdict]
    response: Response
    error_response: Response
    verdict: Verdict
    linked: str = ""  # the application behind the proxy, when the path is linked
    unknown: list[str] = field(default_factory=list)
    redirected: Optional["Redirected"] = None

    @property
    def allowed(self) -> Optional[bool]:
        if self.preflight_verdict is not None and self.preflight_verdict.allowed is False:
            return False
        if self.verdict.allowed is False:
            return False
        if self.unknown:
            return None
        if self.redirected is not None:
            return self.redirected.allowed
        return True


@record
class Redirected:
    """The browser following a redirect that passed the CORS check: where to, and what happens there (`verdict` when
    no place answers the target, so its response carries no CORS header)."""

    hop: Hop
    outcomes: list[Outcome] = field(default_factory=list)
    verdict: Optional[Verdict] = None

    @property
    def allowed(self) -> Optional[bool]:
        if self.hop.request is None:
            return None
        if self.verdict is not None:
            return self.verdict.allowed
        results = [o.allowed for o in self.outcomes]
        if False in results:
            return False
        return None if None in results else True


def simulate(policies: list[CorsPolicy], layers: Any, request: SimRequest, hops: int = 0) -> list[Outcome]:
    """One outcome per place that answers the request; an application a proxy in the tree is linked to is reached
    through that proxy, so it is judged there, not on its own. A redirect is followed (at most MAX_HOPS)."""
    found = places(policies, request.path, request.host)
    behind: set[int] = set()
    for place in found:
        apps = _linked_apps(place.policy, layers)
        if apps:
            behind.update(id(app) for app in apps[0])
    outcomes = [_at(place, layers, request) for place in found if id(place.policy) not in behind]
    for outcome in outcomes:
        passed = outcome.preflight_verdict is None or outcome.preflight_verdict.allowed is not False
        if passed and outcome.response.redirect and outcome.verdict.allowed is not False and not outcome.unknown:
            outcome.redirected = _follow(policies, layers, outcome, request, hops)
    return outcomes


def _follow(policies: list[CorsPolicy], layers: Any, outcome: Outcome, request: SimRequest, hops: int) -> Redirected:
    policy = outcome.place.main or outcome.place.policy
    answer = outcome.response.answer
    assert answer is not None
    hop = next_hop(policy, answer, request)
    if hop.request is None:
        outcome.unknown.append(hop.unknown)
        return Redirected(hop)
    if hops + 1 >= MAX_HOPS or hop.request.path == request.path:
        outcome.unknown.append(f"where the redirects end (the chain goes on past {hops + 1} redirects, or loops)")
        return Redirected(replace(hop, request=None))
    following = simulate(policies, layers, hop.request, hops + 1)
    if following:
        return Redirected(hop, following)
    verdict = Verdict(False)
    cors_check(hop.request, Response(200), verdict, preflight=False)
    return Redirected(hop, [], verdict)


def _at(place: Place, layers: Any, request: SimRequest) -> Outcome:
    policy = place.policy
    apps = _linked_apps(policy, layers)
    reasons = preflight_reasons(request)
    unknown: list[str] = []
    pre_response: Optional[Response] = None
    pre_verdict: Optional[Verdict] = None
    if reasons:
        pre_response = _preflight(place, apps, request)
        pre_verdict = _judge(request, pre_response, preflight=True)
        unknown.extend(pre_response.unknown)
    response = _place_actual(place, apps, request, 200)
    error = _place_actual(place, apps, request, ERROR_STATUS)
    verdict = _judge(request, response, preflight=False)
    unknown.extend(response.unknown)
    linked = f"{apps[1]} ({', '.join(a.scope for a in apps[0])})" if apps else ""
    return Outcome(place, reasons, pre_response, pre_verdict, response, error, verdict, linked, list(dict.fromkeys(unknown)))


def _linked_apps(policy: CorsPolicy, layers: Any) -> Optional[tuple[list[CorsPolicy], str, Any]]:
    if layers is None:
        return None
    from corslint.layers.paths import covering

    for path in layers.of(policy):
        if path.proxy is policy:
            return covering(path), f"{path.service}, in `{path.folder}`", path
    return None


def _preflight(place: Place, apps: Optional[tuple], request: SimRequest) -> Response:
    policy = place.policy
    branch = place.preflight_branch
    if branch is not None or policy.preflight.kind is not PreflightKind.DELEGATED or not apps:
        return preflight(policy, request, branch)
    # OPTIONS goes on to the linked application: its library answers, and the proxy adds its own headers
    answered = [preflight(app, request) for app in apps[0] if app.preflight.kind is PreflightKind.LIBRARY]
    if not answered:
        return preflight(policy, request)
    response = answered[0]
    response.note = f"answered by the application behind the proxy ({apps[1]})"
    return _merge(policy, apps[2], response, request)


def _place_actual(place: Place, apps: Optional[tuple], request: SimRequest, status: int) -> Response:
    """The actual response at a place: its main scope; an `if ($request_method = OPTIONS)` branch never answers it."""
    if place.main is not None:
        return _actual(place.main, apps, request, status)
    others = place.other_branches
    if others:
        response = Response(status)
        response.unknown.append(f"which of {', '.join(f'`{b.condition}`' for b in others)} holds for this request")
        return response
    # only the OPTIONS branch sets CORS here: the request goes on without its headers (to what is linked behind)
    from corslint.model import ABSENT

    return _actual(replace(place.policy, origins=[], emissions=[], credentials=ABSENT), apps, request, status)


def _actual(policy: CorsPolicy, apps: Optional[tuple], request: SimRequest, status: int) -> Response:
    if not apps or not apps[0]:
        return actual(policy, request, status)
    app_response = actual(apps[0][0], request, status)
    return _merge(policy, apps[2], app_response, request)


def _merge(policy: CorsPolicy, path: Any, behind: Response, request: SimRequest) -> Response:
    """The proxy's headers on top of the application's: added beside them, replacing them, or hiding them."""
    from corslint.layers.paths import beside_application, hidden

    own = actual(policy, request, behind.status or 200)
    hides = hidden(path)
    replaced = {e.name.lower() for e in policy.emissions if not beside_application(path, e)}
    kept = [h for h in behind.headers if h.name.lower() not in hides and h.name.lower() not in replaced]
    merged = Response(behind.status, kept + own.headers, behind.unknown + own.unknown, behind.note)
    return merged


def _judge(request: SimRequest, response: Response, *, preflight: bool) -> Verdict:
    verdict = Verdict(None)
    if preflight and response.status == 0:
        verdict.steps.append(Step("the preflight answer", None, "; ".join(response.unknown) or response.note))
        return verdict
    passed = preflight_checks(request, response, verdict) if preflight else cors_check(request, response, verdict, preflight=False)
    # with a value corslint cannot see, a check that passes or fails on the headers it did see decides nothing
    verdict.allowed = None if response.unknown else passed
    return verdict


__all__ = ["Outcome", "Sent", "simulate"]
