"""The CORS headers a scope sends for one request, each with the line it comes from: the actual response (success and
error status) and the answer to the OPTIONS preflight. Values that depend on what corslint cannot see are said so."""

from __future__ import annotations

from typing import Optional
from urllib.parse import urlsplit

from corslint.model import CorsPolicy, FixedAnswer, HeaderEmission, ListKind, ListSetting, MatchMode, OriginKind, OriginRule, PreflightKind, Provenance
from corslint.records import field, record
from corslint.simulate.redirects import fixed_answer
from corslint.simulate.request import SimRequest, unsafe_headers

ACAO = "Access-Control-Allow-Origin"
ACAC = "Access-Control-Allow-Credentials"
ACAM = "Access-Control-Allow-Methods"
ACAH = "Access-Control-Allow-Headers"
ACAPN = "Access-Control-Allow-Private-Network"
_PROXIES = frozenset({"nginx", "apache"})
# code that writes the headers itself: each line is sent as it is written, like a server's configuration
_HANDWRITTEN = frozenset({"node", "nestjs-handler", "flask-handler", "django-view"})
# what answers an OPTIONS request the hand-written code hands on
_HANDED_ON = {
    "flask-handler": "Flask answers OPTIONS itself with 200 for a path it has a route for, 404 otherwise",
    "django-view": "the view or Django's 404 answers it",
}
_JS_LIBRARIES = frozenset({"express", "koa", "fastify", "nestjs"})
# libraries that send `Access-Control-Allow-Credentials: true` on every response to a request with an Origin, allowed
# or not (Starlette 1.10 `simple_headers`; npm `cors` 2.8 `configureCredentials`; @fastify/cors 11; all run)
_CREDENTIALS_ALWAYS = frozenset({"starlette", "fastapi", "express", "fastify"})
# libraries whose preflight answer carries its Allow-Credentials, -Methods and -Headers whatever the origin (npm `cors`
# 2.8.6 with express 5, run): only Allow-Origin depends on it
_PREFLIGHT_HEADERS_ALWAYS = frozenset({"express"})
# nginx `add_header` without `always` goes only on these statuses
_NGINX_SUCCESS = frozenset({200, 201, 204, 206, 301, 302, 303, 304, 307, 308})


@record(frozen=True)
class Sent:
    """One header on a response: its value, where it comes from, and how (`added by nginx`, `npm cors`)."""

    name: str
    value: str
    prov: Optional[Provenance] = None
    by: str = ""


@record
class Response:
    """What the browser receives: the status (0 when not known), the CORS headers, and what corslint could not tell."""

    status: int = 0
    headers: list[Sent] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    note: str = ""
    # the configuration's own answer (a redirect, a `return`) when it gives this response itself
    answer: Optional[FixedAnswer] = None

    @property
    def redirect(self) -> bool:
        return self.answer is not None and self.answer.redirects

    def values(self, name: str) -> list[Sent]:
        low = name.lower()
        return [h for h in self.headers if h.name.lower() == low]


def allowed_origin(policy: CorsPolicy, origin: str) -> tuple[Optional[str], Optional[Provenance], str]:
    """The Access-Control-Allow-Origin value the scope sends to `origin`: (value or None, where, what is unknown)."""
    rules = [r for r in policy.origins if not r.development]
    # proxies and the npm `cors` kin send a literal value to every request unless the source says it goes only to the
    # origin it equals (a map entry, an array entry); the Python libraries compare and echo
    fixed = policy.source in _PROXIES or policy.source in _JS_LIBRARIES
    for rule in rules:
        if rule.static_assets:
            return None, rule.prov, f"the response's type (this value is sent only when {rule.static_assets})"
        if rule.env_fallback:
            return None, rule.prov, f"the value of ${rule.env_fallback} (corslint knows only its fallback, `{rule.display}`)"
        value, unknown = _apply(rule, origin, fixed=fixed)
        if unknown:
            return None, rule.prov, unknown
        if value is not None:
            return value, rule.prov, ""
    return None, None, ""


