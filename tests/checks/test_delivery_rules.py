"""Preflight (2xx), methods/headers (3xx), delivery (4xx) and private-network (CORS503) rules on hand-built policies."""

from __future__ import annotations

from typing import Any, Optional

import pytest

from corslint.checks.cors_headers_on_success_only import CorsHeadersOnSuccessOnly
from corslint.checks.cors_in_if_block import CorsInIfBlock
from corslint.checks.credentialed_wildcard_list import CredentialedWildcardList
from corslint.checks.dropped_inherited_headers import DroppedInheritedHeaders
from corslint.checks.duplicate_cors_header import DuplicateCorsHeader
from corslint.checks.excessive_max_age import ExcessiveMaxAge, parse_max_age
from corslint.checks.incomplete_preflight import IncompletePreflight
from corslint.checks.missing_vary_origin import MissingVaryOrigin
from corslint.checks.permissive_allow_headers import PermissiveAllowHeaders
from corslint.checks.permissive_methods import PermissiveMethods
from corslint.checks.private_network_access import PrivateNetworkAccess
from corslint.checks.sensitive_exposed_headers import SensitiveExposedHeaders, classify
from corslint.checks.unhandled_preflight import UnhandledPreflight
from corslint.findings import Confidence, Finding, Severity
from corslint.model import (
    CorsPolicy,
    DeliveryFact,
    DeliveryKind,
    HeaderEmission,
    ListKind,
    ListSetting,
    Location,
    MatchMode,
    OriginKind,
    OriginRule,
    Preflight,
    PreflightKind,
    Provenance,
    Related,
    Setting,
)
from corslint.rule import Rule, RuleContext

PATH = "nginx.conf"
SCOPE = "server api.example.com > location /api/"

ACAO = "Access-Control-Allow-Origin"
ACAC = "Access-Control-Allow-Credentials"
ACAM = "Access-Control-Allow-Methods"
ACAH = "Access-Control-Allow-Headers"
ACEH = "Access-Control-Expose-Headers"


def prov(line: int, raw: str = "", column: int = 5, related: tuple[Related, ...] = ()) -> Provenance:
    return Provenance(Location(PATH, line, column), raw, SCOPE, related)


def emit(name: str, value: str, line: int, *, always: Optional[bool] = True, conditional: bool = False) -> HeaderEmission:
    raw = f"add_header {name} {value}" + (" always" if always else "")
    return HeaderEmission(name, value, prov(line, raw), always=always, conditional=conditional)


def listing(value: str, line: int, kind: ListKind = ListKind.EXPLICIT, header: str = ACAM) -> ListSetting:
    """A list as `add_header <header> "<value>" always;` on `line`; each item gets its own column."""
    raw = f'add_header {header} "{value}" always'
    items = tuple(part.strip() for part in value.split(",") if part.strip())
    item_provs = []
    column = 5 + len(f'add_header {header} "')
    for item in items:
        item_provs.append(Provenance(Location(PATH, line, column), item, SCOPE))
        column += len(item) + 2
    return ListSetting(kind, items, prov(line, raw), tuple(item_provs))


def exact(value: str, line: int) -> OriginRule:
    return OriginRule(OriginKind.EXACT, value, prov(line, f"add_header {ACAO} {value} always"))


def policy(**fields: Any) -> CorsPolicy:
    fields.setdefault("emissions", [emit(ACAO, "https://app.example.com", 3)])
    fields.setdefault("origins", [exact("https://app.example.com", 3)])
    return CorsPolicy(source=fields.pop("source", "nginx"), scope=SCOPE, location=Location(PATH, 2, 5), **fields)


def run(rule_cls: type[Rule], pol: CorsPolicy, **options: Any) -> list[Finding]:
    defaults = {name: option.default for name, option in rule_cls.options.items()}
    return list(rule_cls().check(pol, RuleContext(options={**defaults, **options})))


def only(findings: list[Finding]) -> Finding:
    assert len(findings) == 1, [f.message for f in findings]
    return findings[0]


def lines(findings: list[Finding]) -> list[int]:
    return [f.location.line for f in findings]


def related_lines(finding: Finding) -> list[int]:
    return [r.location.line for r in finding.related]


CREDENTIALS = Setting.known(True, prov(4, f"add_header {ACAC} true always"))


# CORS201 unhandled-preflight -------------------------------------------------------------------


def test_201_not_handled_is_high_confidence_at_the_allow_origin_header() -> None:
    pol = policy(
        methods=listing("GET, POST, PUT", 4),
        preflight=Preflight(PreflightKind.NOT_HANDLED, prov(6, "limit_except GET POST PUT"), note="limit_except denies OPTIONS"),
    )
    finding = only(run(UnhandledPreflight, pol))
    assert (finding.code, finding.name, finding.severity, finding.confidence) == (
        "CORS201", "unhandled-preflight", Severity.WARNING, Confidence.HIGH)
    assert (finding.location.line, finding.location.column) == (3, 5)
    assert "allows method PUT from `add_header Access-Control-Allow-Methods \"GET, POST, PUT\" always`" in finding.message
    assert "(limit_except denies OPTIONS); OPTIONS ends at `limit_except GET POST PUT` (line 6)" in finding.message
    assert related_lines(finding) == [4, 6]
    assert finding.hint.startswith("answer OPTIONS in this location: if ($request_method = OPTIONS)")


