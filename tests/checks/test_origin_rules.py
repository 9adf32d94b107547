"""Origin-trust rules CORS101–CORS111 and CORS901 on hand-built policies: positives, negatives and their interplay."""

from __future__ import annotations

from typing import Any, Optional

import pytest

from corslint.checks.any_subdomain_origin import AnySubdomainOrigin
from corslint.checks.credentialed_wildcard_origin import CredentialedWildcardOrigin
from corslint.checks.development_origin import DevelopmentOrigin
from corslint.checks.fail_open_origin import FailOpenOrigin
from corslint.checks.insecure_origin import InsecureOrigin
from corslint.checks.invalid_origin_value import InvalidOriginValue
from corslint.checks.null_origin_allowed import NullOriginAllowed
from corslint.checks.origin_not_allowlisted import OriginNotAllowlisted
from corslint.checks.permissive_origin_pattern import PermissiveOriginPattern
from corslint.checks.reflected_origin import ReflectedOrigin
from corslint.checks.shared_host_origin import SharedHostOrigin
from corslint.checks.wildcard_origin import WildcardOrigin
from corslint.findings import Confidence, Finding, Severity
from corslint.model import (
    ABSENT,
    CorsPolicy,
    Location,
    MatchMode,
    OriginKind,
    OriginRule,
    Provenance,
    Setting,
)
from corslint.rule import Rule, RuleContext

PATH = "nginx.conf"
SCOPE = "server api.example.com > location /api/"
ACAO_ANY = "add_header Access-Control-Allow-Origin * always"
ACAO_REFLECT = "add_header Access-Control-Allow-Origin $http_origin always"
ACAC = "add_header Access-Control-Allow-Credentials true always"
SEARCH_NGINX = "nginx applies `~` as an unanchored, case-sensitive PCRE search"

ALL_RULES = (
    CredentialedWildcardOrigin,
    ReflectedOrigin,
    WildcardOrigin,
    NullOriginAllowed,
    InsecureOrigin,
    PermissiveOriginPattern,
    DevelopmentOrigin,
    InvalidOriginValue,
    SharedHostOrigin,
    AnySubdomainOrigin,
    FailOpenOrigin,
    OriginNotAllowlisted,
)


def prov(line: int, raw: str, column: int = 9) -> Provenance:
    return Provenance(Location(PATH, line, column), raw, SCOPE)


def any_origin(line: int = 4, **kw: Any) -> OriginRule:
    return OriginRule(OriginKind.ANY, "*", prov(line, ACAO_ANY), **kw)


def reflect(line: int = 4, raw: str = ACAO_REFLECT, **kw: Any) -> OriginRule:
    return OriginRule(OriginKind.REFLECT, "$http_origin", prov(line, raw), **kw)


def exact(value: str, line: int = 4, **kw: Any) -> OriginRule:
    return OriginRule(OriginKind.EXACT, value, prov(line, f'"{value}" $http_origin'), **kw)


def null_origin(line: int = 4) -> OriginRule:
    return OriginRule(OriginKind.NULL, "null", prov(line, '"null" $http_origin'))


def pattern(
    value: str, line: int = 4, *, mode: MatchMode = MatchMode.SEARCH, dialect: str = "pcre", ignore_case: bool = False, **kw: Any
) -> OriginRule:
    operator = "~*" if ignore_case else "~"
    return OriginRule(
        OriginKind.PATTERN, value, prov(line, f'"{operator}{value}" $http_origin'), mode=mode, ignore_case=ignore_case,
        dialect=dialect, **kw,
    )


CREDS_ON = Setting.known(True, prov(5, ACAC))
CREDS_OFF = Setting.known(False, prov(5, "add_header Access-Control-Allow-Credentials false always"))
CREDS_UNKNOWN: Setting = Setting.unknown(prov(5, "add_header Access-Control-Allow-Credentials $creds always"))


def policy(*origins: OriginRule, credentials: Setting = ABSENT, source: str = "nginx", **kw: Any) -> CorsPolicy:
    return CorsPolicy(source, SCOPE, Location(PATH, 3, 5), origins=list(origins), credentials=credentials, **kw)


def run(rule: type[Rule], pol: CorsPolicy, ctx: Optional[RuleContext] = None) -> list[Finding]:
    if ctx is None:
        ctx = RuleContext(options={name: option.default for name, option in rule.options.items()})
    return list(rule().check(pol, ctx))