def _apply(rule: OriginRule, origin: str, *, fixed: bool) -> tuple[Optional[str], str]:
    kind = rule.kind
    if kind is OriginKind.ANY:
        return "*", ""
    if kind is OriginKind.REFLECT:
        return origin, ""
    if kind is OriginKind.NULL:
        return ("null", "") if origin == "null" else (None, "")
    if kind is OriginKind.EXACT and rule.mode is MatchMode.SCHEME_HOST:
        wanted, given = urlsplit(rule.value.strip()), urlsplit(origin)
        return (origin, "") if (wanted.scheme, wanted.netloc) == (given.scheme, given.netloc) else (None, "")
    if kind is OriginKind.EXACT:
        same = rule.value.strip().lower() == origin.lower() if rule.ignore_case else rule.value.strip() == origin
        if same:
            return rule.value.strip(), ""
        return (rule.value.strip(), "") if fixed and not rule.only_on_match and not rule.by_callback else (None, "")
    if kind is OriginKind.PATTERN:
        from corslint.origins import pattern_accepts

        accepted = pattern_accepts(rule.value, origin, dialect=rule.dialect or "pcre", mode=rule.mode or "search", ignore_case=rule.ignore_case)
        if accepted is None:
            return None, f"whether `{rule.value}` accepts {origin} (too complex to decide)"
        return (origin, "") if accepted else (None, "")
    return None, f"the value computed by `{rule.prov.raw}`"


def actual(policy: CorsPolicy, request: SimRequest, status: int = 200, *, preflight: bool = False) -> Response:
    """The actual (non-OPTIONS) response's CORS headers at `status` (`preflight`: the same scope's headers on an
    OPTIONS request it does not answer itself)."""
    fixed = fixed_answer(policy, request.path)
    response = Response(status) if fixed is None else Response(fixed.status, note=f"answered by `{fixed.prov.raw}`", answer=fixed)
    value, prov, unknown = allowed_origin(policy, request.origin)
    if unknown:
        response.unknown.append(f"{ACAO} depends on {unknown}")
    if fixed is not None:
        _written(policy, list(policy.emissions), value, request, response, preflight=preflight)
        return response
    if policy.source in _PROXIES or policy.source in _HANDWRITTEN:
        emissions = [e for e in policy.emissions if preflight or not e.options_only]
        _written(policy, emissions, value, request, response, preflight=preflight)
        return response
    if value is None and policy.origins and all(rule.by_callback for rule in policy.origins):
        return response  # the origin callback refused: the middleware steps aside and sends nothing
    if answered_first(policy, "OPTIONS" if preflight else request.method, request.path):
        response.note = "a route registered before the CORS middleware answers this request"
        return response
    emitted = [e for e in policy.emissions if _goes_out(policy, e, status)]
    if value is not None:
        response.headers.append(Sent(ACAO, value, prov, policy.source))
    sends_all = value is not None or policy.source in _CREDENTIALS_ALWAYS
    if policy.credentials.is_true() and sends_all:
        response.headers.append(Sent(ACAC, "true", policy.credentials.prov, policy.source))
    exposed = _exposed(policy.expose_headers)
    if exposed is not None and sends_all and _exposes(policy, preflight):
        response.headers.append(Sent("Access-Control-Expose-Headers", exposed, policy.expose_headers.prov, policy.source))
    for emission in emitted:
        if emission.name.lower() not in (ACAO.lower(), ACAC.lower()):
            _literal(emission, request, response, policy.source, preflight=preflight)
    return response


def answered_first(policy: CorsPolicy, method: str, path: str) -> str:
    """The route registered before the middleware that answers `method path` first ("" when none does)."""
    from corslint.model import MIDDLEWARE_ORDER
    from corslint.simulate.scopes import route_matches

    for fact in policy.wiring:
        if fact.kind != MIDDLEWARE_ORDER:
            continue
        for route in fact.routes:
            verb, _, pattern = route.partition(" ")
            if verb in (method.upper(), "ALL") or (verb == "GET" and method.upper() == "HEAD"):
                if route_matches(pattern, path):
                    return route
    return ""


def _exposes(policy: CorsPolicy, preflight: bool) -> bool:
    """npm `cors`, @fastify/cors, flask-cors and django-cors-headers put Expose-Headers on their preflight answers
    too; @koa/cors and Starlette only on actual responses (all run)."""
    return not preflight or policy.source in ("express", "fastify", "flask", "django")


