"""Tests for corslint.origins: origin strings, host classes, and bounded origin-pattern analysis."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from meters import matcher_work

from corslint.model import MatchMode
from corslint.origins import allowlist, analysis, matcher, memo
from corslint.origins import (
    ACCEPT_STEPS,
    ANALYSIS_STEPS,
    BUDGET_ERROR,
    FALLBACK_STEPS,
    SHARED_HOST_SUFFIXES,
    Bypass,
    PatternReport,
    analyze_pattern,
    in_allowlist,
    is_local_host,
    is_private_host,
    parse_origin,
    pattern_accepts,
    pattern_outside_allowlist,
    shared_host_suffix,
    split_origin_list,
)

SEARCH, MATCH, FULL, GLOB = MatchMode.SEARCH, MatchMode.MATCH, MatchMode.FULLMATCH, MatchMode.GLOB


def analyze(pattern: str, dialect: str = "pcre", mode: MatchMode = SEARCH, ignore_case: bool = False) -> PatternReport:
    return analyze_pattern(pattern, dialect=dialect, mode=mode, ignore_case=ignore_case)


def kinds(report: PatternReport) -> list[tuple[str, str]]:
    return [(b.kind, b.origin) for b in report.bypasses]


# --- parse_origin ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "scheme", "host", "port", "problems"),
    [
        ("http://localhost:3000", "http", "localhost", 3000, ()),
        ("https://example.com", "https", "example.com", None, ()),
        ("https://[::1]:8443", "https", "[::1]", 8443, ()),
        ("chrome-extension://abcdef", "chrome-extension", "abcdef", None, ()),
        ("https://example.com/", "https", "example.com", None, ("has a trailing slash",)),
        ("https://example.com/api", "https", "example.com", None, ("has a path",)),
        ("https://example.com/api/", "https", "example.com", None, ("has a path",)),
        ("https://example.com?x=1", "https", "example.com", None, ("has a query or fragment",)),
        ("https://example.com/#top", "https", "example.com", None, ("has a trailing slash", "has a query or fragment")),
        ("example.com", "", "example.com", None, ("has no scheme",)),
        ("localhost:8080", "", "localhost", 8080, ("has no scheme",)),
        ("https://a.com,https://b.com", "https", "a.com", None, ("contains several origins",)),
        ("https://a.com https://b.com", "https", "a.com", None, ("contains several origins",)),
        ("https://*.example.com", "https", "*.example.com", None, ("uses a literal `*` wildcard",)),
        ("HTTPS://Example.com", "HTTPS", "Example.com", None, ("has upper-case letters",)),
        ("https://example.com:443", "https", "example.com", 443, ("spells out the default port :443",)),
        ("http://example.com:80", "http", "example.com", 80, ("spells out the default port :80",)),
        ("https://example.com:99999", "https", "example.com", None, ("has an invalid port",)),
        ("https://example.com:abc", "https", "example.com", None, ("has an invalid port",)),
        ("https://user@example.com", "https", "example.com", None, ("has user information",)),
        ("https://", "https", "", None, ("has no host",)),
        ("https://exa\\mple.com", "https", "exa\\mple.com", None, ("has an invalid host",)),
        ("https://[zz]", "https", "[zz]", None, ("has an invalid host",)),
        ("Example.com/path", "", "Example.com", None, ("has no scheme", "has upper-case letters", "has a path")),
        ("", "", "", None, ("is empty",)),
        ("null", "", "null", None, ()),
        ("*", "", "*", None, ()),
    ],
)
def test_parse_origin(text: str, scheme: str, host: str, port: int | None, problems: tuple[str, ...]) -> None:
    parsed = parse_origin(text)
    assert (parsed.text, parsed.scheme, parsed.host, parsed.port, parsed.problems) == (text, scheme, host, port, problems)


@given(st.text(max_size=60))
@settings(max_examples=300, deadline=None)
def test_parse_origin_never_raises(text: str) -> None:
    assert isinstance(parse_origin(text).problems, tuple)


@pytest.mark.parametrize(
    ("text", "items"),
    [
        ("https://a.com, https://b.com", ["https://a.com", "https://b.com"]),
        ("https://a.com https://b.com\thttps://c.com", ["https://a.com", "https://b.com", "https://c.com"]),
        (" https://a.com ", ["https://a.com"]),
        ("https://a.com,,", ["https://a.com"]),
        ("", []),
    ],
)
def test_split_origin_list(text: str, items: list[str]) -> None:
    assert split_origin_list(text) == items


# --- hosts ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "local", "private"),
    [
        ("localhost", True, False),
        ("LOCALHOST", True, False),
        ("app.localhost", True, False),
        ("127.0.0.1", True, False),
        ("127.1.2.3", True, False),
        ("::1", True, False),
        ("[::1]", True, False),
        ("0.0.0.0", True, False),
        ("10.1.2.3", False, True),
        ("172.16.0.1", False, True),
        ("172.31.255.255", False, True),
        ("172.32.0.1", False, False),
        ("192.168.1.10", False, True),
        ("169.254.169.254", False, True),
        ("[fd00::1]", False, True),
        ("printer.local", False, True),
        ("db.internal", False, True),
        ("host.docker.internal", False, True),
        ("nas.lan", False, True),
        ("example.com", False, False),
        ("8.8.8.8", False, False),
        ("localhost.attacker.test", False, False),
        ("", False, False),
    ],
)
def test_local_and_private_hosts(host: str, local: bool, private: bool) -> None:
    assert (is_local_host(host), is_private_host(host)) == (local, private)


@pytest.mark.parametrize(
    ("host", "suffix"),
    [
        ("foo.github.io", "github.io"),
        ("github.io", "github.io"),
        ("FOO.GitHub.io", "github.io"),
        ("my-app.vercel.app", "vercel.app"),
        ("bucket.s3.amazonaws.com", "s3.amazonaws.com"),
        ("x.execute-api.eu-west-1.amazonaws.com", "amazonaws.com"),
        ("abc.ngrok-free.app", "ngrok-free.app"),
        ("site.pages.dev", "pages.dev"),
        ("example.com", None),
        ("notgithub.io", None),
        ("github.io.attacker.test", None),
    ],
)
def test_shared_host_suffix(host: str, suffix: str | None) -> None:
    assert shared_host_suffix(host) == suffix


def test_shared_host_suffixes_cover_the_catalogue_examples() -> None:
    required = {"github.io", "vercel.app", "netlify.app", "herokuapp.com", "s3.amazonaws.com", "ngrok.io",
                "codepen.io", "jsfiddle.net", "glitch.me", "pages.dev", "workers.dev", "web.app",
                "firebaseapp.com", "azurewebsites.net", "cloudfront.net", "appspot.com", "onrender.com",
                "fly.dev", "repl.co", "surge.sh", "gitlab.io", "blogspot.com", "ngrok-free.app", "ngrok.app"}
    assert required <= set(SHARED_HOST_SUFFIXES)


# --- analyze_pattern: the brief's cases ------------------------------------------------------------------------


def test_unanchored_unescaped_nginx_pattern() -> None:
    report = analyze("example.com")
    assert report.ok and report.intended == "https://example.com"
    assert kinds(report) == [
        ("suffix", "https://example.com.attacker.test"),
        ("no-dot-boundary", "https://attackerexample.com"),
        ("unescaped-dot", "https://examplexcom.net"),
        ("scheme", "http://example.com"),
    ]
    assert report.accepts_http and not report.accepts_any and not report.accepts_null


def test_bypass_explanations() -> None:
    report = analyze("example.com")
    assert report.bypasses[0] == Bypass(
        "suffix",
        "https://example.com.attacker.test",
        "the pattern is not anchored at the end, so a host that merely starts with the trusted one matches",
    )
    assert report.bypasses[1].explanation == (
        "nothing requires a dot before the trusted domain, so a host that merely ends with it matches"
    )
    assert report.bypasses[2].explanation == "an unescaped `.` matches any character, not only a dot"


def test_tight_pattern_has_no_bypass() -> None:
    report = analyze(r"^https://(www\.)?example\.com$")
    assert report == PatternReport(
        ok=True, error="", intended="https://example.com", bypasses=(), accepts_any=False, accepts_null=False,
        subdomain_wildcard=None, shared_host=None, accepts_http=False, accepts_local=False, exhausted=False,
    )


def test_deliberate_subdomain_wildcard_with_optional_s() -> None:
    report = analyze(r"^https?://(.*\.)?example\.com$")
    assert report.intended == "https://example.com"
    assert report.subdomain_wildcard == "example.com"
    assert report.accepts_http is True
    assert report.bypasses == ()


@pytest.mark.parametrize(
    ("pattern", "mode", "ignore_case", "expected"),
    [
        (r"https://.*\.example\.com", MATCH, True, [("suffix", "https://app.example.com.attacker.test")]),
        (r"https://\w+\.example\.com", MATCH, False, [("suffix", "https://app.example.com.attacker.test")]),
        (r"https://.*\.example\.com", FULL, False, []),
        (
            r"https://.*.example.com",
            FULL,
            False,
            [("no-dot-boundary", "https://attackerexample.com"), ("unescaped-dot", "https://appxexample.com")],
        ),
    ],
)
def test_python_framework_modes(pattern: str, mode: MatchMode, ignore_case: bool, expected: list) -> None:
    report = analyze(pattern, "python", mode, ignore_case)
    assert report.intended == "https://app.example.com"
    assert kinds(report) == expected
    assert report.subdomain_wildcard == "example.com"


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"/example\.com$/", [("no-dot-boundary", "https://attackerexample.com"), ("scheme", "http://example.com")]),
        (r"example\.com$", [("no-dot-boundary", "https://attackerexample.com"), ("scheme", "http://example.com")]),
        (r"/^https:\/\/example\.com/", [("suffix", "https://example.com.attacker.test")]),
        (r"^https:\/\/example\.com$", []),
    ],
)
def test_js_regexps(pattern: str, expected: list) -> None:
    report = analyze(pattern, "js")
    assert report.intended == "https://example.com"
    assert kinds(report) == expected


@pytest.mark.parametrize("pattern", [".*", "^.*$", ".+", "^https?://.*$", "(.*)", "^https?://"])
def test_accepts_any(pattern: str) -> None:
    report = analyze(pattern)
    assert report.accepts_any is True
    assert report.intended is None
    assert report.bypasses[0] == Bypass("any-origin", "https://attacker.test", "the pattern accepts every origin")
    assert report.subdomain_wildcard is None and report.shared_host is None


def test_accepts_any_also_reports_an_unintended_null() -> None:
    assert kinds(analyze("^.*$")) == [("any-origin", "https://attacker.test"), ("null", "null")]
    assert analyze("^.*$").accepts_null is True
    assert analyze("^https://.*$").accepts_null is False


def test_unrelated_hosts_without_every_origin() -> None:
    report = analyze(r"^https://[a-z.]+$", "python", FULL)
    assert report.accepts_any is False
    assert kinds(report)[0] == ("any-origin", "https://attacker.test")
    assert report.bypasses[0].explanation == "the pattern accepts hosts unrelated to the trusted one"


@pytest.mark.parametrize(
    ("pattern", "intended"),
    [("null", None), (r"^(null|https://a\.com)$", "https://a.com"), (r"^(https://a\.com|null)$", "https://a.com")],
)
def test_deliberate_null(pattern: str, intended: str | None) -> None:
    report = analyze(pattern)
    assert report.accepts_null is True
    assert report.intended == intended
    assert report.bypasses == ()


def test_shared_host_pattern() -> None:
    report = analyze(r"^https://[a-z0-9-]+\.github\.io$")
    assert (report.shared_host, report.subdomain_wildcard, report.bypasses) == ("github.io", None, ())
    assert report.intended == "https://app.github.io"


def test_shared_host_wildcard_is_not_also_a_subdomain_wildcard() -> None:
    report = analyze(r"^https://.*\.vercel\.app$")
    assert (report.shared_host, report.subdomain_wildcard) == ("vercel.app", None)


def test_own_page_on_a_shared_host_is_not_shared() -> None:
    report = analyze(r"^https://myorg\.github\.io$")
    assert (report.shared_host, report.bypasses) == (None, ())


def test_glob_one_label_wildcard() -> None:
    report = analyze("https://*.example.com", mode=GLOB, ignore_case=True)
    assert (report.intended, report.subdomain_wildcard, report.bypasses) == (
        "https://app.example.com",
        "example.com",
        (),
    )


@pytest.mark.parametrize(
    ("pattern", "origin", "accepted"),
    [
        ("https://*.example.com", "https://a.example.com", True),
        ("https://*.example.com", "https://A-1.example.com", True),
        ("https://*.example.com", "https://a.b.example.com", False),
        ("https://*.example.com", "https://example.com", False),
        ("https://*.example.com", "https://a.example.com.attacker.test", False),
        ("https://*.example.com", "https://aexample.com", False),
        ("https://app.example.com", "https://appxexample.com", False),
        ("*", "https://anything.test", True),
        ("null", "null", True),
    ],
)
def test_glob_matching(pattern: str, origin: str, accepted: bool) -> None:
    assert pattern_accepts(pattern, origin, dialect="", mode=GLOB, ignore_case=False) is accepted


@pytest.mark.parametrize(
    ("pattern", "dialect", "mode", "intended", "local", "http"),
    [
        (r"^https?://(localhost|127\.0\.0\.1):[0-9]+$", "pcre", SEARCH, "http://localhost:3000", True, False),
        (r"^http://192\.168\.\d+\.\d+(:\d+)?$", "go", SEARCH, "http://192.168.1.1", True, True),
        (r"^https://(app\.example\.com|localhost:3000)$", "pcre", SEARCH, "https://app.example.com", True, False),
        (r"^http://example\.com$", "pcre", SEARCH, "http://example.com", False, True),
        (r"^https?://example\.com$", "pcre", SEARCH, "https://example.com", False, True),
        (r"^https://example\.com$", "pcre", SEARCH, "https://example.com", False, False),
    ],
)
def test_local_and_http_flags(pattern: str, dialect: str, mode: MatchMode, intended: str, local: bool, http: bool) -> None:
    report = analyze(pattern, dialect, mode)
    assert (report.intended, report.accepts_local, report.accepts_http) == (intended, local, http)


def test_deliberate_http_is_not_a_scheme_bypass() -> None:
    assert [b.kind for b in analyze(r"^https?://example\.com$").bypasses] == []
    assert [b.kind for b in analyze(r"^(http|https)://example\.com$").bypasses] == []


@pytest.mark.parametrize(
    ("pattern", "ignore_case", "expected"),
    [
        (r"^https://(www.)?example\.com$", False, [("unescaped-dot", "https://wwwxexample.com")]),
        (r"^https://example\.com|^https://www\.example\.com$", False, [("suffix", "https://example.com.attacker.test")]),
        (r"^https://.*example\.com$", False, [("no-dot-boundary", "https://attackerexample.com")]),
        (
            r"(.*\.mydomain.com)",
            True,
            [
                ("suffix", "https://app.mydomain.com.attacker.test"),
                ("unescaped-dot", "https://app.mydomainxcom.net"),
                ("scheme", "http://app.mydomain.com"),
            ],
        ),
        (r"https?://((api|dev|www)\.)?wikijourney\.eu", True, [("suffix", "https://wikijourney.eu.attacker.test")]),
        (r"^https?://localhost", False, [("suffix", "http://localhost.attacker.test")]),
        (r"^https?://localhost:[0-9]+", False, []),
        (r"^https://app\.example\.co\.uk", False, [("suffix", "https://app.example.co.uk.attacker.test")]),
        (r"example\.co\.uk$", False, [
            ("no-dot-boundary", "https://attackerexample.co.uk"), ("scheme", "http://example.co.uk"),
        ]),
        (r"^https://([a-z0-9-]+\.)*example\.com$", False, []),
        (r"^https://api\.v1\.example\.com$", False, []),
    ],
)
def test_realistic_patterns(pattern: str, ignore_case: bool, expected: list) -> None:
    assert kinds(analyze(pattern, ignore_case=ignore_case)) == expected


def test_subdomain_wildcard_below_the_registrable_domain() -> None:
    report = analyze(r"^https://[a-z]+\.api\.example\.com$")
    assert (report.intended, report.subdomain_wildcard, report.bypasses) == (
        "https://app.api.example.com",
        "api.example.com",
        (),
    )


def test_case_sensitive_pattern_with_upper_case_cannot_match() -> None:
    report = analyze(r"^https://Example\.com$", "python", FULL)
    assert (report.ok, report.intended, report.bypasses) == (True, None, ())


def test_unanchored_search_of_a_dead_pattern() -> None:
    report = analyze(r"^https://example\.com/$")
    assert (report.ok, report.intended, report.bypasses) == (True, None, ())


# --- dialects ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "dialect", "ignore_case", "origin", "accepted"),
    [
        (r"/^https:\/\/EXAMPLE\.com$/i", "js", False, "https://example.com", True),
        (r"/^https:\/\/EXAMPLE\.com$/", "js", False, "https://example.com", False),
        ("/api/v", "js", False, "https://x.test/api/v", True),
        ("/api/v", "js", False, "https://x.test", False),
        (r"^https://(?<sub>[a-z]+)\.example\.com$", "js", False, "https://a.example.com", True),
        (r"^https://(?<s>[a-z]+)-\k<s>\.example\.com$", "js", False, "https://ab-ab.example.com", True),
        (r"^https://[^]+$", "js", False, "https://x.test", True),
        (r"^https://\d+\.example\.com$", "js", False, "https://12.example.com", True),
        (r"^https://(?i)EXAMPLE\.com$", "pcre", False, "https://example.com", True),
        (r"^https://(?i:EXAMPLE)\.com$", "pcre", False, "https://example.com", True),
        (r"^https://(?'n'[a-z]+)\.example\.com$", "pcre", False, "https://a.example.com", True),
        (r"^\Qhttps://a.b\E$", "pcre", False, "https://a.b", True),
        (r"^\Qhttps://a.b\E$", "pcre", False, "https://axb", False),
        (r"^https://[[:alpha:]]+\.example\.com$", "pcre", False, "https://abc.example.com", True),
        (r"^https://[[:alpha:]]+\.example\.com$", "ere", False, "https://a1.example.com", False),
        (r"^https://[[:alnum:]-]+\.example\.com$", "ere", False, "https://a-1.example.com", True),
        (r"^https://example\.com\z", "go", False, "https://example.com", True),
        (r"(?i)^https://example\.com$", "go", False, "https://EXAMPLE.com", True),
        (r"(?U)^https://a+\.com$", "go", False, "https://aaa.com", True),
        (r"^https://example\.com$", "python", True, "https://EXAMPLE.COM", True),
        (r"^https://[]a]+\.com$", "pcre", False, "https://]a.com", True),
    ],
)
def test_dialects(pattern: str, dialect: str, ignore_case: bool, origin: str, accepted: bool) -> None:
    assert pattern_accepts(pattern, origin, dialect=dialect, mode=SEARCH, ignore_case=ignore_case) is accepted


@pytest.mark.parametrize(
    ("mode", "origin", "accepted"),
    [
        (SEARCH, "https://app.example.com.attacker.test", True),
        (SEARCH, "xhttps://app.example.com", True),
        (MATCH, "https://app.example.com.attacker.test", True),
        (MATCH, "xhttps://app.example.com", False),
        (FULL, "https://app.example.com.attacker.test", False),
        (FULL, "https://app.example.com", True),
        ("fullmatch", "https://app.example.com", True),
    ],
)
def test_modes(mode: MatchMode, origin: str, accepted: bool) -> None:
    assert pattern_accepts(r"https://\w+\.example\.com", origin, dialect="python", mode=mode, ignore_case=False) is accepted


# --- the bounded automaton agrees with Python's engine ------------------------------------------------------------

NESTED = [
    r"^https://([a-z0-9-]+\.)*example\.com$",
    r"^https://([a-z0-9]+[.-]?)*\.example\.com$",
    r"^(https?://)+(www\.)*example\.com(:\d+)*$",
    r"\b(a|ab)*c\b",
    r"^https://(?:(?:[a-z]+)\.)+com(?::[0-9]{2,5})?$",
    r"(?i)^HTTPS://(\w+\.)*EXAMPLE\.COM$",
    r"^https://(a?){3}b",
]
PROBES = [
    "https://example.com", "https://a.example.com", "https://a.b-c.example.com", "https://example.com.evil.test",
    "https://aexample.com", "http://example.com", "http://http://www.www.example.com:1:22", "abc", "ac",
    "x ab abc", "https://a.com:8443", "https://a.b.com:1", "HTTPS://A.EXAMPLE.COM", "https://aab", "https://b", "",
]


@pytest.mark.parametrize("pattern", NESTED)
@pytest.mark.parametrize("mode", [SEARCH, MATCH, FULL])
def test_automaton_agrees_with_re(pattern: str, mode: MatchMode) -> None:
    regex = re.compile(pattern, re.ASCII)
    method = {SEARCH: regex.search, MATCH: regex.match, FULL: regex.fullmatch}[mode]
    for probe in PROBES:
        expected = method(probe) is not None
        assert pattern_accepts(pattern, probe, dialect="python", mode=mode, ignore_case=False) is expected, probe


# --- failures and budgets ------------------------------------------------------------------------------------------

HOSTILE = [
    r"(a+)+$",
    r"(.*a){20}",
    r"^(a|aa)*$",
    "|".join(f"a{i}" for i in range(10_000)),
    "^(" + "|".join(f"https://s{i}\\.example\\.com" for i in range(10_000)) + ")$",
    r"(a?){30}a{30}",
    r"((((a*)*)*)*)*b",
    r"(.*x){300}y",
    "(" * 5000 + "a" + ")" * 5000,
    "(" * 100 + "a" + ")" * 100,
    r"(\w+\s?)+$",
    r"^(([a-z])+.)+[A-Z]([a-z])+$",
]


def test_hostile_patterns_are_analysed_within_the_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    with matcher_work(monkeypatch) as work:
        reports = [analyze(p + "#" + str(i)) for i, p in enumerate(HOSTILE)]
        accepts = [
            pattern_accepts(p, "https://" + "a" * 40 + ".example.com", dialect="pcre", mode=SEARCH, ignore_case=False)
            for p in HOSTILE
        ]
    work.assert_bounded()
    assert work.vm_steps <= len(HOSTILE) * (ANALYSIS_STEPS + FALLBACK_STEPS + ACCEPT_STEPS)
    assert all(isinstance(r, PatternReport) for r in reports)
    assert [a is None for a in accepts][3:5] == [True, True]


@pytest.mark.parametrize(
    ("pattern", "error"),
    [
        ("|".join(f"a{i}" for i in range(10_000)), "too complex to analyse within the budget (longer than 8192 characters)"),
        ("(" * 100 + "a" + ")" * 100, "too complex to analyse within the budget (groups nested more than 64 deep)"),
        (
            r"(?=(a+)+)b",
            "too complex to analyse within the budget (nested repetition combined with look-around, "
            "backreferences or atomic groups)",
        ),
    ],
)
def test_refusals_are_exhausted(pattern: str, error: str) -> None:
    report = analyze(pattern)
    assert (report.ok, report.exhausted, report.error) == (False, True, error)
    assert pattern_accepts(pattern, "https://a.com", dialect="pcre", mode=SEARCH, ignore_case=False) is None


@pytest.mark.parametrize("pattern", [r"(a+)+$", r"^(a|aa)*$", r"(.*a){20}"])
def test_nested_quantifiers_are_still_analysed(pattern: str) -> None:
    report = analyze(pattern)
    assert (report.ok, report.exhausted) == (True, False)
    assert pattern_accepts(pattern, "a" * 40 + "!", dialect="pcre", mode=FULL, ignore_case=False) is False


@pytest.mark.parametrize("pattern", [r"(x?){2900}y", r"(x?){5000}y"])
def test_budget_exhaustion_on_a_large_automaton(pattern: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with matcher_work(monkeypatch) as work:
        report = analyze(pattern)
        accepted = pattern_accepts(pattern, "https://" + "a" * 40 + ".test", dialect="pcre", mode=SEARCH, ignore_case=False)
    work.assert_bounded()
    assert work.vm_steps <= ANALYSIS_STEPS + FALLBACK_STEPS + ACCEPT_STEPS  # (x?){5000}y is refused unrun
    assert (report.ok, report.exhausted, report.error, accepted) == (
        False, True, "too complex to analyse within the budget", None,
    )


def test_large_counted_repeat_is_not_left_to_backtracking(monkeypatch: pytest.MonkeyPatch) -> None:
    with matcher_work(monkeypatch) as work:
        assert pattern_accepts(r"(x?){300}y", "x" * 30 + "y", dialect="pcre", mode=FULL, ignore_case=False) is True
    assert [c.regex for c in work.compiled] == [None]  # the bounded automaton decides, not Python's backtracking
    assert work.vm_runs == 1 and 0 < work.vm_steps <= ACCEPT_STEPS


def _bounded_accepts(pattern: str, origin: str, mode: MatchMode = SEARCH) -> bool:
    """The step-bounded automaton's verdict (these patterns are too risky for Python's backtracking engine)."""
    compiled = matcher.compile_pattern(pattern, "pcre", mode, False)
    assert compiled.regex is None and compiled.program is not None
    return compiled.accepts(origin, [FALLBACK_STEPS])


def test_pattern_the_analysis_cannot_read_still_yields_a_bypass() -> None:
    """`(.*a){20}` spells no origin, so the exact analysis had nothing to mutate; the fallback probe finds one."""
    report = analyze(r"(.*a){20}")
    assert (report.ok, report.exhausted, report.intended) == (True, False, None)
    assert len(report.bypasses) == 1
    bypass = report.bypasses[0]
    assert (bypass.kind, bypass.explanation) == ("any-origin", "the pattern accepts a host under a domain anyone can register")
    assert re.fullmatch(r"https://a{20,}\.attacker\.test", bypass.origin)
    assert _bounded_accepts(r"(.*a){20}", bypass.origin) is True
    assert pattern_accepts(r"(.*a){20}", bypass.origin, dialect="pcre", mode=SEARCH, ignore_case=False) is True
    assert analyze(r"(.*a){20}", mode=FULL).bypasses == ()  # fullmatch needs the whole origin to end in `a`


def test_budget_exhausting_pattern_still_reports_a_definite_bypass(monkeypatch: pytest.MonkeyPatch) -> None:
    pattern = r"(x?){0,1200}app\.example\.com"
    with matcher_work(monkeypatch) as work:
        report = analyze(pattern)
    assert 0 < work.vm_steps <= ANALYSIS_STEPS + FALLBACK_STEPS
    assert (report.ok, report.exhausted, report.error, report.intended) == (True, True, BUDGET_ERROR, None)
    assert kinds(report) == [("suffix", "https://app.example.com.attacker.test")]
    assert _bounded_accepts(pattern, "https://app.example.com.attacker.test") is True
    assert (report.accepts_any, report.subdomain_wildcard, report.accepts_http, report.accepts_local) == (
        False, None, False, False,
    )
    outside = pattern_outside_allowlist(pattern, dialect="pcre", mode=SEARCH, ignore_case=False, allowlist=ALLOW)
    assert outside == "https://app.example.com.attacker.test"


def test_budget_exhausting_pattern_found_by_a_sample_label() -> None:
    report = analyze(r"(x?){0,1900}y")
    assert (report.ok, report.exhausted) == (True, True)
    assert kinds(report) == [("any-origin", "https://y.attacker.test")]
    assert _bounded_accepts(r"(x?){0,1900}y", "https://y.attacker.test") is True


def test_tight_budget_exhausting_pattern_has_no_bypass() -> None:
    pattern = r"^https://(app|www|api|cdn|img|static|admin|beta)\.example\.com(x?){0,1900}$"
    report = analyze(pattern)
    assert (report.ok, report.exhausted, report.error, report.bypasses) == (False, True, BUDGET_ERROR, ())
    # not for lack of budget: the probe tried every candidate, within its budget, and the automaton refused them all
    compiled = matcher.compile_pattern(pattern, "pcre", SEARCH, False)
    tester = analysis.Tester(compiled, 0)
    assert analysis._fallback(compiled, tester) == ([], False, False)
    assert tester.budget[0] > 0 and len(tester.memo) > 20 and not any(tester.memo.values())


def test_fallback_probe_stops_when_its_budget_runs_out(monkeypatch: pytest.MonkeyPatch) -> None:
    with matcher_work(monkeypatch) as work:
        report = analyze(r"(x?){2900}y")  # no sample to build on, and `https://attacker.test` alone costs more than the budget
    assert 0 < work.vm_steps <= ANALYSIS_STEPS + FALLBACK_STEPS
    assert (report.ok, report.exhausted, report.bypasses) == (False, True, ())


@pytest.mark.parametrize(
    ("pattern", "dialect", "prefix"),
    [
        ("(", "pcre", "cannot be compiled: missing ), unterminated subpattern"),
        ("x{99999999999}", "pcre", "cannot be compiled: "),
        (r"\p{L}+", "go", "cannot be compiled: bad escape \\p"),
        (r"^https://a(?R)?\.com$", "pcre", "cannot be compiled: unknown extension ?R"),
        ("a", "perl6", "unknown regex dialect 'perl6'"),
    ],
)
def test_compile_errors(pattern: str, dialect: str, prefix: str) -> None:
    report = analyze(pattern, dialect)
    assert (report.ok, report.exhausted) == (False, False)
    assert report.error.startswith(prefix)


@given(st.text(alphabet="ab.*+?|()[]{}^$\\-:/,0123456789wsdx=!<>P'", max_size=40))
@settings(max_examples=400, deadline=None)
def test_analysis_never_raises(pattern: str) -> None:
    for dialect in ("pcre", "js"):
        report = analyze(pattern, dialect)
        assert report.ok or report.error
        assert pattern_accepts(pattern, "https://a.b", dialect=dialect, mode=SEARCH, ignore_case=True) in (True, False, None)


def test_results_are_cached_and_ordinary_patterns_use_re(monkeypatch: pytest.MonkeyPatch) -> None:
    pattern = r"^https://(www\.)?cached-example\.com$"
    assert analyze(pattern) is analyze(pattern)
    patterns = [rf"^https?://(.*\.)?site{i}\.example\.com(:\d+)?$" for i in range(200)]
    with matcher_work(monkeypatch) as work:
        for p in patterns * 2:
            analyze(p)
    assert len(work.compiled) == len(patterns)  # each compiled once, though analysed twice
    assert all(c.regex is not None for c in work.compiled) and work.vm_runs == 0


def test_analysis_is_not_repeated_after_thousands_of_other_patterns(monkeypatch: pytest.MonkeyPatch) -> None:
    """An nginx map of 10,000 regexes is analysed once per policy: no pattern may be analysed twice in one run."""
    real = analysis._analyze_uncached
    canned = real(r"^https://x\.example\.com$", "pcre", SEARCH, False)
    calls: list[str] = []

    def counting(pattern: str, dialect: str, mode: MatchMode, ignore_case: bool) -> PatternReport:
        calls.append(pattern)
        if pattern.startswith("^https://filler"):
            return canned  # the filler patterns only have to occupy the cache
        return real(pattern, dialect, mode, ignore_case)

    monkeypatch.setattr(analysis, "_analyze_uncached", counting)
    probe = r"^https://(www\.)?analysed-once\.example\.com$"
    fillers = [rf"^https://filler{i}\.example\.com$" for i in range(6000)]
    first = analyze(probe)
    for _ in range(2):  # two policies using the same 6,001 patterns
        for pattern in fillers:
            analyze(pattern)
        assert analyze(probe) is first
    assert calls.count(probe) == 1
    assert len(calls) == 1 + len(fillers)


def test_accepts_and_allowlist_answers_are_not_recomputed(monkeypatch: pytest.MonkeyPatch) -> None:
    accepts_calls: list[str] = []
    outside_calls: list[str] = []
    real_accepts, real_outside = analysis._accepts_uncached, allowlist._outside_uncached

    def counting_accepts(key: tuple, origin: str) -> bool | None:
        accepts_calls.append(key[0])
        return False if key[0].startswith("^https://asked") else real_accepts(key, origin)  # fillers: no compiling

    monkeypatch.setattr(analysis, "_accepts_uncached", counting_accepts)
    monkeypatch.setattr(allowlist, "_outside_uncached", lambda key, allow: outside_calls.append(key[0]) or real_outside(key, allow))
    probe = r"^https://(www\.)?asked-once\.example\.com"
    fillers = [rf"^https://asked{i}\.example\.com$" for i in range(5000)]
    for _ in range(2):
        assert pattern_accepts(probe, "https://asked-once.example.com", dialect="pcre", mode=SEARCH, ignore_case=False)
        assert pattern_outside_allowlist(probe, dialect="pcre", mode=SEARCH, ignore_case=False, allowlist=ALLOW) == (
            "https://asked-once.example.com"
        )
        for pattern in fillers:
            pattern_accepts(pattern, "https://a.test", dialect="pcre", mode=SEARCH, ignore_case=False)
    assert accepts_calls.count(probe) == 1 and outside_calls.count(probe) == 1
    assert len(accepts_calls) == 1 + len(fillers)


def test_memo_is_bounded_by_entries_and_by_weight() -> None:
    table = memo.Memo(max_entries=3, max_weight=16_000)
    for key in "abc":
        table.store(key, key.upper(), 10)
    assert table.lookup("a") == "A"  # now the most recently used
    table.store("d", "D", 10)
    assert [table.lookup(k) for k in "abcd"] == ["A", memo.MISSING, "C", "D"]
    heavy = memo.Memo(max_entries=100, max_weight=1_600)
    for i in range(40):
        heavy.store(i, i, 90)
    assert len(heavy) == 17 and heavy.lookup(39) == 39 and heavy.lookup(22) is memo.MISSING
    assert heavy.store("huge", "H", 101) == "H" and heavy.lookup("huge") is memo.MISSING  # over 1/16 of the table


# --- allowlists (CORS901) ------------------------------------------------------------------------------------------

ALLOW = ["https://app.example.com", "https://*.corp.example.com", "http://localhost:3000", "null"]


@pytest.mark.parametrize(
    ("origin", "inside"),
    [
        ("https://app.example.com", True),
        ("https://APP.example.com/", True),
        ("https://app.example.com:443", True),
        ("https://app.example.com:8443", False),
        ("http://app.example.com", False),
        ("https://a.corp.example.com", True),
        ("https://a.b.corp.example.com", True),
        ("https://corp.example.com", False),
        ("https://evilcorp.example.com", False),
        ("http://localhost:3000", True),
        ("http://localhost:3001", False),
        ("null", True),
        ("https://attacker.test", False),
    ],
)
def test_in_allowlist(origin: str, inside: bool) -> None:
    assert in_allowlist(origin, ALLOW) is inside


def test_in_allowlist_star_and_empty() -> None:
    assert in_allowlist("https://x.test", ["*"]) is True
    assert in_allowlist("https://x.test", []) is False
    assert in_allowlist("null", ["https://x.test"]) is False


@pytest.mark.parametrize(
    ("pattern", "mode", "allowlist", "outside"),
    [
        (r"^https://app\.example\.com$", SEARCH, ALLOW, None),
        (r"^https://app\.example\.com", SEARCH, ALLOW, "https://app.example.com.attacker.test"),
        (r"^https://[a-z]+\.corp\.example\.com$", SEARCH, ALLOW, None),
        (r"^https://[a-z]+\.example\.com$", SEARCH, ALLOW, "https://attacker.example.com"),
        (r"^https://(app|beta)\.example\.com$", SEARCH, ALLOW, "https://beta.example.com"),
        (r"^(null|https://app\.example\.com)$", SEARCH, ALLOW, None),
        (r"^(null|https://app\.example\.com)$", SEARCH, ["https://app.example.com"], "null"),
        (".*", SEARCH, ALLOW, "https://attacker.test"),
        ("https://*.corp.example.com", GLOB, ALLOW, None),
        ("https://*.example.com", GLOB, ALLOW, "https://attacker.example.com"),
        ("(", SEARCH, ALLOW, None),
    ],
)
def test_pattern_outside_allowlist(pattern: str, mode: MatchMode, allowlist: list[str], outside: str | None) -> None:
    found = pattern_outside_allowlist(pattern, dialect="pcre", mode=mode, ignore_case=False, allowlist=allowlist)
    assert found == outside


def test_public_names_resolve_lazily_from_their_modules():
    import importlib
    import sys

    import corslint.origins as package

    assert sorted(package.__all__) == sorted(package._HOME)
    for name, module in package._HOME.items():
        assert getattr(package, name) is getattr(importlib.import_module(f"corslint.origins.{module}"), name)
    assert "no_such_name" not in dir(package)
    with pytest.raises(AttributeError):
        package.no_such_name  # noqa: B018
    assert "corslint.origins.matcher" in sys.modules


def test_outside_allowlist_reports_only_origins_a_browser_sends() -> None:
    """`^([^!]+)?https://webvisor\\.com$` accepts the string `apphttps://webvisor.com`, which no browser sends."""
    from corslint.model import MatchMode
    from corslint.origins import pattern_outside_allowlist

    assert pattern_outside_allowlist(
        r"^([^!]+)?https://webvisor\.com$", dialect="pcre", mode=MatchMode.SEARCH, ignore_case=False,
        allowlist=["https://webvisor.com", "https://*.webvisor.com"],
    ) is None
    assert pattern_outside_allowlist(
        r"^https://([^/]+)?webvisor\.com$", dialect="pcre", mode=MatchMode.SEARCH, ignore_case=False,
        allowlist=["https://webvisor.com", "https://*.webvisor.com"],
    ) is not None