def one(rule: type[Rule], pol: CorsPolicy, ctx: Optional[RuleContext] = None) -> Finding:
    found = run(rule, pol, ctx)
    assert len(found) == 1, [f.message for f in found]
    return found[0]


def codes(pol: CorsPolicy, ctx: Optional[RuleContext] = None) -> list[tuple[str, int, Severity]]:
    """Every origin rule run on `pol`: (code, line, severity), sorted."""
    found = [f for rule in ALL_RULES for f in run(rule, pol, ctx)]
    return sorted((f.code, f.location.line, f.severity) for f in found)


def test_rule_metadata() -> None:
    assert [r.code for r in ALL_RULES] == [f"CORS1{n:02d}" for n in range(1, 12)] + ["CORS901"]
    assert OriginNotAllowlisted.default_enabled is False
    assert all(r.default_enabled for r in ALL_RULES[:-1])
    assert ReflectedOrigin.security_severity == 8.1
    assert "nginx" not in FailOpenOrigin.sources and "express" in FailOpenOrigin.sources


# CORS101 credentialed-wildcard-origin

def test_101_wildcard_with_credentials() -> None:
    finding = one(CredentialedWildcardOrigin, policy(any_origin(), credentials=CREDS_ON))
    assert (finding.code, finding.severity, finding.location.line, finding.confidence) == (
        "CORS101", Severity.ERROR, 4, Confidence.HIGH)
    assert f"`{ACAO_ANY}` (nginx)" in finding.message
    assert f"credentials are enabled (`Access-Control-Allow-Credentials: true` from `{ACAC}`)" in finding.message
    assert [r.location.line for r in finding.related] == [5]
    assert finding.raw == ACAO_ANY and finding.context == SCOPE


@pytest.mark.parametrize("creds", [ABSENT, CREDS_OFF, CREDS_UNKNOWN])
def test_101_silent_without_known_credentials(creds: Setting) -> None:
    assert run(CredentialedWildcardOrigin, policy(any_origin(), credentials=creds)) == []


def test_101_skips_env_fallback_and_lowers_confidence_for_assumptions() -> None:
    assert run(CredentialedWildcardOrigin, policy(any_origin(env_fallback="CORS_ORIGIN"), credentials=CREDS_ON)) == []
    noted = one(CredentialedWildcardOrigin, policy(any_origin(assumption="flask-cors default origins `*`"), credentials=CREDS_ON))
    assert noted.confidence is Confidence.MEDIUM
    assert "(corslint assumed: flask-cors default origins `*`.)" in noted.message


def test_101_library_default_credentials_are_named() -> None:
    creds = Setting.known(True, prov(2, "nginx.ingress.kubernetes.io/enable-cors: \"true\""), default=True)
    finding = one(CredentialedWildcardOrigin, policy(any_origin(), credentials=creds))
    assert "from the library default)" in finding.message
    assert finding.related[0].note == "credentials are enabled here (the library default)"


def test_shared_value_reads_the_same_from_every_scope() -> None:
    """A map entry used by two locations gives identical messages (the engine reports it once); places go to related."""
    other = Setting.known(True, Provenance(Location("snippets/cors.conf", 9, 1), ACAC, SCOPE))
    first = one(ReflectedOrigin, policy(reflect(), credentials=CREDS_ON))
    second = one(ReflectedOrigin, policy(reflect(), credentials=other))
    assert (first.location, first.message) == (second.location, second.message)
    assert second.related[0].location == Location("snippets/cors.conf", 9, 1)


# CORS102 reflected-origin

def test_102_reflection_with_credentials_is_an_error() -> None:
    finding = one(ReflectedOrigin, policy(reflect(), credentials=CREDS_ON))
    assert (finding.code, finding.severity, finding.location.line) == ("CORS102", Severity.ERROR, 4)
    assert f"`{ACAO_REFLECT}` (nginx) echoes the request's `Origin` header back without checking it" in finding.message
    assert "with the user's cookies" in finding.message
    assert finding.related[0].location.line == 5
    assert "security-severity" not in finding.extra