def _exposed(setting: ListSetting) -> Optional[str]:
    if setting.kind is ListKind.ANY:
        return "*"
    if setting.kind is ListKind.EXPLICIT and setting.items:
        return ", ".join(setting.items)
    return None


def _written(policy: CorsPolicy, emissions: list[HeaderEmission], value: Optional[str], request: SimRequest,
             response: Response, *, preflight: bool) -> None:
    """The headers a server's configuration (or hand-written code) writes, on `response.status`: a literal
    Allow-Origin as written, a computed one as the origin rules give it for this origin (nothing when that is empty)."""
    for emission in emissions:
        if not _goes_out(policy, emission, response.status, response.answer is not None) or (emission.with_allowed_origin and value is None):
            continue
        if policy.source in _HANDWRITTEN and _guarded(emission):
            response.unknown.append(f"whether the condition around `{emission.prov.raw}` holds for this request")
            continue
        if emission.name.lower() != ACAO.lower():
            _literal(emission, request, response, policy.source, preflight=preflight)
        elif not _computed(emission.value) and not emission.computed:
            response.headers.append(Sent(ACAO, emission.value.strip().strip("'\""), emission.prov, policy.source))
        elif value is not None:
            response.headers.append(Sent(ACAO, value, emission.prov, policy.source))


def _goes_out(policy: CorsPolicy, emission: HeaderEmission, status: int, own_answer: bool = False) -> bool:
    if policy.source == "nginx" and emission.action == "add" and not emission.always:
        return status in _NGINX_SUCCESS
    if policy.source == "apache" and emission.always is False and own_answer and not 200 <= status < 300:
        # a redirect or error Apache makes itself goes out through its error-response path: only `Header always`
        return False
    if policy.source == "apache" and emission.always is False and status >= 400:
        # the onsuccess table reaches a proxied or script error response, never an error Apache makes itself
        return policy.content == "upstream"
    return True


def _computed(value: str) -> bool:
    return "$" in value or "%{" in value


def _guarded(emission: HeaderEmission) -> bool:
    """A line of code under a condition corslint does not tie to the Origin or to OPTIONS."""
    return emission.conditional and not emission.with_allowed_origin and not emission.options_only and not _origin_computed(emission)


def _origin_computed(emission: HeaderEmission) -> bool:
    """An Allow-Origin the code computes: the origin rules (its guards) say when and what it sends."""
    return emission.name.lower() == ACAO.lower() and emission.computed


def _literal(emission: HeaderEmission, request: SimRequest, response: Response, by: str, *, preflight: bool = False) -> None:
    """Add the header as the emission writes it; an echo of the preflight's request headers is empty on any other
    request, and a header whose value is empty is not sent (nginx, Apache)."""
    value = emission.value.strip().strip("'\"")
    if emission.computed:
        echoed = _echoed_request_header(emission.value)
        if echoed and preflight:
            value = ", ".join(unsafe_headers(request)) if echoed == "headers" else request.method
        elif echoed:
            response.unknown.append(f"{emission.name} copies `{emission.value}`, which a request that is not a preflight lacks")
            return
        else:
            response.unknown.append(f"{emission.name} is computed (`{emission.value}`)")
            return
    elif _computed(value):
        # a server's variable for a request header it lacks is empty, and an empty header is not sent
        echoed = _echoed_request_header(emission.value) if emission.value.strip() in _SERVER_ECHOES else ""
        if echoed:
            value = (", ".join(unsafe_headers(request)) if echoed == "headers" else request.method) if preflight else ""
        else:
            response.unknown.append(f"{emission.name} is computed (`{emission.value}`)")
    if value:
        response.headers.append(Sent(emission.name, value, emission.prov, by))


_SERVER_ECHOES = frozenset({"$http_access_control_request_headers", "%{Access-Control-Request-Headers}i",
                            "$http_access_control_request_method", "%{Access-Control-Request-Method}i"})


def _echoed_request_header(expression: str) -> str:
    """"method" or "headers" when code copies the preflight's Access-Control-Request-* header, else ""."""
    low = expression.lower().replace("_", "-")
    if "access-control-request-method" in low:
        return "method"
    if "access-control-request-headers" in low:
        return "headers"
    return ""