def test_201_delegated_is_low_confidence_and_says_what_was_assumed() -> None:
    pol = policy(
        allow_headers=listing("Authorization, X-Request-Id", 5, header=ACAH),
        preflight=Preflight(PreflightKind.DELEGATED, prov(7, "proxy_pass http://127.0.0.1:3000"), note="http://127.0.0.1:3000"),
    )
    # an unseen upstream is trusted by default: most frameworks answer OPTIONS with 200 themselves
    assert run(UnhandledPreflight, pol) == []
    finding = only(run(UnhandledPreflight, pol, **{"assume-upstream-handles-preflight": False}))
    assert finding.confidence is Confidence.LOW
    assert finding.location.line == 3
    assert "request headers Authorization, X-Request-Id" in finding.message
    assert "OPTIONS is passed on at `proxy_pass http://127.0.0.1:3000` (line 7)" in finding.message
    assert (
        "With `assume-upstream-handles-preflight = false` corslint assumes the upstream `http://127.0.0.1:3000` does "
        "not answer OPTIONS with a 2xx and these headers" in finding.message
    )


def test_201_option_reports_the_delegated_case_only_when_turned_off() -> None:
    methods = listing("GET, DELETE", 4)
    delegated = policy(methods=methods, preflight=Preflight(PreflightKind.DELEGATED, prov(7, "proxy_pass http://api")))
    not_handled = policy(methods=methods, preflight=Preflight(PreflightKind.NOT_HANDLED, prov(2)))
    assert run(UnhandledPreflight, delegated) == []
    assert lines(run(UnhandledPreflight, delegated, **{"assume-upstream-handles-preflight": False})) == [3]
    assert lines(run(UnhandledPreflight, not_handled)) == [3]


def test_201_content_type_and_wildcards_count_as_non_simple() -> None:
    content_type = policy(allow_headers=listing("Content-Type", 5, header=ACAH), preflight=Preflight(PreflightKind.NOT_HANDLED))
    assert "request header Content-Type from" in only(run(UnhandledPreflight, content_type)).message
    star = policy(methods=ListSetting(ListKind.ANY, ("*",), prov(4, f"add_header {ACAM} * always")),
                  preflight=Preflight(PreflightKind.NOT_HANDLED))
    assert "every method (`*`)" in only(run(UnhandledPreflight, star)).message
    reflect = policy(allow_headers=ListSetting(ListKind.REFLECT, (), prov(5, "$http_access_control_request_headers")),
                     preflight=Preflight(PreflightKind.NOT_HANDLED))
    assert "reflected" in only(run(UnhandledPreflight, reflect)).message


@pytest.mark.parametrize(
    "pol",
    [
        # only safelisted methods/headers (OPTIONS listed out of habit, forbidden DNT ignored)
        policy(methods=listing("GET, HEAD, POST, OPTIONS", 4), allow_headers=listing("Accept, Content-Language, DNT", 5, header=ACAH),
               preflight=Preflight(PreflightKind.NOT_HANDLED)),
        policy(methods=listing("PUT", 4), preflight=Preflight(PreflightKind.ANSWERED, prov(6))),
        policy(methods=listing("PUT", 4), preflight=Preflight(PreflightKind.LIBRARY)),
        policy(methods=listing("PUT", 4), preflight=Preflight(PreflightKind.UNKNOWN)),
        policy(methods=ListSetting(ListKind.UNKNOWN, (), prov(4)), preflight=Preflight(PreflightKind.NOT_HANDLED)),
        # no CORS at all
        policy(emissions=[], origins=[], methods=listing("PUT", 4), preflight=Preflight(PreflightKind.NOT_HANDLED)),
        # the OPTIONS answer itself
        policy(condition="$request_method = OPTIONS", methods=listing("PUT", 4), preflight=Preflight(PreflightKind.NOT_HANDLED)),
    ],
)
def test_201_silent(pol: CorsPolicy) -> None:
    assert run(UnhandledPreflight, pol) == []


def test_201_library_scope_points_at_the_origin_setting() -> None:
    rule = OriginRule(OriginKind.EXACT, "https://app.example.com", Provenance(Location("app.js", 4, 10), "origin: 'https://app.example.com'"))
    pol = policy(source="express", emissions=[], origins=[rule], methods=ListSetting(ListKind.DEFAULT, ("GET", "PATCH"), None),
                 preflight=Preflight(PreflightKind.NOT_HANDLED, None))
    finding = only(run(UnhandledPreflight, pol))
    assert (finding.location.path, finding.location.line) == ("app.js", 4)
    assert "method PATCH from the npm `cors` default" in finding.message
    assert finding.hint == "let the CORS middleware answer OPTIONS for these routes"


# CORS202 incomplete-preflight ------------------------------------------------------------------


def answered(*headers: HeaderEmission) -> Preflight:
    return Preflight(PreflightKind.ANSWERED, prov(6, "if ($request_method = OPTIONS)"), headers=headers, status=204)


def test_202_missing_allow_origin_and_credentials() -> None:
    pol = policy(
        emissions=[emit(ACAO, "https://app.example.com", 3), emit(ACAC, "true", 4)],
        credentials=CREDENTIALS,
        methods=listing("GET, POST, PUT", 7),
        preflight=answered(emit(ACAM, '"GET, POST, PUT"', 7, always=False, conditional=True)),
    )
    finding = only(run(IncompletePreflight, pol))
    assert (finding.code, finding.severity, finding.location.line) == ("CORS202", Severity.ERROR, 6)
    assert finding.message.startswith(
        "The OPTIONS preflight answer lacks Access-Control-Allow-Origin, Access-Control-Allow-Credentials,")
    assert "(this scope sends it via `add_header Access-Control-Allow-Origin https://app.example.com always`)" in finding.message
    assert related_lines(finding) == [3, 4]
    assert finding.hint.startswith("repeat Access-Control-Allow-Origin, Access-Control-Allow-Credentials inside the OPTIONS block")