def test_102_reflection_without_credentials_is_a_warning() -> None:
    finding = one(ReflectedOrigin, policy(reflect(), credentials=CREDS_OFF))
    assert finding.severity is Severity.WARNING and finding.confidence is Confidence.HIGH
    assert "without credentials" in finding.message and "(lower severity)" in finding.message
    assert finding.extra["security-severity"] == 5.3


def test_102_unknown_credentials_lowers_confidence() -> None:
    finding = one(ReflectedOrigin, policy(reflect(), credentials=CREDS_UNKNOWN))
    assert finding.severity is Severity.WARNING and finding.confidence is Confidence.MEDIUM
    assert "corslint could not tell whether credentials are enabled" in finding.message


def test_102_map_default_names_the_mechanism() -> None:
    rule = reflect(line=3, raw="default $http_origin", note="the `map $http_origin $cors_origin` default echoes the origin")
    finding = one(ReflectedOrigin, policy(rule, credentials=CREDS_ON))
    assert finding.location.line == 3
    assert "`default $http_origin` (nginx) echoes" in finding.message
    assert finding.confidence is Confidence.HIGH


def test_102_pattern_accepting_everything() -> None:
    finding = one(ReflectedOrigin, policy(pattern(".*"), credentials=CREDS_ON))
    assert finding.severity is Severity.ERROR
    assert "the origin pattern `.*`" in finding.message and SEARCH_NGINX in finding.message
    assert "accepts every origin" in finding.message
    assert run(PermissiveOriginPattern, policy(pattern(".*"), credentials=CREDS_ON)) == []


def test_102_silent_for_narrow_values_and_env_fallbacks() -> None:
    assert run(ReflectedOrigin, policy(any_origin(), exact("https://app.example.com"), pattern(r"^https://app\.example\.com$"))) == []
    assert run(ReflectedOrigin, policy(reflect(env_fallback="CORS_ORIGIN"), credentials=CREDS_ON)) == []


def test_102_and_103_do_not_overlap() -> None:
    assert codes(policy(reflect())) == [("CORS102", 4, Severity.WARNING)]
    assert codes(policy(any_origin())) == [("CORS103", 4, Severity.WARNING)]
    assert codes(policy(any_origin(), credentials=CREDS_ON)) == [("CORS101", 4, Severity.ERROR)]


# CORS103 wildcard-origin

def test_103_wildcard_without_credentials() -> None:
    finding = one(WildcardOrigin, policy(any_origin(), paths=("/api/",)))
    assert (finding.code, finding.severity, finding.location.line, finding.confidence) == (
        "CORS103", Severity.WARNING, 4, Confidence.MEDIUM)
    assert f"`{ACAO_ANY}` (nginx) lets every website read these responses (without credentials)" in finding.message
    assert "`public-paths`" in finding.hint


def test_103_unknown_credentials_is_said() -> None:
    finding = one(WildcardOrigin, policy(any_origin(), credentials=CREDS_UNKNOWN))
    assert finding.confidence is Confidence.LOW
    assert "with credentials that corslint cannot determine" in finding.message


@pytest.mark.parametrize(
    "paths,globs",
    [
        (("/fonts/",), ("/fonts/*",)),
        (("/catalogue",), ("/catalogue/",)),
        (("/catalogue/",), ("/catalogue",)),
        (("^~ /public/",), ("/public/*",)),
    ],
)
def test_103_public_paths_silence(paths: tuple[str, ...], globs: tuple[str, ...]) -> None:
    assert run(WildcardOrigin, policy(any_origin(), paths=paths), RuleContext(public_paths=globs)) == []


def test_103_other_public_paths_do_not_silence() -> None:
    found = run(WildcardOrigin, policy(any_origin(), paths=("/api/",)), RuleContext(public_paths=("/fonts/*",)))
    assert [f.location.line for f in found] == [4]


def test_103_silent_for_static_assets_credentials_patterns_and_fallbacks() -> None:
    assert run(WildcardOrigin, policy(any_origin(), static_assets=True)) == []
    assert run(WildcardOrigin, policy(any_origin(), credentials=CREDS_ON)) == []
    assert run(WildcardOrigin, policy(pattern(".*"), reflect())) == []
    assert run(WildcardOrigin, policy(any_origin(env_fallback="CORS_ORIGIN"))) == []