def preflight(policy: CorsPolicy, request: SimRequest, branch: Optional[CorsPolicy] = None) -> Response:
    """The answer to the OPTIONS preflight of `request`."""
    if branch is None and fixed_answer(policy, request.path) is not None:
        return actual(policy, request, preflight=True)
    answer = policy.preflight
    kind = answer.kind
    if kind is PreflightKind.ANSWERED and answer.passes_on and branch is None:
        response = actual(policy, request, 0, preflight=True)
        response.note = "the code adds its headers and hands OPTIONS on"
        after = _HANDED_ON.get(policy.source, "Express answers 200 with `Allow` for a path it has routes for, 404 otherwise")
        response.unknown.append(f"the status what follows gives OPTIONS ({after})")
        return response
    if kind is PreflightKind.ANSWERED and policy.source in _HANDWRITTEN and not answer.status:
        response = Response(0, note="answered by this code itself")
        value, _, unknown = allowed_origin(policy, request.origin)
        _written(policy, list(answer.headers) or list(policy.emissions), value, request, response, preflight=True)
        response.unknown.append(f"the status the code answers OPTIONS with{f' ({unknown})' if unknown else ''}")
        return response
    if kind is PreflightKind.ANSWERED or branch is not None:
        status = answer.status or 204
        source = branch or policy
        headers = list(answer.headers) if answer.headers else list(source.emissions)
        response = Response(status, note="answered by this configuration itself")
        value, _, unknown = allowed_origin(source, request.origin)
        if unknown:
            response.unknown.append(f"{ACAO} depends on {unknown}")
        _written(policy, headers, value, request, response, preflight=True)
        return response
    first = answered_first(policy, "OPTIONS", request.path) if kind is PreflightKind.LIBRARY else ""
    if first:
        response = actual(policy, request, 0, preflight=True)
        response.unknown.append(f"what the route `{first}` answers to OPTIONS")
        return response
    if kind is PreflightKind.LIBRARY:
        if policy.source in ("starlette", "fastapi"):
            return _starlette_preflight(policy, request)
        return _library_preflight(policy, request)
    if kind is PreflightKind.NOT_HANDLED:
        # the refusal (nginx's 405 for a file, 403 of limit_except) still carries what goes on every status
        status = answer.status or 405
        if policy.source not in _PROXIES:
            # the framework answers OPTIONS itself (Flask's and Express's automatic answer): the CORS code never runs
            return Response(status, note=answer.note)
        refused = actual(policy, request, status, preflight=True)
        refused.note = answer.note or "nothing here answers OPTIONS with a 2xx"
        return refused
    if kind is PreflightKind.DELEGATED:
        response = Response(0, note=f"OPTIONS goes on to `{answer.note}`")
        response.unknown.append(f"what `{answer.note}` answers to OPTIONS (an upstream corslint does not see)")
        return response
    response = Response(0, note=answer.note)
    response.unknown.append(answer.note or "how OPTIONS is answered here")
    return response


def _library_preflight(policy: CorsPolicy, request: SimRequest) -> Response:
    """A CORS library's own OPTIONS answer: the origin check, then the methods and headers it lists or echoes."""
    value, prov, unknown = allowed_origin(policy, request.origin)
    response = Response(_library_status(policy, value is not None), note=policy.preflight.note)
    if unknown:
        response.unknown.append(f"{ACAO} depends on {unknown}")
        return response
    if value is None and policy.source not in _PREFLIGHT_HEADERS_ALWAYS:
        return response
    if value is not None:
        response.headers.append(Sent(ACAO, value, prov, policy.source))
    if policy.credentials.is_true():
        response.headers.append(Sent(ACAC, "true", policy.credentials.prov, policy.source))
    for name, setting, requested in ((ACAM, policy.methods, request.method.upper()), (ACAH, policy.allow_headers, ", ".join(unsafe_headers(request)))):
        listed = _flask_allowed(setting, request) if name == ACAH and policy.source == "flask" else _listed(setting, requested)
        if listed is not None:
            response.headers.append(Sent(name, listed, setting.prov, policy.source))
    private = _private_network_answer(policy, request)
    if private is not None:
        response.headers.append(Sent(ACAPN, private, policy.private_network.prov, policy.source))
    exposed = _exposed(policy.expose_headers)
    if exposed is not None and _exposes(policy, True):
        response.headers.append(Sent("Access-Control-Expose-Headers", exposed, policy.expose_headers.prov, policy.source))
    if policy.max_age.is_known and policy.max_age.value not in (None, "", 0, False):  # django-cors-headers: 86400
        response.headers.append(Sent("Access-Control-Max-Age", str(policy.max_age.value), policy.max_age.prov, policy.source))
    return response