def test_202_missing_methods_and_headers() -> None:
    pol = policy(
        methods=listing("GET, DELETE", 4),
        allow_headers=listing("Authorization", 5, header=ACAH),
        preflight=answered(emit(ACAO, "https://app.example.com", 7, always=False, conditional=True)),
    )
    finding = only(run(IncompletePreflight, pol))
    assert "lacks Access-Control-Allow-Methods, Access-Control-Allow-Headers" in finding.message
    assert "without it only GET, HEAD and POST pass the preflight" in finding.message
    assert related_lines(finding) == [4, 5]


def test_202_reads_the_main_path_header_when_the_model_has_no_list() -> None:
    pol = policy(
        emissions=[emit(ACAO, "https://app.example.com", 3), emit(ACAM, '"GET, PATCH"', 4)],
        preflight=answered(emit(ACAO, "https://app.example.com", 7, always=False, conditional=True)),
    )
    finding = only(run(IncompletePreflight, pol))
    assert "lacks Access-Control-Allow-Methods," in finding.message
    assert related_lines(finding) == [4]


@pytest.mark.parametrize(
    "pol",
    [
        policy(methods=listing("GET, PUT", 4), preflight=answered(
            emit(ACAO, "https://app.example.com", 7, always=False, conditional=True),
            emit(ACAM, "GET, PUT", 8, always=False, conditional=True))),
        # only safelisted methods and headers on the main path: nothing more is needed
        policy(methods=listing("GET, POST", 4), allow_headers=listing("Accept", 5, header=ACAH),
               preflight=answered(emit(ACAO, "https://app.example.com", 7, conditional=True))),
        # inherited headers (no own add_header in the OPTIONS block) are the main ones
        policy(methods=listing("PUT", 4), preflight=answered(emit(ACAO, "https://app.example.com", 3), emit(ACAM, "PUT", 4))),
        policy(methods=listing("PUT", 4), preflight=Preflight(PreflightKind.ANSWERED, prov(6))),
        policy(methods=listing("PUT", 4), preflight=Preflight(PreflightKind.DELEGATED, prov(6), headers=(emit(ACAM, "GET", 8),))),
    ],
)
def test_202_silent(pol: CorsPolicy) -> None:
    assert run(IncompletePreflight, pol) == []


# CORS203 excessive-max-age ---------------------------------------------------------------------


def max_age(value: object, *, default: bool = False, source: str = "nginx") -> CorsPolicy:
    raw = "CORS_PREFLIGHT_MAX_AGE" if default else f"add_header Access-Control-Max-Age {value} always"
    return policy(source=source, max_age=Setting.known(value, prov(8, raw), default=default))


def test_203_above_both_caps() -> None:
    finding = only(run(ExcessiveMaxAge, max_age("1728000")))
    assert (finding.code, finding.severity, finding.location.line) == ("CORS203", Severity.INFO, 8)
    assert "Access-Control-Max-Age 1728000 (from `add_header Access-Control-Max-Age 1728000 always`)" in finding.message
    assert "the effective value is 7200 s in Chromium and 86400 s in Firefox" in finding.message
    assert finding.hint == "add_header Access-Control-Max-Age 7200 always;"


def test_203_above_chromium_cap_only() -> None:
    finding = only(run(ExcessiveMaxAge, max_age(86400, source="django")))
    assert "the effective value there is 7200 s (Firefox honours up to 86400 s)" in finding.message
    assert finding.hint == "send `Access-Control-Max-Age: 7200`"


def test_203_silent_for_a_library_default() -> None:
    assert run(ExcessiveMaxAge, max_age(86400, default=True, source="django")) == []


@pytest.mark.parametrize("value", ["2h", "-1", "86400s", "", True, -5])
def test_203_not_a_non_negative_integer(value: object) -> None:
    finding = only(run(ExcessiveMaxAge, max_age(value)))
    assert f"Access-Control-Max-Age `{value}`" in finding.message
    assert "is not a non-negative integer number of seconds, so browsers do not cache the preflight at all" in finding.message


@pytest.mark.parametrize("value", [7200, "7200", "600", 0, '"3600"'])
def test_203_silent_for_honoured_values(value: object) -> None:
    assert run(ExcessiveMaxAge, max_age(value)) == []


def test_203_silent_for_unknown_or_absent() -> None:
    assert run(ExcessiveMaxAge, policy(max_age=Setting.unknown(prov(8, "$max_age")))) == []
    assert run(ExcessiveMaxAge, policy()) == []
    assert (parse_max_age(" 600 "), parse_max_age("1e3"), parse_max_age(-1)) == (600, None, None)


# CORS301 permissive-methods --------------------------------------------------------------------


def test_301_star_without_credentials() -> None:
    finding = only(run(PermissiveMethods, policy(methods=listing("*", 4))))
    assert (finding.code, finding.severity, finding.location.line, finding.location.column) == (
        "CORS301", Severity.WARNING, 4, 5 + len(f'add_header {ACAM} "'))
    assert "Access-Control-Allow-Methods `*` (from `add_header Access-Control-Allow-Methods \"*\" always`)" in finding.message