def test_103_silent_for_development_static_content_and_preflight_answers() -> None:
    assert run(WildcardOrigin, policy(any_origin(), development=True)) == []
    assert run(WildcardOrigin, policy(any_origin(development="DEBUG"))) == []
    assert run(WildcardOrigin, policy(any_origin(static_assets="image/png"))) == []
    assert run(WildcardOrigin, policy(any_origin(), content="static")) == []
    assert run(WildcardOrigin, policy(any_origin(), preflight_only=True)) == []
    assert [f.location.line for f in run(WildcardOrigin, policy(any_origin(), content="upstream"))] == [4]


def test_103_allow_all_echo_is_reported_like_a_wildcard() -> None:
    finding = one(WildcardOrigin, policy(reflect(allow_all=True), credentials=CREDS_OFF, source="flask"))
    assert finding.code == "CORS103"
    assert "which exposes them exactly as `*` would" in finding.message


def test_102_preflight_only_reflection() -> None:
    assert run(ReflectedOrigin, policy(reflect(), preflight_only=True)) == []
    finding = one(ReflectedOrigin, policy(reflect(), credentials=CREDS_ON, preflight_only=True))
    assert finding.severity is Severity.WARNING
    assert [f.code for f in run(ReflectedOrigin, policy(reflect(allow_all=True), credentials=CREDS_OFF))] == []


@pytest.mark.parametrize("data,what", [("host", "the request's Host"), ("path", "the request's URI"), ("referer", "the request's Referer")])
def test_108_request_data_is_never_an_origin(data: str, what: str) -> None:
    rule = OriginRule(OriginKind.UNKNOWN, "$host", prov(4, "add_header Access-Control-Allow-Origin $host always"), request_data=data)
    finding = one(InvalidOriginValue, policy(rule))
    assert (finding.code, finding.severity, finding.location.line) == ("CORS108", Severity.ERROR, 4)
    assert finding.message.startswith(f"Access-Control-Allow-Origin is set to {what} (from `add_header")
    assert "never a browser's `Origin`" in finding.message
    assert run(InvalidOriginValue, policy(OriginRule(OriginKind.UNKNOWN, "$x", prov(4, "x")))) == []


# CORS104 null-origin-allowed

@pytest.mark.parametrize("rule", [null_origin(), exact("null")], ids=["null-kind", "exact-null"])
def test_104_literal_null(rule: OriginRule) -> None:
    finding = one(NullOriginAllowed, policy(rule, credentials=CREDS_ON))
    assert (finding.code, finding.severity, finding.location.line) == ("CORS104", Severity.ERROR, 4)
    assert "The origin `null` is trusted by `\"null\" $http_origin` (nginx): sandboxed iframes" in finding.message
    assert f"Because credentials are enabled (`Access-Control-Allow-Credentials: true` from `{ACAC}`)" in finding.message
    assert [r.location.line for r in finding.related] == [5]


def test_104_pattern_accepting_null() -> None:
    finding = one(NullOriginAllowed, policy(pattern(r"^(https://app\.example\.com|null)$")))
    assert r"The origin pattern `^(https://app\.example\.com|null)$`" in finding.message
    assert f"accepts the origin `null` ({SEARCH_NGINX})" in finding.message
    assert "cookies" not in finding.message


def test_104_silent_for_reflection_and_tight_values() -> None:
    assert run(NullOriginAllowed, policy(reflect(), pattern(".*"), exact("https://app.example.com"),
                                         pattern(r"^https://app\.example\.com$"))) == []


# CORS105 insecure-origin

def test_105_plain_http_exact_origin() -> None:
    finding = one(InsecureOrigin, policy(exact("http://partner.example.com")))
    assert (finding.code, finding.severity, finding.location.line) == ("CORS105", Severity.WARNING, 4)
    assert "The plain-HTTP origin `http://partner.example.com` is trusted by" in finding.message


def test_105_pattern_accepting_http() -> None:
    finding = one(InsecureOrigin, policy(pattern(r"^https?://app\.example\.com$")))
    assert "accepts plain-HTTP origins such as `http://app.example.com`" in finding.message
    assert SEARCH_NGINX in finding.message


def test_105_http_only_pattern_shows_its_own_origin() -> None:
    finding = one(InsecureOrigin, policy(pattern(r"^http://app\.example\.com$")))
    assert "accepts plain-HTTP origins such as `http://app.example.com`" in finding.message


