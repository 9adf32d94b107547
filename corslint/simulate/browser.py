"""The browser's side: the Fetch standard's CORS check and CORS-preflight checks on the predicted headers, in order,
with the message Chromium's console prints when one fails."""

from __future__ import annotations

from typing import Optional

from corslint.records import field, record
from corslint.simulate.request import SAFELISTED_METHODS, SimRequest, unsafe_headers
from corslint.simulate.responses import ACAC, ACAH, ACAM, ACAO, ACAPN, Response, Sent


@record(frozen=True)
class Step:
    """One check: what was checked, whether it passed (None: cannot tell), and the header it read."""

    what: str
    passed: Optional[bool]
    detail: str = ""
    header: Optional[Sent] = None


@record
class Verdict:
    allowed: Optional[bool]  # None: depends on what corslint cannot see
    steps: list[Step] = field(default_factory=list)
    console: str = ""  # Chromium's message when blocked
    fix_at: Optional[Sent] = None  # the header whose line to change


def _lead(request: SimRequest) -> str:
    redirected = f" (redirected from '{request.redirected_from}')" if request.redirected_from else ""
    return f"Access to fetch at '{request.url}'{redirected} from origin '{request.origin}' has been blocked by CORS policy: "


def _blocked(request: SimRequest, reason: str, preflight: bool) -> str:
    lead = _lead(request)
    if preflight:
        lead += "Response to preflight request doesn't pass access control check: "
    return lead + reason


def cors_check(request: SimRequest, response: Response, verdict: Verdict, *, preflight: bool) -> bool:
    """Fetch "CORS check": one Access-Control-Allow-Origin equal to the origin (or `*` without credentials), and
    `Access-Control-Allow-Credentials: true` with credentials. False (and the console message) when it fails."""
    origins = response.values(ACAO)
    if not origins:
        verdict.steps.append(Step("Access-Control-Allow-Origin is present", False, "no such header"))
        verdict.console = _blocked(request, "No 'Access-Control-Allow-Origin' header is present on the requested resource.", preflight)
        return False
    joined = ", ".join(h.value for h in origins)
    if len(origins) > 1 or "," in origins[0].value:
        verdict.steps.append(Step("one Access-Control-Allow-Origin value", False, joined, origins[-1]))
        verdict.console = _blocked(
            request, f"The 'Access-Control-Allow-Origin' header contains multiple values '{joined}', but only one is allowed.", preflight
        )
        verdict.fix_at = origins[-1]
        return False
    header = origins[0]
    if header.value == "*" and request.credentials:
        verdict.steps.append(Step("`*` is not used with credentials", False, "the request is credentialed", header))
        verdict.console = _blocked(
            request,
            "The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when "
            "the request's credentials mode is 'include'.",
            preflight,
        )
        verdict.fix_at = header
        return False
    if header.value != "*" and header.value != request.origin:
        verdict.steps.append(Step("Access-Control-Allow-Origin equals the origin", False, header.value, header))
        verdict.console = _blocked(
            request, f"The 'Access-Control-Allow-Origin' header has a value '{header.value}' that is not equal to the supplied origin.", preflight
        )
        verdict.fix_at = header
        return False
    verdict.steps.append(Step("Access-Control-Allow-Origin matches", True, header.value, header))
    if request.credentials:
        credentials = response.values(ACAC)
        value = credentials[0].value if len(credentials) == 1 else ", ".join(h.value for h in credentials)
        if value != "true":
            verdict.steps.append(Step("Access-Control-Allow-Credentials is `true`", False, value or "absent", credentials[0] if credentials else None))
            verdict.console = _blocked(
                request,
                f"The value of the 'Access-Control-Allow-Credentials' header in the response is '{value}' which must be "
                "'true' when the request's credentials mode is 'include'.",
                preflight,
            )
            verdict.fix_at = credentials[0] if credentials else header
            return False
        verdict.steps.append(Step("Access-Control-Allow-Credentials is `true`", True, "true", credentials[0]))
    return True


def preflight_checks(request: SimRequest, response: Response, verdict: Verdict) -> bool:
    """Fetch "CORS-preflight fetch": no redirect, an ok status, the CORS check, then the method and each unsafe header."""
    if response.redirect:
        answer = response.answer
        assert answer is not None
        verdict.steps.append(Step("the preflight answer is not a redirect", False, f"{answer.status} to {answer.target}"))
        verdict.console = _blocked(request, "Redirect is not allowed for a preflight request.", True)
        verdict.fix_at = Sent("Location", answer.target, answer.prov)
        return False
    if not 200 <= response.status <= 299:
        verdict.steps.append(Step("the preflight answer has an ok status (2xx)", False, str(response.status)))
        verdict.console = _blocked(request, "It does not have HTTP ok status.", True)
        return False
    verdict.steps.append(Step("the preflight answer has an ok status (2xx)", True, str(response.status)))
    if not cors_check(request, response, verdict, preflight=True):
        return False
    methods_header = response.values(ACAM)
    methods = [m.strip() for h in methods_header for m in h.value.split(",") if m.strip()]
    method = request.method
    star = "*" in methods and not request.credentials
    if method.upper() not in SAFELISTED_METHODS and method not in methods and not star:
        verdict.steps.append(Step(f"Access-Control-Allow-Methods allows {method}", False, ", ".join(methods) or "absent", methods_header[0] if methods_header else None))
        verdict.console = f"{_lead(request)}Method {method} is not allowed by Access-Control-Allow-Methods in preflight response."
        verdict.fix_at = methods_header[0] if methods_header else None
        return False
    if method.upper() not in SAFELISTED_METHODS:
        verdict.steps.append(Step(f"Access-Control-Allow-Methods allows {method}", True, ", ".join(methods), methods_header[0] if methods_header else None))
    headers_header = response.values(ACAH)
    allowed = {h.strip().lower() for sent in headers_header for h in sent.value.split(",") if h.strip()}
    for name in unsafe_headers(request):
        # `*` covers every name but Authorization, and only without credentials (Fetch; Chromium)
        covered = name in allowed or ("*" in allowed and not request.credentials and name != "authorization")
        if not covered:
            verdict.steps.append(Step(f"Access-Control-Allow-Headers allows {name}", False, ", ".join(sorted(allowed)) or "absent", headers_header[0] if headers_header else None))
            verdict.console = f"{_lead(request)}Request header field {name} is not allowed by Access-Control-Allow-Headers in preflight response."
            verdict.fix_at = headers_header[0] if headers_header else None
            return False
        verdict.steps.append(Step(f"Access-Control-Allow-Headers allows {name}", True, "", headers_header[0] if headers_header else None))
    if request.private_network:
        return _private_network_check(request, response, verdict)
    return True


def _private_network_check(request: SimRequest, response: Response, verdict: Verdict) -> bool:
    """Private Network Access: the preflight answer must carry `Access-Control-Allow-Private-Network: true`."""
    sent = response.values(ACAPN)
    value = sent[0].value if sent else ""
    if value.strip().lower() != "true":
        verdict.steps.append(Step("Access-Control-Allow-Private-Network is `true`", False, value or "absent", sent[0] if sent else None))
        verdict.console = _blocked(
            request,
            "No 'Access-Control-Allow-Private-Network' header was present in the preflight response for this private "
            "network request targeting the `private` address space.",
            True,
        )
        verdict.fix_at = sent[0] if sent else None
        return False
    verdict.steps.append(Step("Access-Control-Allow-Private-Network is `true`", True, "true", sent[0]))
    return True