def test_301_star_with_credentials_is_left_to_303() -> None:
    pol = policy(methods=ListSetting(ListKind.ANY, ("*",), prov(4)), credentials=CREDENTIALS)
    assert run(PermissiveMethods, pol) == []
    assert lines(run(CredentialedWildcardList, pol)) == [4]


def test_301_reflected_methods() -> None:
    pol = policy(methods=ListSetting(ListKind.REFLECT, (), prov(4, f"add_header {ACAM} $http_access_control_request_method")))
    assert "echoes whatever method the preflight asks for" in only(run(PermissiveMethods, pol)).message


def test_301_trace_points_at_the_item() -> None:
    finding = only(run(PermissiveMethods, policy(methods=listing("GET, POST, TRACE", 4))))
    assert (finding.location.line, finding.location.column) == (4, 5 + len(f'add_header {ACAM} "GET, POST, '))
    assert finding.message.startswith("TRACE is listed in Access-Control-Allow-Methods")
    assert finding.hint == "remove TRACE from Access-Control-Allow-Methods"


def test_301_silent_for_a_plain_list() -> None:
    assert run(PermissiveMethods, policy(methods=listing("GET, POST, PUT, DELETE, OPTIONS", 4))) == []
    assert run(PermissiveMethods, policy(methods=ListSetting(ListKind.UNKNOWN, (), prov(4)))) == []


# CORS302 / CORS303 -----------------------------------------------------------------------------


def test_302_star_without_credentials_and_303_with_them() -> None:
    star = ListSetting(ListKind.ANY, ("*",), prov(5, f"add_header {ACAH} * always"))
    plain = only(run(PermissiveAllowHeaders, policy(allow_headers=star)))
    assert (plain.code, plain.severity, plain.location.line) == ("CORS302", Severity.INFO, 5)
    assert "except Authorization, which `*` never covers" in plain.message
    named = ListSetting(ListKind.EXPLICIT, ("Authorization", "*"), prov(5, f"add_header {ACAH} 'Authorization,*' always"))
    assert "never covers" not in only(run(PermissiveAllowHeaders, policy(allow_headers=named))).message
    assert run(CredentialedWildcardList, policy(allow_headers=star)) == []

    credentialed = policy(allow_headers=star, credentials=CREDENTIALS)
    assert run(PermissiveAllowHeaders, credentialed) == []
    finding = only(run(CredentialedWildcardList, credentialed))
    assert (finding.code, finding.severity, finding.location.line) == ("CORS303", Severity.ERROR, 5)
    assert "browsers read `*` as a literal name" in finding.message
    assert "every preflight for a custom header, Authorization or a JSON Content-Type fails" in finding.message
    assert related_lines(finding) == [4]


def test_302_skips_a_library_default_that_echoes_requested_headers() -> None:
    # npm cors and flask-cors echo Access-Control-Request-Headers when nothing is configured, to allowed origins only
    library_default = ListSetting(ListKind.REFLECT, (), prov(3, "cors({ origin: ALLOWED })"), default=True)
    assert run(PermissiveAllowHeaders, policy(allow_headers=library_default)) == []
    assert run(PermissiveAllowHeaders, policy(allow_headers=library_default, credentials=CREDENTIALS)) == []
    written = ListSetting(ListKind.REFLECT, ("*",), prov(3, 'allow_headers="*"'))
    assert only(run(PermissiveAllowHeaders, policy(allow_headers=written))).severity is Severity.INFO


def test_302_reflected_headers_regardless_of_credentials() -> None:
    reflect = ListSetting(ListKind.REFLECT, (), prov(5, f"add_header {ACAH} $http_access_control_request_headers always"))
    for pol in (policy(allow_headers=reflect), policy(allow_headers=reflect, credentials=CREDENTIALS)):
        finding = only(run(PermissiveAllowHeaders, pol))
        assert "echoes the request's Access-Control-Request-Headers" in finding.message
        assert run(CredentialedWildcardList, pol) == []


def test_302_silent_for_a_plain_list() -> None:
    assert run(PermissiveAllowHeaders, policy(allow_headers=listing("Authorization, Content-Type", 5, header=ACAH))) == []


def test_303_every_list_separately() -> None:
    pol = policy(
        credentials=CREDENTIALS,
        methods=listing("GET, *", 6),
        allow_headers=listing("Content-Type", 7, header=ACAH),
        expose_headers=ListSetting(ListKind.ANY, ("*",), prov(8, f"add_header {ACEH} * always")),
    )
    findings = run(CredentialedWildcardList, pol)
    assert lines(findings) == [6, 8]
    assert findings[0].location.column == 5 + len(f'add_header {ACAM} "GET, ')
    assert findings[0].message.startswith("Access-Control-Allow-Methods `*`")
    assert "so scripts can read no response header beyond the safelisted ones" in findings[1].message


def test_303_needs_credentials_known_true() -> None:
    star = ListSetting(ListKind.ANY, ("*",), prov(5))
    assert run(CredentialedWildcardList, policy(allow_headers=star, credentials=Setting.unknown(prov(4)))) == []
    assert run(CredentialedWildcardList, policy(allow_headers=star, credentials=Setting.known(False, prov(4)))) == []


# CORS304 sensitive-exposed-headers -------------------------------------------------------------


ANY_ORIGIN = [OriginRule(OriginKind.ANY, "*", prov(3, f"add_header {ACAO} * always"))]