@pytest.mark.parametrize(
    "rule",
    [exact("http://localhost:3000"), exact("http://127.0.0.1:8080"), exact("https://partner.example.com"),
     pattern(r"^https://app\.example\.com$"), pattern(".*"), reflect()],
    ids=["localhost", "loopback", "https", "https-pattern", "any-pattern", "reflect"],
)
def test_105_silent(rule: OriginRule) -> None:
    assert run(InsecureOrigin, policy(rule)) == []


def test_105_allow_http_origins_option() -> None:
    ctx = RuleContext(options={"allow-http-origins": ["http://intranet.example.com"]})
    assert run(InsecureOrigin, policy(exact("http://intranet.example.com")), ctx) == []
    assert len(run(InsecureOrigin, policy(exact("http://other.example.com")), ctx)) == 1


# CORS106 permissive-origin-pattern

def test_106_unanchored_nginx_pattern() -> None:
    finding = one(PermissiveOriginPattern, policy(pattern("https://admin.example.com")))
    assert (finding.code, finding.severity, finding.location.line) == ("CORS106", Severity.WARNING, 4)
    assert "The origin pattern `https://admin.example.com`" in finding.message
    assert SEARCH_NGINX in finding.message
    assert "so it accepts `https://admin.example.com.attacker.test`" in finding.message
    assert "The responses are sent without credentials" in finding.message and "(lower severity)" in finding.message
    assert finding.extra["security-severity"] == 5.3
    assert r"`^https://admin\.example\.com$`" in finding.hint


def test_106_with_credentials_is_an_error() -> None:
    finding = one(PermissiveOriginPattern, policy(pattern(r"example\.com$"), credentials=CREDS_ON))
    assert finding.severity is Severity.ERROR
    assert "so it accepts `https://attackerexample.com`" in finding.message
    assert [r.location.line for r in finding.related] == [5]


def test_106_python_match_mode() -> None:
    rule = pattern(r"https://\w+\.example\.com", mode=MatchMode.MATCH, dialect="python")
    finding = one(PermissiveOriginPattern, policy(rule, source="django"))
    assert "Python `re.match` anchors only at the start of the origin (case-sensitive)" in finding.message
    assert ".example.com.attacker.test`" in finding.message


def test_106_fullmatch_unescaped_dot() -> None:
    rule = pattern("https://.*.example.com", mode=MatchMode.FULLMATCH, dialect="python")
    finding = one(PermissiveOriginPattern, policy(rule, source="fastapi"))
    assert "the regex must match the whole origin (a case-sensitive full match)" in finding.message
    assert "example.com`" in finding.message


def test_106_unknown_credentials_is_said_and_lowers_confidence() -> None:
    finding = one(PermissiveOriginPattern, policy(pattern(r"example\.com$"), credentials=CREDS_UNKNOWN))
    assert (finding.severity, finding.confidence) == (Severity.WARNING, Confidence.MEDIUM)
    assert "corslint could not tell whether credentials are enabled; if they are, such a site" in finding.message


def test_106_pattern_accepting_unrelated_hosts() -> None:
    finding = one(PermissiveOriginPattern, policy(pattern(r"^https://[a-z.]+$")))
    assert "so it accepts `https://attacker.test` (the pattern accepts hosts unrelated to the trusted one)" in finding.message
    assert run(ReflectedOrigin, policy(pattern(r"^https://[a-z.]+$"))) == []


@pytest.mark.parametrize(
    "value", [r"^https://app\.example\.com$", r"^https://([a-z0-9-]+\.)?example\.com$", ".*"],
    ids=["tight", "subdomains", "any"],
)
def test_106_silent(value: str) -> None:
    assert run(PermissiveOriginPattern, policy(pattern(value), credentials=CREDS_ON)) == []


def test_106_unanalysable_pattern_is_an_info_note() -> None:
    finding = one(PermissiveOriginPattern, policy(pattern("(unclosed")))
    assert (finding.severity, finding.confidence) == (Severity.INFO, Confidence.LOW)
    assert "The origin pattern `(unclosed`" in finding.message and "too complex to analyse" in finding.message


# CORS107 development-origin