def _starlette_preflight(policy: CorsPolicy, request: SimRequest) -> Response:
    """Starlette's `CORSMiddleware.preflight_response` (1.10): its preflight headers always, Allow-Origin when the
    origin is allowed, and 400 when the origin, the method or a requested header is not allowed."""
    value, prov, unknown = allowed_origin(policy, request.origin)
    response = Response(200, note=policy.preflight.note)
    if unknown:
        response.unknown.append(f"{ACAO} depends on {unknown}")
        return response
    failures = [] if value is not None else ["origin"]
    if value is not None:
        response.headers.append(Sent(ACAO, value, prov, policy.source))
    methods = policy.methods
    response.headers.append(Sent(ACAM, ", ".join(methods.items), methods.prov, policy.source))
    if request.method not in methods.items:
        failures.append("method")
    if policy.max_age.is_known:
        response.headers.append(Sent("Access-Control-Max-Age", str(policy.max_age.value), policy.max_age.prov, policy.source))
    requested = unsafe_headers(request)
    allowed = policy.allow_headers
    if allowed.kind is ListKind.REFLECT:
        if requested:
            response.headers.append(Sent(ACAH, ", ".join(requested), allowed.prov, policy.source))
    else:
        response.headers.append(Sent(ACAH, ", ".join(allowed.items), allowed.prov, policy.source))
        if any(not allowed.contains(name) for name in requested):
            failures.append("headers")
    if policy.credentials.is_true():
        response.headers.append(Sent(ACAC, "true", policy.credentials.prov, policy.source))
    if request.private_network:
        if policy.private_network.is_true():
            response.headers.append(Sent(ACAPN, "true", policy.private_network.prov, policy.source))
        else:
            failures.append("private-network")
    if failures:
        response.status = 400
        response.note = "Starlette answers \"Disallowed CORS " + ", ".join(failures) + "\" (400)"
    return response


def _private_network_answer(policy: CorsPolicy, request: SimRequest) -> Optional[str]:
    """A library's Allow-Private-Network on a PNA preflight from an allowed origin (each read in its source): django,
    @koa/cors and Starlette send `true` when enabled; flask-cors 6 sends `false` when not; npm `cors` 2.8 and
    @fastify/cors 11 have no such option."""
    if not request.private_network:
        return None
    on = policy.private_network.is_true()
    if policy.source == "flask":
        return "true" if on else "false"
    if on and policy.source in ("django", "koa", "starlette", "fastapi"):
        return "true"
    return None


def _flask_allowed(setting: ListSetting, request: SimRequest) -> Optional[str]:
    """flask-cors answers with the requested headers its list allows, not the list (6.0.5, run); none: no header."""
    requested = unsafe_headers(request)
    if setting.kind in (ListKind.ANY, ListKind.REFLECT) or any(item in ("*", ".*") for item in setting.items):
        kept = requested
    elif setting.kind in (ListKind.EXPLICIT, ListKind.DEFAULT):
        kept = [name for name in requested if setting.contains(name)]
    else:
        return None
    return ", ".join(kept) or None


def _library_status(policy: CorsPolicy, allowed: bool) -> int:
    if policy.source in ("fastapi", "starlette"):
        return 200 if allowed else 400  # Starlette answers a disallowed preflight "Disallowed CORS origin" (400)
    if policy.source in ("express", "koa", "fastify", "nestjs"):
        return 204
    return 200


def _listed(setting: ListSetting, requested: str) -> Optional[str]:
    if setting.kind is ListKind.REFLECT:
        return requested
    if setting.kind is ListKind.ANY:
        return "*"
    if setting.kind in (ListKind.EXPLICIT, ListKind.DEFAULT):
        return ", ".join(setting.items)
    return None