def test_304_credential_header_points_at_the_item() -> None:
    pol = policy(expose_headers=listing("X-Request-Id, Authorization", 9, header=ACEH), origins=ANY_ORIGIN)
    finding = only(run(SensitiveExposedHeaders, pol))
    assert (finding.code, finding.severity) == ("CORS304", Severity.WARNING)
    assert (finding.location.line, finding.location.column) == (9, 5 + len(f'add_header {ACEH} "X-Request-Id, '))
    assert "lets scripts of any website read Authorization" in finding.message
    assert "because this scope allows every origin" in finding.message
    assert finding.hint == "remove Authorization from Access-Control-Expose-Headers"


def test_304_set_cookie_is_a_misunderstanding() -> None:
    finding = only(run(SensitiveExposedHeaders, policy(expose_headers=listing("Set-Cookie", 9, header=ACEH))))
    assert "browsers never let scripts read Set-Cookie" in finding.message


@pytest.mark.parametrize(
    "name,kind",
    [
        ("X-Auth-Token", "credential"), ("x-access-token", "credential"), ("X-Refresh-Token", "credential"),
        ("X-Api-Key", "credential"), ("X-CSRF-Token", "credential"), ("X-XSRF-TOKEN", "credential"),
        ("X-Session-Id", "credential"), ("Proxy-Authorization", "credential"), ("Cookie", "credential"),
        ("Set-Cookie", "never-exposed"), ("X-Request-Id", None), ("Content-Range", None), ("ETag", None),
        ("X-Next-Page-Token", None), ("Link", None),
    ],
)
def test_304_classification(name: str, kind: Optional[str]) -> None:
    assert classify(name) == kind


def test_304_credential_header_to_trusted_origins_is_no_finding() -> None:
    # a frontend reading a refreshed token from Authorization: as exposed as the body it already reads
    pol = policy(expose_headers=listing("Authorization", 9, header=ACEH))
    assert run(SensitiveExposedHeaders, pol) == []
    reflected = [OriginRule(OriginKind.REFLECT, "$http_origin", prov(3))]
    assert lines(run(SensitiveExposedHeaders, policy(expose_headers=listing("Authorization", 9, header=ACEH), origins=reflected))) == [9]


def test_304_one_finding_per_sensitive_item() -> None:
    pol = policy(expose_headers=listing("X-Auth-Token, Content-Length, Set-Cookie, x-auth-token", 9, header=ACEH), origins=ANY_ORIGIN)
    assert [f.location.column for f in run(SensitiveExposedHeaders, pol)] == [
        5 + len(f'add_header {ACEH} "'), 5 + len(f'add_header {ACEH} "X-Auth-Token, Content-Length, ')]
    assert run(SensitiveExposedHeaders, policy(expose_headers=ListSetting(ListKind.ANY, ("*",), prov(9)))) == []


# CORS401 missing-vary-origin -------------------------------------------------------------------


def test_401_map_patterns_point_at_the_header_and_relate_the_map() -> None:
    pattern = OriginRule(OriginKind.PATTERN, "~^https://(app|admin)\\.example\\.com$",
                         prov(4, '"~^https://(app|admin)\\.example\\.com$" $http_origin'), mode=MatchMode.SEARCH, dialect="pcre")
    pol = policy(emissions=[emit(ACAO, "$cors_origin", 10)], origins=[pattern])
    finding = only(run(MissingVaryOrigin, pol))
    assert (finding.code, finding.severity, finding.confidence, finding.location.line) == (
        "CORS401", Severity.WARNING, Confidence.HIGH, 10)
    assert "origins matching `~^https://(app|admin)\\.example\\.com$` are echoed" in finding.message
    assert related_lines(finding) == [4]
    assert finding.hint == "add_header Vary Origin always;"


def test_401_reflection_and_several_exact_origins() -> None:
    reflect = OriginRule(OriginKind.REFLECT, "$http_origin", prov(3, f"add_header {ACAO} $http_origin always"))
    finding = only(run(MissingVaryOrigin, policy(origins=[reflect])))
    assert "the request's Origin is echoed" in finding.message
    assert finding.related == ()
    two = policy(origins=[exact("https://a.example.com", 4), exact("https://b.example.com", 5), exact("https://a.example.com", 6)])
    assert "one of 2 allowed origins is sent back: https://a.example.com, https://b.example.com" in only(run(MissingVaryOrigin, two)).message


def test_401_unknown_vary_is_not_assumed_to_lack_origin() -> None:
    reflect = OriginRule(OriginKind.REFLECT, "$http_origin", prov(3))
    pol = policy(origins=[reflect], vary_origin=Setting.unknown(prov(7, "add_header Vary $vary always")))
    assert run(MissingVaryOrigin, pol) == []


def test_401_library_scope_points_at_the_origin_rule() -> None:
    rule = OriginRule(OriginKind.PATTERN, r"https://.*\.example\.com", Provenance(Location("app.py", 7, 1), "CORS_ALLOWED_ORIGIN_REGEXES"))
    finding = only(run(MissingVaryOrigin, policy(source="django", emissions=[], origins=[rule])))
    assert (finding.location.path, finding.location.line) == ("app.py", 7)
    assert finding.hint == "send `Vary: Origin`"


@pytest.mark.parametrize(
    "pol",
    [
        policy(),
        policy(origins=[OriginRule(OriginKind.ANY, "*", prov(3))]),
        policy(origins=[OriginRule(OriginKind.UNKNOWN, "$origin", prov(3))]),
        policy(origins=[OriginRule(OriginKind.REFLECT, "$http_origin", prov(3))], vary_origin=Setting.known(True, prov(7))),
        policy(origins=[exact("https://a.example.com", 4), exact("https://b.example.com", 5)],
               emissions=[emit(ACAO, "$cors", 3), emit("Vary", '"Accept-Encoding, Origin"', 7)]),
        policy(origins=[OriginRule(OriginKind.REFLECT, "$http_origin", prov(3))], condition="$request_method = 'OPTIONS'"),
    ],
)
def test_401_silent(pol: CorsPolicy) -> None:
    assert run(MissingVaryOrigin, pol) == []