@pytest.mark.parametrize("value", ["http://localhost:3000", "http://127.0.0.1:8080", "http://192.168.1.20"])
def test_107_development_exact_origins(value: str) -> None:
    finding = one(DevelopmentOrigin, policy(exact(value)))
    assert (finding.code, finding.severity, finding.location.line) == ("CORS107", Severity.INFO, 4)
    assert f"The development origin `{value}` is trusted by" in finding.message
    assert "not marked as development" in finding.message


def test_107_pattern_accepting_localhost() -> None:
    finding = one(DevelopmentOrigin, policy(pattern(r"^http://localhost:\d+$")))
    assert "accepts localhost, loopback or private-network origins, such as `http://localhost:3000`" in finding.message


def test_107_silent_in_development_and_for_public_origins() -> None:
    assert run(DevelopmentOrigin, policy(exact("http://localhost:3000"), development=True)) == []
    assert run(DevelopmentOrigin, policy(exact("https://app.example.com"), pattern(r"^https://app\.example\.com$"),
                                         pattern(".*"), reflect())) == []


# CORS108 invalid-origin-value

@pytest.mark.parametrize(
    "value,problem,fix",
    [
        ("https://app.example.com/", "it has a trailing slash", "Use `https://app.example.com`."),
        ("https://app.example.com/api", "it has a path", "Use `https://app.example.com`."),
        ("https://App.Example.com", "it has upper-case letters", "Use `https://app.example.com`."),
        ("https://app.example.com:443", "it spells out the default port :443", "Use `https://app.example.com`."),
        ("app.example.com", "it has no scheme", "Add the scheme, probably `https://app.example.com`."),
        ("https://*.example.com", "it uses a literal `*` wildcard", r"`^https://[a-z0-9-]+\.example\.com$`"),
    ],
)
def test_108_invalid_values(value: str, problem: str, fix: str) -> None:
    finding = one(InvalidOriginValue, policy(exact(value)))
    assert (finding.code, finding.severity, finding.location.line) == ("CORS108", Severity.ERROR, 4)
    assert f"The origin `{value}` from" in finding.message
    assert "can never match a browser's `Origin` header" in finding.message
    assert problem in finding.message and fix in finding.message


def test_108_several_origins_in_one_value() -> None:
    finding = one(InvalidOriginValue, policy(exact("https://a.example.com, https://b.example.com")))
    assert "contains several origins" in finding.message
    assert "`https://a.example.com`, `https://b.example.com`" in finding.message


def test_108_case_insensitive_sources_skip_upper_case_only() -> None:
    assert run(InvalidOriginValue, policy(exact("https://App.Example.com", ignore_case=True))) == []
    finding = one(InvalidOriginValue, policy(exact("https://App.Example.com/", ignore_case=True)))
    assert "has a trailing slash" in finding.message and "upper-case" not in finding.message


def test_108_silent_for_valid_values() -> None:
    assert run(InvalidOriginValue, policy(exact("https://app.example.com"), exact("http://localhost:3000"),
                                          exact("null"), null_origin(), any_origin(), reflect(),
                                          pattern(r"^https://(app|admin)\.example\.com$"), pattern(r"\.example\.com$"))) == []


@pytest.mark.parametrize("text", ["https://app.example.com/", r"^webvisor\.com([^/]+)?$", r"^https?:\/\/yandex\.ru/"])
def test_108_a_pattern_no_browser_origin_matches(text: str) -> None:
    """A path or slash after the host, or no scheme: the Origin a browser sends is `scheme://host[:port]`."""
    finding = one(InvalidOriginValue, policy(pattern(text)))
    assert (finding.severity, finding.confidence) == (Severity.WARNING, Confidence.MEDIUM)
    assert "matches no origin a browser sends" in finding.message
    assert "so no cross-origin request is ever allowed" in finding.message


# CORS109 shared-host-origin

def test_109_pattern_over_a_shared_host() -> None:
    finding = one(SharedHostOrigin, policy(pattern(r"^https://[a-z0-9-]+\.github\.io$")))
    assert (finding.code, finding.severity, finding.location.line) == ("CORS109", Severity.WARNING, 4)
    assert "accepts sites on `github.io`, such as `https://attacker.github.io`" in finding.message
    assert "anyone can publish a page there" in finding.message


