"""The framework-wiring rules (CORS501, 502, 504, 505) read WiringFacts stated by the sources."""

from __future__ import annotations

from corslint.model import DEPRECATED_OPTION, MIDDLEWARE_ORDER, NOT_INSTALLED, UNKNOWN_OPTION, VULNERABLE_VERSION
from corslint.checks.cors_middleware_not_effective import CorsMiddlewareNotEffective
from corslint.checks.deprecated_cors_setting import DeprecatedCorsSetting
from corslint.checks.unknown_cors_setting import UnknownCorsSetting
from corslint.checks.vulnerable_cors_library import VulnerableCorsLibrary
from corslint.findings import Severity
from corslint.model import CorsPolicy, Location, Provenance, WiringFact
from corslint.rule import RuleContext


def policy(source: str, *facts: WiringFact) -> CorsPolicy:
    return CorsPolicy(source=source, scope="settings.py", location=Location("settings.py", 1), wiring=list(facts))


def fact(kind: str, line: int, **kw: str) -> WiringFact:
    return WiringFact(kind, Provenance(Location("settings.py", line, 5), "raw"), **kw)


def run(rule_cls, pol):
    return list(rule_cls().check(pol, RuleContext()))


def test_501_middleware_order_and_missing_registration() -> None:
    pol = policy(
        "django",
        fact(MIDDLEWARE_ORDER, 12, detail="CorsMiddleware comes after CommonMiddleware (line 11)"),
        fact(NOT_INSTALLED, 3, subject='"corsheaders" in INSTALLED_APPS'),
    )
    findings = run(CorsMiddlewareNotEffective, pol)
    assert [(f.location.line, f.severity) for f in findings] == [(3, Severity.ERROR), (12, Severity.ERROR)]
    assert findings[0].message == ('django-cors-headers is configured, but "corsheaders" in INSTALLED_APPS is missing: '
                                   "the CORS settings never take effect. Register it.")
    assert "django-cors-headers runs too late: CorsMiddleware comes after CommonMiddleware (line 11)." in findings[1].message


def test_501_silent_without_facts_and_for_servers() -> None:
    assert run(CorsMiddlewareNotEffective, policy("express")) == []
    # nginx only for a proxy that hides a linked application's header (tests/test_layers.py); alone it is silent
    assert CorsMiddlewareNotEffective().applies_to("nginx")
    assert not CorsMiddlewareNotEffective().applies_to("apache")
    assert run(CorsMiddlewareNotEffective, policy("nginx")) == []


def test_502_names_the_replacement() -> None:
    finding = run(DeprecatedCorsSetting, policy("django", fact(DEPRECATED_OPTION, 7, subject="CORS_ORIGIN_WHITELIST",
                                                                replacement="CORS_ALLOWED_ORIGINS")))[0]
    assert finding.severity is Severity.INFO and finding.location.line == 7
    assert finding.message == ("`CORS_ORIGIN_WHITELIST` is an old django-cors-headers name. "
                               "Use `CORS_ALLOWED_ORIGINS` instead.")


def test_504_vulnerable_pin() -> None:
    finding = run(VulnerableCorsLibrary, policy("flask", fact(VULNERABLE_VERSION, 4, subject="flask-cors==4.0.0",
                                                              detail="CVE-2024-6221", replacement="6.0.0")))[0]
    assert finding.message == "`flask-cors==4.0.0` has published CORS vulnerabilities: CVE-2024-6221. Upgrade to 6.0.0 or later."


def test_505_unknown_option_with_suggestion() -> None:
    finding = run(UnknownCorsSetting, policy("express", fact(UNKNOWN_OPTION, 9, subject="allowedOrigins", replacement="origin")))[0]
    assert finding.severity is Severity.WARNING
    assert "npm `cors` does not know `allowedOrigins`, so it is ignored" in finding.message
    assert finding.message.endswith("Did you mean `origin`?")
    assert run(UnknownCorsSetting, policy("express", fact(DEPRECATED_OPTION, 9, subject="x"))) == []


def test_202_library_preflight_misses_route_methods() -> None:
    from corslint.checks.incomplete_preflight import IncompletePreflight
    from corslint.model import ROUTE_METHOD, ListKind, ListSetting, Preflight, PreflightKind

    call = Provenance(Location("main.py", 5, 1), "app.add_middleware(...)")
    pol = CorsPolicy(
        source="fastapi", scope="FastAPI `CORSMiddleware`", location=Location("main.py", 5, 1),
        methods=ListSetting(ListKind.DEFAULT, ("GET",), call),
        preflight=Preflight(PreflightKind.LIBRARY, call),
        wiring=[WiringFact(ROUTE_METHOD, Provenance(Location("main.py", 12, 2), "app.post('/orders')"), "`/orders`", "POST"),
                WiringFact(ROUTE_METHOD, Provenance(Location("main.py", 9, 2), "app.get('/items')"), "`/items`", "GET")],
    )
    finding = run(IncompletePreflight, pol)[0]
    assert finding.location.line == 5
    assert finding.message.startswith("The preflight answer allows only GET (from the Starlette `CORSMiddleware` default), "
                                      "but this app serves POST routes")
    assert "answers such a preflight with 400" in finding.message
    assert [r.location.line for r in finding.related] == [12]
    pol.methods = ListSetting(ListKind.EXPLICIT, ("GET", "POST"), call)
    assert run(IncompletePreflight, pol) == []