# CORS402 cors-headers-on-success-only ----------------------------------------------------------


def test_402_one_finding_listing_every_header_once() -> None:
    pol = policy(emissions=[
        emit(ACAC, "true", 3, always=False),
        emit(ACAO, "https://app.example.com", 4, always=False),
        emit(ACAM, '"GET, PUT"', 5, always=True),
        emit("Vary", "Origin", 6, always=False),
        emit(ACAC, "true", 7, always=False),
    ])
    finding = only(run(CorsHeadersOnSuccessOnly, pol))
    assert (finding.code, finding.severity, finding.location.line) == ("CORS402", Severity.WARNING, 4)
    assert finding.message.startswith(
        "Access-Control-Allow-Credentials and Access-Control-Allow-Origin are added without `always`, so nginx sends "
        "them only with status 200, 201, 204, 206, 301, 302, 303, 304, 307 and 308")
    assert related_lines(finding) == [3, 7]
    assert finding.hint == "add_header Access-Control-Allow-Origin https://app.example.com always;"


def test_402_expose_headers_alone_is_no_finding() -> None:
    # with Allow-Origin always sent, scripts see the error's status and body; only exposed extras are missing
    pol = policy(emissions=[emit(ACAO, "https://app.example.com", 3), emit(ACEH, "X-Request-Id", 4, always=False)])
    assert run(CorsHeadersOnSuccessOnly, pol) == []


def test_402_preflight_only_headers_are_not_counted() -> None:
    # Allow-Methods, Allow-Headers and Max-Age are read from preflight answers, which are 2xx
    pol = policy(emissions=[
        emit(ACAO, "https://app.example.com", 3),
        emit(ACAM, '"GET, PUT"', 4, always=False),
        emit(ACAH, "Content-Type", 5, always=False),
    ])
    assert run(CorsHeadersOnSuccessOnly, pol) == []


def test_402_credentials_without_always_when_allow_origin_has_it() -> None:
    pol = policy(emissions=[
        emit(ACAO, "https://app.example.com", 3),
        emit(ACAC, "true", 4, always=False),
        emit(ACEH, "X-Request-Id", 5, always=False),
    ])
    finding = only(run(CorsHeadersOnSuccessOnly, pol))
    assert finding.location.line == 4
    assert finding.message.startswith(
        "Access-Control-Allow-Credentials and Access-Control-Expose-Headers are added without `always` while "
        "Access-Control-Allow-Origin has it, so 4xx and 5xx responses carry the origin but not")
    assert [r.location.line for r in finding.related] == [5]


def test_402_apache_wording() -> None:
    pol = policy(source="apache", emissions=[emit(ACAO, "https://app.example.com", 3, always=False)])
    finding = only(run(CorsHeadersOnSuccessOnly, pol))
    assert "Apache puts it in the success table only" in finding.message
    assert finding.hint == 'Header always set Access-Control-Allow-Origin "https://app.example.com"'


@pytest.mark.parametrize(
    "pol",
    [
        policy(emissions=[emit(ACAO, "*", 3), emit(ACAC, "true", 4)]),
        policy(emissions=[emit(ACAO, "*", 3, always=None)]),
        policy(emissions=[emit("Vary", "Origin", 3, always=False)]),
        # headers only on the OPTIONS answer (2xx anyway): sources keep them out of the main path's emissions
        policy(emissions=[emit(ACAO, "https://a.example.com", 3)],
               preflight=answered(emit(ACAM, "PUT", 6, always=False, conditional=True))),
        policy(emissions=[emit(ACAO, "https://a.example.com", 6, always=False, conditional=True)], condition="$request_method = OPTIONS"),
    ],
)
def test_402_silent(pol: CorsPolicy) -> None:
    assert run(CorsHeadersOnSuccessOnly, pol) == []


def test_402_negated_options_condition_is_an_actual_response() -> None:
    pol = policy(emissions=[emit(ACAO, "*", 6, always=False, conditional=True)], condition="$request_method != OPTIONS")
    assert lines(run(CorsHeadersOnSuccessOnly, pol)) == [6]


def test_server_specific_rules_declare_their_sources() -> None:
    assert (CorsHeadersOnSuccessOnly().applies_to("apache"), CorsHeadersOnSuccessOnly().applies_to("express")) == (True, False)
    assert (DroppedInheritedHeaders().applies_to("nginx"), DroppedInheritedHeaders().applies_to("apache")) == (True, False)
    assert (CorsInIfBlock().applies_to("nginx"), CorsInIfBlock().applies_to("django")) == (True, False)
    assert UnhandledPreflight().applies_to("flask") and DuplicateCorsHeader().applies_to("apache")


# CORS403 / CORS404 / CORS405 -------------------------------------------------------------------


INNER = "server api.example.com > location /api/status"


def dropped(header: str, outer_line: int, inner_line: int = 9) -> DeliveryFact:
    outer = (Related(Location(PATH, outer_line, 5), f"{header} set here"),)
    inner = Provenance(Location(PATH, inner_line, 9), "add_header Cache-Control no-store", INNER, outer)
    return DeliveryFact(DeliveryKind.DROPPED_INHERITED, header, inner)