def test_109_exact_origin_on_a_shared_host() -> None:
    # the project's own site there: only a note that a deleted site's name can be re-registered
    finding = one(SharedHostOrigin, policy(exact("https://shop-demo.vercel.app")))
    assert finding.severity is Severity.INFO
    assert "`https://shop-demo.vercel.app`" in finding.message and "is one site on `vercel.app`" in finding.message
    assert "if the site is ever deleted its name can be registered by someone else" in finding.message


def test_109_silent_for_own_domains() -> None:
    assert run(SharedHostOrigin, policy(exact("https://app.example.com"), pattern(r"^https://[a-z]+\.example\.com$"),
                                        pattern(".*"))) == []


# CORS110 any-subdomain-origin

def test_110_subdomain_regex() -> None:
    finding = one(AnySubdomainOrigin, policy(pattern(r"^https://([a-z0-9-]+\.)?example\.com$")))
    assert (finding.code, finding.severity, finding.location.line) == ("CORS110", Severity.INFO, 4)
    assert "trusts every subdomain of `example.com`" in finding.message
    assert "cookies" not in finding.message


def test_110_mentions_credentials() -> None:
    finding = one(AnySubdomainOrigin, policy(pattern(r"^https://[a-z0-9-]+\.example\.com$"), credentials=CREDS_ON))
    assert "such a page can act with the user's cookies" in finding.message
    assert [r.location.line for r in finding.related] == [5]


def test_110_glob() -> None:
    finding = one(AnySubdomainOrigin, policy(pattern("https://*.example.com", mode=MatchMode.GLOB, dialect="")))
    assert "trusts every subdomain of `example.com`" in finding.message


def test_110_silent_for_exact_hosts_and_shared_hosts() -> None:
    assert run(AnySubdomainOrigin, policy(exact("https://app.example.com"), pattern(r"^https://(app|admin)\.example\.com$"),
                                          pattern(r"^https://[a-z0-9-]+\.github\.io$"), pattern(".*"))) == []


# CORS111 fail-open-origin

def test_111_wildcard_fallback() -> None:
    rule = OriginRule(OriginKind.ANY, "*", prov(7, "process.env.CORS_ORIGIN || '*'"), env_fallback="CORS_ORIGIN")
    finding = one(FailOpenOrigin, policy(rule, source="express"))
    assert (finding.code, finding.severity, finding.location.line) == ("CORS111", Severity.WARNING, 7)
    assert ("The allowed origins come from `$CORS_ORIGIN`; when it is unset, `process.env.CORS_ORIGIN || '*'` "
            "(express) falls back to `*`") in finding.message


def test_111_reflecting_fallback() -> None:
    rule = OriginRule(OriginKind.REFLECT, "", prov(3, "CORS(app, origins=os.environ.get('ORIGINS'))"), env_fallback="ORIGINS")
    finding = one(FailOpenOrigin, policy(rule, source="flask", credentials=CREDS_ON))
    assert "falls back to echoing every request origin, so a deployment that forgets the variable" in finding.message
    assert "Because credentials are enabled" in finding.message and "any website can act with the user's cookies" in finding.message


def test_111_silent_for_tight_fallbacks_and_plain_wildcards() -> None:
    tight = OriginRule(OriginKind.EXACT, "https://app.example.com", prov(7, "raw"), env_fallback="CORS_ORIGIN")
    assert run(FailOpenOrigin, policy(tight, any_origin(), reflect(), source="express")) == []


def test_env_fallbacks_are_left_to_111() -> None:
    fallback = any_origin(env_fallback="CORS_ORIGIN")
    assert codes(policy(fallback, source="express")) == [("CORS111", 4, Severity.WARNING)]
    assert codes(policy(fallback, source="express", credentials=CREDS_ON)) == [("CORS111", 4, Severity.WARNING)]


# CORS901 origin-not-allowlisted

TRUSTED = RuleContext(trusted_origins=("https://app.example.com", "https://admin.example.com"))


def test_901_silent_without_trusted_origins() -> None:
    assert run(OriginNotAllowlisted, policy(any_origin(), reflect(), exact("https://evil.test"))) == []


def test_901_exact_origin_outside() -> None:
    finding = one(OriginNotAllowlisted, policy(exact("https://app.example.com", line=3), exact("https://partner.example.net")), TRUSTED)
    assert (finding.code, finding.severity, finding.location.line) == ("CORS901", Severity.ERROR, 4)
    assert ("The origin `https://partner.example.net` is trusted by `\"https://partner.example.net\" $http_origin` (nginx) "
            "but is not in the `trusted-origins` allowlist (`https://app.example.com`, `https://admin.example.com`)") in finding.message


def test_901_pattern_shows_an_outside_origin() -> None:
    finding = one(OriginNotAllowlisted, policy(pattern(r"^https://[a-z]+\.example\.com$")), TRUSTED)
    assert r"The origin pattern `^https://[a-z]+\.example\.com$`" in finding.message
    assert "which is outside the `trusted-origins` allowlist" in finding.message
    outside = finding.message.split("accepts `", 1)[1].split("`", 1)[0]
    assert outside.endswith(".example.com") and outside not in TRUSTED.trusted_origins


def test_901_wildcard_allowlist_covers_a_subdomain_pattern() -> None:
    ctx = RuleContext(trusted_origins=("https://*.example.com",))
    assert run(OriginNotAllowlisted, policy(pattern(r"^https://[a-z]+\.example\.com$")), ctx) == []


def test_901_any_reflect_and_null_are_outside() -> None:
    found = run(OriginNotAllowlisted, policy(any_origin(line=4), reflect(line=5), null_origin(line=6)), TRUSTED)
    assert [(f.location.line, f.severity) for f in found] == [(4, Severity.ERROR), (5, Severity.ERROR), (6, Severity.ERROR)]
    assert "trusts every origin, including origins outside" in found[0].message
    assert "echoes every request origin back, including origins outside" in found[1].message
    assert "The origin `null` is trusted by" in found[2].message


def test_901_ignores_dead_and_allowlisted_values() -> None:
    assert run(OriginNotAllowlisted, policy(exact("https://app.example.com"), exact("https://evil.test/"),
                                            pattern(r"^https://admin\.example\.com$")), TRUSTED) == []


def test_108_an_entry_listed_again_as_browsers_send_it_is_a_dead_entry() -> None:
    pol = policy(exact("http://localhost", 4), exact("http://localhost:80", 5), source="express")
    finding = one(InvalidOriginValue, pol)
    assert (finding.location.line, finding.severity) == (5, Severity.INFO)
    assert "also lists `http://localhost`" in finding.message and "dead" in finding.message
    assert one(InvalidOriginValue, policy(exact("http://localhost:80", 5), source="express")).severity is Severity.ERROR


def test_107_skips_a_value_no_browser_origin_equals() -> None:
    found = run(DevelopmentOrigin, policy(exact("http://localhost", 4), exact("http://localhost:80", 5), source="express"))
    assert [f.location.line for f in found] == [4]


@pytest.mark.parametrize(
    "value,reported",
    [("http://api.partner.com", True), ("http://app.dev", False), ("http://shop.app", False), ("http://printer.local", False)],
)
def test_105_an_hsts_preloaded_or_local_name_is_no_plain_http_origin(value: str, reported: bool) -> None:
    assert bool(run(InsecureOrigin, policy(exact(value), source="express"))) is reported


def test_105_pattern_whose_http_example_is_local_is_left_to_107() -> None:
    found = run(InsecureOrigin, policy(pattern(r"^https?://.*\.local(:[0-9]+)?$"), source="nginx"))
    assert found == []


def test_106_a_wildcard_in_front_of_a_bare_suffix_trusts_every_domain_under_it() -> None:
    finding = one(PermissiveOriginPattern, policy(pattern(r"^https?://.*\.dev(:[0-9]+)?$")))
    assert "accepts `https://attacker-owned.dev` (the pattern accepts every domain under `.dev`" in finding.message
    assert "nothing requires a dot" not in finding.message
    assert run(PermissiveOriginPattern, policy(pattern(r"^https?://.*\.local(:[0-9]+)?$"))) == []


def test_111_a_star_fallback_with_credentials_opens_only_anonymous_reads() -> None:
    fallback = OriginRule(OriginKind.ANY, "*", prov(4, "'*'"), env_fallback="CORS_ORIGIN")
    finding = one(FailOpenOrigin, policy(fallback, credentials=CREDS_ON, source="express"))
    assert "Credentialed requests fail against `*`" in finding.message and "cookies" not in finding.message