def test_403_one_finding_per_inner_level() -> None:
    pol = policy(delivery=[dropped(ACAO, 3), dropped(ACAC, 4), dropped("X-Frame-Options", 5), dropped(ACAO, 3, inner_line=14)])
    findings = run(DroppedInheritedHeaders, pol)
    assert lines(findings) == [9, 14]
    first = findings[0]
    assert (first.code, first.severity) == ("CORS403", Severity.ERROR)
    assert "`add_header Cache-Control no-store` gives this level its own add_header list" in first.message
    assert "responses here lose Access-Control-Allow-Origin, Access-Control-Allow-Credentials." in first.message
    assert related_lines(first) == [3, 4]
    assert "add_header_inherit merge" in first.message


def test_403_silent_without_cors_drops() -> None:
    assert run(DroppedInheritedHeaders, policy(delivery=[dropped("X-Frame-Options", 5)])) == []
    assert run(DroppedInheritedHeaders, policy(delivery=[DeliveryFact(DeliveryKind.DUPLICATE, ACAO, prov(4))])) == []


def duplicate(header: str, value: str, line: int = 4, first: int = 3) -> DeliveryFact:
    return DeliveryFact(DeliveryKind.DUPLICATE, header,
                        prov(line, f"add_header {header} {value} always", related=(Related(Location(PATH, first, 5), "first"),)))


def test_404_duplicate_allow_origin() -> None:
    finding = only(run(DuplicateCorsHeader, policy(delivery=[duplicate(ACAO, "https://admin.example.com")])))
    assert (finding.code, finding.severity, finding.location.line) == ("CORS404", Severity.ERROR, 4)
    assert ("Access-Control-Allow-Origin is sent a second time by `add_header Access-Control-Allow-Origin "
            "https://admin.example.com always` (first set at line 3)") in finding.message
    assert 'which equals no origin, so every response fails the CORS check with "multiple values"' in finding.message
    assert related_lines(finding) == [3]


def test_404_severity_follows_the_header() -> None:
    pol = policy(delivery=[duplicate(ACAC, "true", 5), duplicate(ACAM, "PUT", 6), duplicate("Access-Control-Max-Age", "600", 7)])
    findings = run(DuplicateCorsHeader, pol)
    assert [(f.location.line, f.severity) for f in findings] == [(5, Severity.ERROR), (6, Severity.INFO), (7, Severity.WARNING)]
    assert "which is not exactly `true`, so every credentialed request fails" in findings[0].message
    assert "Browsers join both values into one list, which still works" in findings[1].message


def test_404_silent_without_duplicates() -> None:
    assert run(DuplicateCorsHeader, policy(delivery=[DeliveryFact(DeliveryKind.IN_IF, ACAO, prov(4))])) == []


def test_405_flags_if_blocks_but_not_the_return_idiom() -> None:
    pol = policy(delivery=[
        DeliveryFact(DeliveryKind.IN_IF, ACAO, prov(5, "add_header Access-Control-Allow-Origin $http_origin always")),
        DeliveryFact(DeliveryKind.IN_IF, ACAM, prov(9, "add_header Access-Control-Allow-Methods PUT"), detail="returns"),
    ])
    finding = only(run(CorsInIfBlock, pol))
    assert (finding.code, finding.severity, finding.location.line) == ("CORS405", Severity.INFO, 5)
    assert finding.message.startswith("Access-Control-Allow-Origin is set inside an `if` block.")
    assert run(CorsInIfBlock, policy(delivery=[DeliveryFact(DeliveryKind.IN_IF, ACAO, prov(9), detail="returns")])) == []


def test_405_one_finding_per_if_block() -> None:
    in_if = SCOPE + ' > if ($http_origin ~ "^https://app\\.example\\.com$")'
    facts = [DeliveryFact(DeliveryKind.IN_IF, name, Provenance(Location(PATH, line, 13), f"add_header {name} ...", in_if))
             for name, line in ((ACAO, 6), (ACAC, 7), (ACAO, 8))]
    finding = only(run(CorsInIfBlock, policy(delivery=facts)))
    assert finding.location.line == 6
    assert finding.message.startswith("Access-Control-Allow-Origin, Access-Control-Allow-Credentials are set inside")
    assert related_lines(finding) == [7, 8]


def test_405_groups_facts_on_one_line() -> None:
    same = prov(5, "add_header ...")
    pol = policy(delivery=[DeliveryFact(DeliveryKind.IN_IF, ACAO, same), DeliveryFact(DeliveryKind.IN_IF, ACAC, same)])
    assert only(run(CorsInIfBlock, pol)).message.startswith(
        "Access-Control-Allow-Origin, Access-Control-Allow-Credentials are set inside an `if` block.")


# CORS503 private-network-access ----------------------------------------------------------------


def test_503_header_set_to_true() -> None:
    pol = policy(private_network=Setting.known(True, prov(6, "add_header Access-Control-Allow-Private-Network true always")))
    finding = only(run(PrivateNetworkAccess, pol))
    assert (finding.code, finding.severity, finding.location.line) == ("CORS503", Severity.WARNING, 6)
    assert "(from `add_header Access-Control-Allow-Private-Network true always`)" in finding.message
    assert "Local Network Access" in finding.message and "CVE-2024-6221" in finding.message


def test_503_library_default() -> None:
    pol = policy(source="flask", emissions=[], private_network=Setting.known(True, Provenance(Location("app.py", 5, 1), "CORS(app)"), default=True))
    finding = only(run(PrivateNetworkAccess, pol))
    assert (finding.location.path, finding.location.line) == ("app.py", 5)
    assert "(from the flask-cors default)" in finding.message


def test_503_falls_back_to_the_emitted_header() -> None:
    pol = policy(emissions=[emit(ACAO, "https://app.example.com", 3), emit("Access-Control-Allow-Private-Network", '"true"', 6)])
    assert lines(run(PrivateNetworkAccess, pol)) == [6]


@pytest.mark.parametrize(
    "pol",
    [
        policy(),
        policy(private_network=Setting.known(False, prov(6))),
        policy(private_network=Setting.unknown(prov(6))),
        policy(emissions=[emit("Access-Control-Allow-Private-Network", "false", 6)]),
    ],
)
def test_503_silent(pol: CorsPolicy) -> None:
    assert run(PrivateNetworkAccess, pol) == []



def test_403_ignores_headers_the_inner_level_sets_again() -> None:
    inner = SCOPE + " > if ($request_method = OPTIONS)"
    own = HeaderEmission(ACAO, "https://app.example.com", Provenance(Location(PATH, 9, 13), "add_header ...", inner), always=False)
    facts = [DeliveryFact(DeliveryKind.DROPPED_INHERITED, name, Provenance(Location(PATH, 9, 13), "add_header ...", inner))
             for name in (ACAO, ACAC)]
    finding = only(run(DroppedInheritedHeaders, policy(emissions=[own], delivery=facts)))
    assert "responses here lose Access-Control-Allow-Credentials." in finding.message
    # an outer-level emission of the same name does not count as set again
    assert "lose Access-Control-Allow-Origin, Access-Control-Allow-Credentials." in only(
        run(DroppedInheritedHeaders, policy(delivery=facts))).message


def test_403_preflight_answer_only_misses_preflight_headers() -> None:
    inner = SCOPE + " > if ($request_method = OPTIONS)"
    facts = [DeliveryFact(DeliveryKind.DROPPED_INHERITED, name, Provenance(Location(PATH, 9, 13), "add_header ...", inner))
             for name in (ACEH, "Vary")]
    assert run(DroppedInheritedHeaders, policy(delivery=facts, condition="$request_method = OPTIONS")) == []
    facts.append(DeliveryFact(DeliveryKind.DROPPED_INHERITED, ACAC, Provenance(Location(PATH, 9, 13), "add_header ...", inner)))
    finding = only(run(DroppedInheritedHeaders, policy(delivery=facts, condition="$request_method = OPTIONS")))
    assert "responses here lose Access-Control-Allow-Credentials." in finding.message


def test_403_a_block_no_preflight_reaches_loses_only_actual_response_headers() -> None:
    inner = SCOPE + " > if ($request_method = POST)"
    facts = [DeliveryFact(DeliveryKind.DROPPED_INHERITED, name, Provenance(Location(PATH, 9, 13), "add_header ...", inner),
                          reaches_preflight=False)
             for name in (ACAM, ACAH, "Access-Control-Max-Age")]
    assert run(DroppedInheritedHeaders, policy(delivery=facts)) == []
    facts.append(DeliveryFact(DeliveryKind.DROPPED_INHERITED, ACAO, Provenance(Location(PATH, 9, 13), "add_header ...", inner),
                              reaches_preflight=False))
    finding = only(run(DroppedInheritedHeaders, policy(delivery=facts)))
    assert "responses here lose Access-Control-Allow-Origin." in finding.message


def test_201_names_the_file_of_a_place_in_another_file() -> None:
    elsewhere = Provenance(Location("sites-enabled/api.conf", 12, 5), "<LimitExcept GET POST>", SCOPE)
    pol = policy(methods=listing("GET, DELETE", 4),
                 preflight=Preflight(PreflightKind.NOT_HANDLED, elsewhere, status=403, note="`<LimitExcept GET POST>` refuses OPTIONS"))
    finding = only(run(UnhandledPreflight, pol))
    assert "(`<LimitExcept GET POST>` refuses OPTIONS, sites-enabled/api.conf, line 12)" in finding.message
    same = policy(methods=listing("GET, DELETE", 4),
                  preflight=Preflight(PreflightKind.NOT_HANDLED, prov(9, "limit_except GET"), note="denied"))
    assert "OPTIONS ends at `limit_except GET` (line 9)" in only(run(UnhandledPreflight, same)).message


def test_404_apache_header_beside_the_backends_copy_is_an_info_risk() -> None:
    from dataclasses import replace

    added = replace(emit(ACAO, "https://app.example.com", 3), prov=prov(3, 'Header always add Access-Control-Allow-Origin "https://app.example.com"'), action="add", beside_backend=True)
    vary = replace(emit("Vary", "Origin", 4), beside_backend=True)
    backend = policy(source="apache", content="upstream", emissions=[added, vary])
    finding = only(run(DuplicateCorsHeader, backend))
    assert finding.severity is Severity.INFO and finding.location.line == 3
    assert "whenever the application sends its own Access-Control-Allow-Origin the response carries two" in finding.message
    assert finding.hint == "Header unset Access-Control-Allow-Origin"
    assert run(DuplicateCorsHeader, replace(backend, content="")) == []  # files Apache serves: no second copy
    proven = replace(backend, delivery=[DeliveryFact(DeliveryKind.DUPLICATE, ACAO, prov(3))])
    assert [f.severity for f in run(DuplicateCorsHeader, proven)] == [Severity.ERROR]  # the proven duplicate, once
