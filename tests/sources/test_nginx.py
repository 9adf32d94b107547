"""The nginx source: parsing, includes, inheritance, request flow and the exact CorsPolicy facts it states."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Optional, Union

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from meters import assert_linear

from corslint.model import (
    CorsPolicy,
    DeliveryKind,
    Extraction,
    ListKind,
    MatchMode,
    OriginKind,
    PreflightKind,
    State,
)
from corslint.workspace import SourceFile, Workspace
from corslint.sources.nginx.source import NginxSource

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "real" / "nginx"
API = "server api.example.com > location /v1/"


def run(tmp_path: Path, files: dict[str, Union[str, bytes]]) -> Extraction:
    """Write `files` under tmp_path and extract them all, as discovery hands claimed files over."""
    workspace = Workspace([tmp_path], display_base=tmp_path)
    for name, content in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    handed = []
    for name in files:
        source_file = SourceFile(name, (tmp_path / name).resolve())
        workspace.register(source_file)
        handed.append(source_file)
    return NginxSource().extract(handed, workspace)


def clean(tmp_path: Path, config: str) -> Extraction:
    extraction = run(tmp_path, {"site.conf": config})
    assert extraction.problems == []
    return extraction


def in_location(body: str) -> str:
    """`body` (8-space indented lines) as the content of `location /v1/` of server api.example.com; body starts on line 4."""
    return "server {\n    server_name api.example.com;\n    location /v1/ {\n" + body + "    }\n}\n"


def policy(extraction: Extraction, scope: str) -> CorsPolicy:
    found = [p for p in extraction.policies if p.scope == scope]
    assert len(found) == 1, [p.scope for p in extraction.policies]
    return found[0]


def origins(p: CorsPolicy) -> list[tuple]:
    return [(r.kind, r.value, r.prov.location.line, r.prov.location.column, r.mode, r.ignore_case) for r in p.origins]


def problems(extraction: Extraction) -> list[tuple]:
    return [(p.location.path, p.location.line, p.location.column, p.message) for p in extraction.problems]


# --- origins --------------------------------------------------------------------------------------

ACAO = "        add_header Access-Control-Allow-Origin"


@pytest.mark.parametrize(
    "body, expected",
    [
        (f"{ACAO} * always;\n", [(OriginKind.ANY, "*", 4, 48, None, False)]),
        (f"{ACAO} 'null';\n", [(OriginKind.NULL, "null", 4, 48, None, False)]),
        (f'{ACAO} "https://a.com, https://b.com/";\n', [(OriginKind.EXACT, "https://a.com, https://b.com/", 4, 48, None, False)]),
        (f"{ACAO} https://*.example.com;\n", [(OriginKind.EXACT, "https://*.example.com", 4, 48, None, False)]),
        (f"{ACAO} $http_origin always;\n", [(OriginKind.REFLECT, "$http_origin", 4, 48, None, False)]),
        (f'{ACAO} "${{http_origin}}";\n', [(OriginKind.REFLECT, "$http_origin", 4, 48, None, False)]),
        (f'        set $o "null";\n{ACAO} $o;\n', [(OriginKind.NULL, "null", 4, 16, None, False)]),
        (f"{ACAO} $nowhere;\n", [(OriginKind.UNKNOWN, "$nowhere", 4, 48, None, False)]),
        (f"{ACAO} https://$host;\n", [(OriginKind.UNKNOWN, "https://$host", 4, 48, None, False)]),
        (
            '        if ($http_origin ~* "^https://(a|b)\\.example\\.com$") {\n'
            f"    {ACAO} $http_origin always;\n        }}\n",
            [(OriginKind.PATTERN, r"^https://(a|b)\.example\.com$", 4, 29, MatchMode.SEARCH, True)],
        ),
        (
            '        set $cors "";\n'
            "        if ($http_origin ~ ^https://app\\.example\\.com$) {\n"
            "            set $cors $http_origin;\n        }\n"
            f"{ACAO} $cors always;\n",
            [(OriginKind.PATTERN, r"^https://app\.example\.com$", 5, 28, MatchMode.SEARCH, False)],
        ),
        (
            '        if ($http_origin = "https://admin.example.com") {\n'
            "            set $cors $http_origin;\n        }\n"
            f"{ACAO} $cors;\n",
            [(OriginKind.EXACT, "https://admin.example.com", 4, 28, None, False)],
        ),
        (
            '        if ($http_origin !~* "^https://good\\.example$") {\n            return 403;\n        }\n'
            f"{ACAO} $http_origin always;\n",
            [(OriginKind.PATTERN, r"^https://good\.example$", 4, 30, MatchMode.SEARCH, True)],
        ),
        (
            '        if ($http_origin ~* "^https://(www\\.)?shop\\.example$") {\n            set $cors_ok "true";\n        }\n'
            '        if ($cors_ok = "true") {\n'
            f"    {ACAO} $http_origin;\n        }}\n",
            [(OriginKind.PATTERN, r"^https://(www\.)?shop\.example$", 4, 29, MatchMode.SEARCH, True)],
        ),
    ],
    ids=[
        "star", "null", "list-verbatim", "literal-glob", "reflect", "reflect-braces", "set-literal", "undefined-variable",
        "composed", "if-regex", "if-regex-set", "if-equals", "negative-guard-return", "flag-variable",
    ],
)
def test_origin_rules(tmp_path: Path, body: str, expected: list[tuple]) -> None:
    extraction = clean(tmp_path, in_location(body))
    scopes = [p.scope for p in extraction.policies]
    rules = [rule for p in extraction.policies for rule in p.origins]
    got = [(r.kind, r.value, r.prov.location.line, r.prov.location.column, r.mode, r.ignore_case) for r in rules]
    assert got == expected, scopes


def test_empty_value_adds_no_header(tmp_path: Path) -> None:
    extraction = clean(tmp_path, in_location(f'{ACAO} "";\n        add_header X-Frame-Options DENY;\n'))
    assert extraction.policies == []


def test_origin_rule_points_at_the_deciding_value_and_at_the_sender(tmp_path: Path) -> None:
    body = (
        '        if ($http_origin ~* "^https://(a|b)\\.example\\.com$") {\n'
        f"            {ACAO.strip()} $http_origin always;\n        }}\n"
    )
    extraction = clean(tmp_path, in_location(body))
    p = policy(extraction, f'{API} > if ($http_origin ~* "^https://(a|b)\\.example\\.com$")')
    rule = p.origins[0]
    assert rule.dialect == "pcre"
    assert rule.prov.raw == 'if ($http_origin ~* "^https://(a|b)\\.example\\.com$")'
    assert rule.prov.context == API
    assert [(r.location.line, r.location.column, r.note) for r in rule.prov.related] == [
        (5, 13, "sent by add_header Access-Control-Allow-Origin $http_origin always here")
    ]
    assert p.condition == '$http_origin ~* "^https://(a|b)\\.example\\.com$"'


def test_reflection_does_not_hide_behind_unrelated_origin_tests(tmp_path: Path) -> None:
    config = """
    server {
        server_name api.example.com;
        if ($http_origin ~* "^https://lineitem\\.org") {
            set $seen "yes";
        }
        location /v1/ {
            add_header Access-Control-Allow-Origin $http_origin always;
        }
    }
    """
    p = policy(clean(tmp_path, config), API)
    assert origins(p) == [(OriginKind.REFLECT, "$http_origin", 7, 48, None, False)]


MAPS = """
http {
    map $http_origin $cors_origin {
        default "";
        "~^https://(www|app)\\.example\\.com$" $http_origin;
        "~*https://.*\\.partner\\.net" $http_origin;
        https://Admin.example.org $http_origin;
        https://static.example.org https://static.example.org;
        https://sandbox.example.org null;
    }
    map $http_origin $open_origin {
        default $http_origin;
    }
    map $http_origin $wild_origin {
        hostnames;
        .example.com $http_origin;
        *.example.net $http_origin;
    }
    map $http_origin$cookie_x $mixed_origin {
        default $http_origin;
    }
    map $host $by_host {
        api.example.com $http_origin;
        default "https://fixed.example";
    }
    server {
        server_name api.example.com;
        location /a { add_header Access-Control-Allow-Origin $cors_origin always; }
        location /b { add_header Access-Control-Allow-Origin $open_origin always; }
        location /c { add_header Access-Control-Allow-Origin $wild_origin always; }
        location /d { add_header Access-Control-Allow-Origin $mixed_origin always; }
        location /e { add_header Access-Control-Allow-Origin $by_host always; }
    }
}
"""


def test_map_entries_become_origin_rules(tmp_path: Path) -> None:
    extraction = clean(tmp_path, MAPS)
    assert origins(policy(extraction, "server api.example.com > location /a")) == [
        (OriginKind.PATTERN, r"^https://(www|app)\.example\.com$", 4, 9, MatchMode.SEARCH, False),
        (OriginKind.PATTERN, r"https://.*\.partner\.net", 5, 9, MatchMode.SEARCH, True),
        (OriginKind.EXACT, "https://Admin.example.org", 6, 9, None, True),
        (OriginKind.EXACT, "https://static.example.org", 7, 36, None, False),
        (OriginKind.NULL, "null", 8, 37, None, False),
    ]
    assert origins(policy(extraction, "server api.example.com > location /b")) == [
        (OriginKind.REFLECT, "$http_origin", 11, 17, None, False)
    ]
    assert origins(policy(extraction, "server api.example.com > location /c")) == [
        (OriginKind.PATTERN, ".example.com", 15, 9, MatchMode.GLOB, True),
        (OriginKind.PATTERN, "*.example.net", 16, 9, MatchMode.GLOB, True),
    ]
    mixed = policy(extraction, "server api.example.com > location /d").origins
    assert [(r.kind, r.note) for r in mixed] == [(OriginKind.UNKNOWN, "the map key combines $http_origin with other variables")]
    assert origins(policy(extraction, "server api.example.com > location /e")) == [
        (OriginKind.REFLECT, "$http_origin", 22, 25, None, False),
        (OriginKind.EXACT, "https://fixed.example", 23, 17, None, False),
    ]


def test_map_rule_provenance(tmp_path: Path) -> None:
    rule = policy(clean(tmp_path, MAPS), "server api.example.com > location /a").origins[0]
    assert rule.prov.raw == '"~^https://(www|app)\\.example\\.com$" $http_origin'
    assert rule.prov.context == "map $http_origin $cors_origin"
    assert [(r.location.line, r.location.column, r.note) for r in rule.prov.related] == [
        (27, 23, "sent by add_header Access-Control-Allow-Origin $cors_origin always here")
    ]


def test_map_used_as_an_origin_flag(tmp_path: Path) -> None:
    config = """
    map $http_origin $cors_ok {
        default 0;
        "~^https://ok\\.example\\.com$" 1;
        https://exact.example.com 1;
    }
    server {
        server_name api.example.com;
        location /v1/ {
            if ($cors_ok) {
                add_header Access-Control-Allow-Origin $http_origin always;
            }
        }
    }
    """
    p = policy(clean(tmp_path, config), f"{API} > if ($cors_ok)")
    assert origins(p) == [
        (OriginKind.PATTERN, r"^https://ok\.example\.com$", 3, 5, MatchMode.SEARCH, False),
        (OriginKind.EXACT, "https://exact.example.com", 4, 5, None, True),
    ]


def test_map_in_another_included_file(tmp_path: Path) -> None:
    files = {
        "nginx.conf": """
        http {
            include conf.d/*.conf;
        }
        """,
        "conf.d/maps.conf": """
        map $http_origin $allowed {
            default "";
            "~^https://a\\.example$" $http_origin;
        }
        """,
        "conf.d/site.conf": """
        server {
            server_name api.example.com;
            location /v1/ { add_header Access-Control-Allow-Origin $allowed always; }
        }
        """,
    }
    extraction = run(tmp_path, files)
    assert extraction.problems == []
    rule = policy(extraction, API).origins[0]
    assert (rule.kind, rule.value) == (OriginKind.PATTERN, r"^https://a\.example$")
    assert (rule.prov.location.path, rule.prov.location.line, rule.prov.location.column) == ("conf.d/maps.conf", 3, 5)
    assert extraction.files == {"nginx.conf", "conf.d/maps.conf", "conf.d/site.conf"}


def test_uninitialised_set_variable_sends_nothing(tmp_path: Path) -> None:
    config = in_location(
        "        if ($http_origin ~ ^https://a\\.example$) {\n            set $cors $http_origin;\n        }\n"
        f"{ACAO} $cors always;\n"
    )
    p = policy(clean(tmp_path, config), API)
    assert origins(p) == [(OriginKind.PATTERN, r"^https://a\.example$", 4, 28, MatchMode.SEARCH, False)]


# --- credentials, lists and scalar settings ---------------------------------------------------------------


@pytest.mark.parametrize(
    "line, state, value",
    [
        ("add_header Access-Control-Allow-Credentials true always;", State.KNOWN, True),
        ("add_header Access-Control-Allow-Credentials 'True';", State.KNOWN, False),
        ("add_header Access-Control-Allow-Credentials $creds;", State.UNKNOWN, None),
        ("add_header Access-Control-Allow-Credentials $creds_map;", State.KNOWN, True),
        ("add_header X-Other true;", State.ABSENT, None),
    ],
    ids=["true", "capitalised", "unknown", "via-map", "absent"],
)
def test_credentials(tmp_path: Path, line: str, state: State, value: Optional[bool]) -> None:
    config = (
        "map $http_origin $creds_map { default \"\"; \"~^https://a\\.example$\" true; }\n"
        + in_location(f"{ACAO} *;\n        {line}\n")
    )
    p = policy(clean(tmp_path, config), API)
    assert (p.credentials.state, p.credentials.value) == (state, value)
    if state is State.KNOWN and "map" not in line and "$" not in line:
        assert p.credentials.prov is not None
        assert p.credentials.prov.raw == line.rstrip(";")
        assert (p.credentials.prov.location.line, p.credentials.prov.location.column) == (6, 53)


def test_lists_with_item_columns(tmp_path: Path) -> None:
    body = (
        f"{ACAO} https://a.example always;\n"
        '        add_header Access-Control-Allow-Methods "GET, PUT,DELETE" always;\n'
        "        add_header Access-Control-Allow-Headers *;\n"
        "        add_header Access-Control-Expose-Headers X-Total;\n"
        "        add_header Access-Control-Max-Age 7200;\n"
        "        add_header Access-Control-Allow-Private-Network true always;\n"
        "        add_header Vary 'Accept-Encoding, Origin';\n"
    )
    p = policy(clean(tmp_path, in_location(body)), API)
    assert (p.methods.kind, p.methods.items) == (ListKind.EXPLICIT, ("GET", "PUT", "DELETE"))
    assert [(q.location.line, q.location.column) for q in p.methods.item_provs] == [(5, 50), (5, 55), (5, 59)]
    assert (p.allow_headers.kind, p.allow_headers.items) == (ListKind.ANY, ("*",))
    assert (p.expose_headers.kind, p.expose_headers.items) == (ListKind.EXPLICIT, ("X-Total",))
    assert (p.max_age.state, p.max_age.value) == (State.KNOWN, "7200")
    assert (p.private_network.state, p.private_network.value) == (State.KNOWN, True)
    assert (p.vary_origin.state, p.vary_origin.value) == (State.KNOWN, True)
    assert p.vary_origin.prov is not None and p.vary_origin.prov.location.line == 10


def test_reflected_and_unknown_lists(tmp_path: Path) -> None:
    body = (
        f"{ACAO} https://a.example;\n"
        "        add_header Access-Control-Allow-Methods $http_access_control_request_method;\n"
        "        add_header Access-Control-Allow-Headers $http_access_control_request_headers;\n"
        "        add_header Access-Control-Expose-Headers $expose;\n"
        "        add_header Vary $vary_value;\n"
    )
    p = policy(clean(tmp_path, in_location(body)), API)
    assert (p.methods.kind, p.allow_headers.kind, p.expose_headers.kind) == (ListKind.REFLECT, ListKind.REFLECT, ListKind.UNKNOWN)
    assert p.vary_origin.state is State.UNKNOWN
    assert p.max_age.state is State.ABSENT and p.credentials.state is State.ABSENT


def test_list_resolved_through_set(tmp_path: Path) -> None:
    body = f'        set $methods "GET, POST";\n{ACAO} *;\n        add_header Access-Control-Allow-Methods $methods;\n'
    p = policy(clean(tmp_path, in_location(body)), API)
    assert (p.methods.kind, p.methods.items) == (ListKind.EXPLICIT, ("GET", "POST"))
    assert [(q.location.line, q.location.column) for q in p.methods.item_provs] == [(4, 23), (4, 28)]


# --- emissions and delivery -------------------------------------------------------------------------


def test_emissions_after_inheritance_in_order(tmp_path: Path) -> None:
    config = """
    http {
        more_set_headers 'Vary: Origin';
        server {
            server_name api.example.com;
            add_header Access-Control-Allow-Origin https://a.example always;
            add_header X-Frame-Options DENY;
            location /v1/ {
                more_set_headers -s '200 204' "Access-Control-Allow-Credentials: true" 'X-Other: 1';
                proxy_pass http://app;
            }
        }
    }
    """
    p = policy(clean(tmp_path, config), API)
    assert [(e.name, e.value, e.always, e.action, e.conditional, e.prov.location.line, e.prov.context) for e in p.emissions] == [
        ("Access-Control-Allow-Origin", "https://a.example", True, "add", False, 5, "server api.example.com"),
        ("Vary", "Origin", True, "replace", False, 2, "http"),
        ("Access-Control-Allow-Credentials", "true", False, "replace", False, 8, API),
    ]
    assert p.emissions[2].prov.location.column == 43
    assert p.credentials.is_true() and p.vary_origin.is_true()
    assert p.delivery == []


@pytest.mark.parametrize(
    ("condition", "reaches"),
    [("$request_method = POST", False), ("$request_method != OPTIONS", False), ("$request_method ~ ^(GET|POST)$", False),
     ("$request_method = OPTIONS", True), ("$request_method ~* ^(options|get)$", True), ("$http_x_debug", True)],
)
def test_dropped_headers_say_whether_a_preflight_reaches_the_block(tmp_path: Path, condition: str, reaches: bool) -> None:
    config = f"""
    server {{
        server_name api.example.com;
        location /api/ {{
            add_header Access-Control-Allow-Methods "GET, POST" always;
            if ({condition}) {{
                add_header X-Node a always;
            }}
            proxy_pass http://127.0.0.1:8080;
        }}
    }}
    """
    facts = [fact for p in clean(tmp_path, config).policies for fact in p.delivery]
    assert [(fact.header, fact.reaches_preflight) for fact in facts] == [("Access-Control-Allow-Methods", reaches)]


def test_inner_add_header_drops_inherited_cors_headers_once_each(tmp_path: Path) -> None:
    config = """
    server {
        server_name api.example.com;
        add_header Access-Control-Allow-Origin https://a.example always;
        add_header Vary Origin always;
        add_header Access-Control-Allow-Origin https://b.example always;
        location /v1/ {
            add_header Cache-Control no-store;
            add_header Vary Accept-Encoding;
        }
    }
    """
    p = policy(clean(tmp_path, config), API)
    assert p.origins == []
    assert [(e.name, e.value) for e in p.emissions] == [("Vary", "Accept-Encoding")]
    facts = [(d.kind, d.header, d.prov.location.line, d.prov.location.column, d.prov.raw) for d in p.delivery]
    assert facts == [
        (DeliveryKind.DROPPED_INHERITED, "Access-Control-Allow-Origin", 7, 9, "add_header Cache-Control no-store"),
        (DeliveryKind.DROPPED_INHERITED, "Vary", 7, 9, "add_header Cache-Control no-store"),
    ]
    related = p.delivery[0].prov.related
    assert [(r.location.line, r.location.column) for r in related] == [(3, 5)]
    assert "server api.example.com" in related[0].note
    assert p.delivery[0].prov.context == API


def test_server_policy_only_when_no_location_inherits(tmp_path: Path) -> None:
    config = """
    server {
        server_name api.example.com;
        add_header Access-Control-Allow-Origin * always;
        location /inherits/ { root /srv; }
        location /own/ { add_header X-A 1; }
    }
    server {
        server_name other.example.com;
        add_header Access-Control-Allow-Origin * always;
        location /own/ { add_header X-A 1; }
    }
    """
    scopes = sorted(p.scope for p in clean(tmp_path, config).policies)
    assert scopes == [
        "server api.example.com > location /inherits/",
        "server api.example.com > location /own/",
        "server other.example.com",
        "server other.example.com > location /own/",
    ]


@pytest.mark.parametrize("mode, dropped, count", [("merge", False, 2), ("off", False, 1), ("on", True, 1)])
def test_add_header_inherit(tmp_path: Path, mode: str, dropped: bool, count: int) -> None:
    config = f"""
    server {{
        server_name api.example.com;
        add_header_inherit {mode};
        add_header Access-Control-Allow-Origin * always;
        location /v1/ {{
            add_header Access-Control-Allow-Methods GET;
        }}
    }}
    """
    p = policy(clean(tmp_path, config), API)
    assert len(p.emissions) == count
    assert any(d.kind is DeliveryKind.DROPPED_INHERITED for d in p.delivery) is dropped


def test_duplicates_in_a_location_and_in_an_if_block(tmp_path: Path) -> None:
    body = (
        f"{ACAO} https://a.example always;\n"
        f"{ACAO} https://b.example always;\n"
        "        more_set_headers 'Access-Control-Allow-Origin: https://c.example';\n"
        "        if ($request_method = GET) {\n"
        f"    {ACAO} *;\n"
        f"    {ACAO} *;\n"
        "        }\n"
    )
    extraction = clean(tmp_path, in_location(body))
    main = policy(extraction, API)
    assert [(d.kind, d.header, d.prov.location.line, [r.location.line for r in d.prov.related]) for d in main.delivery] == [
        (DeliveryKind.DUPLICATE, "Access-Control-Allow-Origin", 5, [4])
    ]
    branch = policy(extraction, f"{API} > if ($request_method = GET)")
    assert [(d.kind, d.prov.location.line) for d in branch.delivery] == [
        (DeliveryKind.IN_IF, 8),
        (DeliveryKind.IN_IF, 9),
        (DeliveryKind.DUPLICATE, 9),
    ]
    assert [d.detail for d in branch.delivery[:2]] == ["", ""]
    assert [e.conditional for e in branch.emissions] == [True, True, False]


def test_wiring_upstream_and_hidden_headers(tmp_path: Path) -> None:
    config = """
    server {
        server_name api.example.com;
        proxy_hide_header Access-Control-Allow-Origin;
        proxy_hide_header X-Powered-By;
        location /v1/ {
            add_header Access-Control-Allow-Origin https://a.example always;
            proxy_pass http://backend:8080;
        }
        location /v2/ {
            add_header Access-Control-Allow-Origin https://a.example always;
            proxy_pass_header Server;
            fastcgi_pass unix:/run/php.sock;
        }
    }
    """
    extraction = clean(tmp_path, config)
    v1 = policy(extraction, API)
    assert [(w.kind, w.subject, w.detail, w.prov.location.line) for w in v1.wiring] == [
        ("upstream", "http://backend:8080", "proxy_pass", 7),
        ("proxy-hides-header", "Access-Control-Allow-Origin", "proxy_hide_header", 3),
    ]
    v2 = policy(extraction, "server api.example.com > location /v2/")
    assert [(w.kind, w.subject) for w in v2.wiring] == [("upstream", "unix:/run/php.sock")]


# --- preflight --------------------------------------------------------------------------------------


def preflight_of(tmp_path: Path, body: str, scope: str = API) -> tuple:
    p = policy(clean(tmp_path, in_location(f"{ACAO} https://a.example always;\n" + body)), scope)
    pre = p.preflight
    line = pre.prov.location.line if pre.prov else None
    return pre.kind, pre.status, line, pre.note, tuple(h.name for h in pre.headers)


@pytest.mark.parametrize(
    "body, expected",
    [
        (
            "        if ($request_method = OPTIONS) {\n            return 204;\n        }\n",
            (PreflightKind.ANSWERED, 204, 5, "", ("Access-Control-Allow-Origin",)),
        ),
        (
            "        if ($request_method = 'OPTIONS') {\n"
            "            add_header Access-Control-Allow-Methods 'GET, PUT';\n            return 200;\n        }\n",
            (PreflightKind.ANSWERED, 200, 5, "", ("Access-Control-Allow-Methods",)),
        ),
        (
            "        if ($request_method ~* options) {\n            return 202;\n        }\n",
            (PreflightKind.ANSWERED, 202, 5, "", ("Access-Control-Allow-Origin",)),
        ),
        (
            "        if ($request_method ~ ^OPTIONS$) {\n            return 405;\n        }\n",
            (PreflightKind.NOT_HANDLED, 405, 6, "OPTIONS is answered with status 405", ()),
        ),
        (
            "        if ($request_method = options) {\n            return 204;\n        }\n",
            (PreflightKind.NOT_HANDLED, None, 3, "nginx answers OPTIONS for static files with 405", ()),
        ),
        (
            "        proxy_pass http://app;\n",
            (PreflightKind.DELEGATED, None, 5, "http://app", ()),
        ),
        (
            "        if ($request_method = OPTIONS) {\n"
            "            add_header Access-Control-Allow-Methods GET;\n        }\n        uwsgi_pass app:3031;\n",
            (PreflightKind.DELEGATED, None, 8, "app:3031", ("Access-Control-Allow-Methods",)),
        ),
        (
            "        limit_except GET POST {\n            deny all;\n        }\n        proxy_pass http://app;\n",
            (PreflightKind.NOT_HANDLED, 403, 5, "`limit_except GET POST` denies OPTIONS", ()),
        ),
        (
            '        auth_basic "private";\n        proxy_pass http://app;\n',
            (PreflightKind.NOT_HANDLED, None, 5, '`auth_basic "private"` applies to OPTIONS too, and preflights carry no credentials', ()),
        ),
        (
            "        return 200 'ok';\n",
            (PreflightKind.ANSWERED, 200, 5, "", ("Access-Control-Allow-Origin",)),
        ),
        (
            "        content_by_lua_block { ngx.say('hi') }\n",
            (PreflightKind.UNKNOWN, None, 5, "`content_by_lua_block` answers requests here", ()),
        ),
    ],
    ids=[
        "if-return-inherits", "if-own-headers", "regex-icase", "regex-405", "lowercase-never-matches", "proxy",
        "if-without-return", "limit-except", "auth-basic", "return-200", "lua",
    ],
)
def test_preflight(tmp_path: Path, body: str, expected: tuple) -> None:
    assert preflight_of(tmp_path, body) == expected


def test_preflight_answered_by_a_request_method_map(tmp_path: Path) -> None:
    config = "map $request_method $is_preflight { OPTIONS 1; default 0; }\n" + in_location(
        f"{ACAO} https://a.example always;\n        if ($is_preflight) {{\n            return 204;\n        }}\n        proxy_pass http://app;\n"
    )
    p = policy(clean(tmp_path, config), "server api.example.com > location /v1/")
    assert (p.preflight.kind, p.preflight.status, p.preflight.prov.location.line) == (PreflightKind.ANSWERED, 204, 6)


def test_preflight_answered_at_server_level(tmp_path: Path) -> None:
    config = """
    server {
        server_name api.example.com;
        add_header Access-Control-Allow-Origin https://a.example always;
        if ($request_method = OPTIONS) {
            return 204;
        }
        location /v1/ {
            proxy_pass http://app;
        }
    }
    """
    p = policy(clean(tmp_path, config), API)
    assert (p.preflight.kind, p.preflight.status, p.preflight.prov.location.line) == (PreflightKind.ANSWERED, 204, 4)
    assert (p.preflight.prov.raw, p.preflight.prov.context) == ("if ($request_method = OPTIONS)", "server api.example.com")
    assert [h.value for h in p.preflight.headers] == ["https://a.example"]


def test_preflight_sent_to_a_named_location_by_error_page(tmp_path: Path) -> None:
    config = """
    server {
        server_name api.example.com;
        error_page 469 = @cors_preflight;
        if ($request_method = 'OPTIONS') {
            return 469;
        }
        location @cors_preflight {
            add_header Access-Control-Allow-Origin https://a.example always;
            add_header Access-Control-Allow-Methods 'GET, HEAD' always;
            return 204;
        }
        location /v1/ {
            add_header Access-Control-Allow-Origin https://a.example always;
            proxy_pass http://app;
        }
    }
    """
    p = policy(clean(tmp_path, config), API)
    pre = p.preflight
    assert (pre.kind, pre.status, pre.prov.location.line, pre.prov.raw) == (PreflightKind.ANSWERED, 204, 10, "return 204")
    assert [h.name for h in pre.headers] == ["Access-Control-Allow-Origin", "Access-Control-Allow-Methods"]
    assert (p.methods.kind, p.methods.items) == (ListKind.EXPLICIT, ("GET", "HEAD"))


def test_only_the_last_matching_if_sends_its_headers(tmp_path: Path) -> None:
    body = (
        "        set $cors 0;\n"
        "        if ($request_method = GET) {\n"
        "            set $cors 1;\n"
        "            add_header Access-Control-Expose-Headers Content-Range;\n"
        "        }\n"
        "        if ($cors = 1) {\n"
        f"    {ACAO} *;\n"
        "        }\n"
        "        if ($request_method = OPTIONS) {\n"
        "            return 204;\n"
        "        }\n"
    )
    extraction = clean(tmp_path, in_location(body))
    assert [p.scope for p in extraction.policies] == [f"{API} > if ($cors = 1)"]
    pre = extraction.policies[0].preflight
    assert (pre.kind, pre.status, pre.prov.location.line, pre.headers) == (PreflightKind.ANSWERED, 204, 12, ())


def test_request_variables_are_unknown_origins(tmp_path: Path) -> None:
    p = policy(clean(tmp_path, in_location(f"{ACAO} $request_uri;\n")), API)
    assert [(r.kind, r.note) for r in p.origins] == [(OriginKind.UNKNOWN, "`$request_uri` is filled from the request at run time")]


def test_origin_gated_preflight_idiom(tmp_path: Path) -> None:
    body = (
        "        if ($http_origin ~* (https?://[^/]*\\.example\\.com(:[0-9]+)?)$) {\n            set $cors 'true';\n        }\n"
        "        if ($request_method = 'OPTIONS') {\n            set $cors \"${cors}options\";\n        }\n"
        "        if ($request_method = 'GET') {\n            set $cors \"${cors}get\";\n        }\n"
        "        if ($cors = 'trueget') {\n"
        f"    {ACAO} $http_origin;\n"
        "            add_header Access-Control-Allow-Credentials true;\n        }\n"
        "        if ($cors = 'trueoptions') {\n"
        f"    {ACAO} $http_origin;\n"
        "            add_header Access-Control-Allow-Methods 'GET, POST';\n            return 204;\n        }\n"
        "        proxy_pass http://app;\n"
    )
    extraction = clean(tmp_path, in_location(body))
    pattern = (OriginKind.PATTERN, r"(https?://[^/]*\.example\.com(:[0-9]+)?)$", 4, 29, MatchMode.SEARCH, True)
    get = policy(extraction, f"{API} > if ($cors = 'trueget')")
    assert origins(get) == [pattern]
    assert get.credentials.is_true()
    options = policy(extraction, f"{API} > if ($cors = 'trueoptions')")
    assert origins(options) == [pattern]
    assert (options.preflight.kind, options.preflight.status) == (PreflightKind.ANSWERED, 204)
    assert [(d.kind, d.detail) for d in options.delivery] == [(DeliveryKind.IN_IF, "returns")] * 2
    assert get.preflight.prov is not None and get.preflight.prov.location.line == 17


def test_too_many_conditions_make_values_unknown(tmp_path: Path) -> None:
    body = "".join(f"        if ($arg_{i} = 1) {{\n            set $o $http_origin;\n        }}\n" for i in range(8))
    p = policy(clean(tmp_path, in_location(body + f"{ACAO} $o always;\n")), API)
    assert [(r.kind, r.note) for r in p.origins] == [
        (OriginKind.UNKNOWN, "`$o` is set through `if`/`set` logic with too many conditions to follow")
    ]
    assert p.preflight.kind is PreflightKind.UNKNOWN


# --- scopes, paths and fragments ----------------------------------------------------------------------


def test_scopes_paths_and_static_assets(tmp_path: Path) -> None:
    config = """
    http {
        server {
            server_name cdn.example.com www.example.com;
            location ~* \\.(woff2?|ttf|otf|eot)$ { add_header Access-Control-Allow-Origin *; }
            location ~* \\.(?:jpe?g|png|json)$ { add_header Access-Control-Allow-Origin *; }
            location /static/ {
                add_header Access-Control-Allow-Origin *;
                location = /static/data.php { add_header Access-Control-Allow-Origin *; }
            }
            location /api/ { add_header Access-Control-Allow-Origin *; }
        }
    }
    """
    got = [(p.scope, p.paths, p.static_assets, p.location.line, p.location.column) for p in clean(tmp_path, config).policies]
    assert got == [
        ("server cdn.example.com > location ~* \\.(woff2?|ttf|otf|eot)$", ("~* \\.(woff2?|ttf|otf|eot)$",), True, 4, 9),
        ("server cdn.example.com > location ~* \\.(?:jpe?g|png|json)$", ("~* \\.(?:jpe?g|png|json)$",), False, 5, 9),
        ("server cdn.example.com > location /static/", ("/static/",), True, 6, 9),
        ("server cdn.example.com > location /static/ > location = /static/data.php", ("= /static/data.php",), False, 8, 13),
        ("server cdn.example.com > location /api/", ("/api/",), False, 10, 9),
    ]


def test_orphan_snippet_is_a_fragment_scope(tmp_path: Path) -> None:
    snippet = """
    add_header Access-Control-Allow-Origin $http_origin always;
    add_header Access-Control-Allow-Credentials true always;
    """
    extraction = run(tmp_path, {"snippets/cors.conf": snippet})
    assert extraction.problems == []
    p = policy(extraction, "cors.conf")
    assert (p.location.path, p.location.line, p.location.column) == ("snippets/cors.conf", 1, 1)
    assert origins(p) == [(OriginKind.REFLECT, "$http_origin", 1, 40, None, False)]
    assert p.credentials.is_true()
    assert p.preflight.kind is PreflightKind.UNKNOWN
    assert extraction.files == {"snippets/cors.conf"}


def test_fragment_reads_variables_its_includer_may_set(tmp_path: Path) -> None:
    snippet = """
    if ($cors_enabled = "yes") {
        set $acao $http_origin;
    }
    add_header Access-Control-Allow-Origin $acao always;
    """
    p = policy(run(tmp_path, {"cors.conf": snippet}), "cors.conf")
    assert [r.kind for r in p.origins] == [OriginKind.UNKNOWN, OriginKind.REFLECT]
    assert p.origins[0].note == "`$acao` is set outside this file, which no scanned file includes"


def _nested_locations(depth: int) -> str:
    return (
        "server {\nserver_name deep;\nadd_header Access-Control-Allow-Origin https://a.example always;\n"
        + "".join(f"location /l{i}/ {{\n" for i in range(depth))
        + "}\n" * depth
        + "}\n"
    )


def test_ten_thousand_nested_locations(tmp_path: Path) -> None:
    depth = 10_000
    extraction = run(tmp_path, {"deep.conf": _nested_locations(depth)})
    assert extraction.problems == []
    assert len(extraction.policies) == depth
    last = max(extraction.policies, key=lambda p: p.location.line)
    assert last.scope == "server deep > location /l0/ > location /l1/ > … 9994 more levels … > location /l9996/ > location /l9997/ > location /l9998/ > location /l9999/"


def test_nested_locations_cost_grows_linearly(tmp_path: Path) -> None:
    """Twice the nesting, about twice the calls: no step walks every ancestor of every level."""

    def extract(depth: int) -> None:
        folder = tmp_path / str(depth)
        folder.mkdir()
        assert len(run(folder, {"deep.conf": _nested_locations(depth)}).policies) == depth

    assert_linear(extract, 1_000)


# --- includes ----------------------------------------------------------------------------------------


def test_includes_relative_absolute_glob_and_missing(tmp_path: Path) -> None:
    files = {
        "etc/nginx/nginx.conf": """
        include /etc/nginx/modules-enabled/*.conf;
        http {
            include mime.types;
            include /etc/nginx/conf.d/*.conf;
            include /etc/nginx/sites-enabled/*;
        }
        """,
        "etc/nginx/conf.d/api.conf": """
        server {
            server_name api.example.com;
            location /v1/ {
                include /etc/nginx/snippets/cors.conf;
                include snippets/missing.conf;
            }
            location /v2/ {
                include ../snippets/cors.conf;
            }
        }
        """,
        "etc/nginx/snippets/cors.conf": """
        # shared CORS
        add_header Access-Control-Allow-Origin https://a.example always;
        """,
    }
    extraction = run(tmp_path, files)
    assert problems(extraction) == [
        (
            "etc/nginx/conf.d/api.conf",
            5,
            17,
            "include snippets/missing.conf: not found in the scanned tree; CORS headers it may set are not analysed",
        )
    ]
    assert sorted(p.scope for p in extraction.policies) == [API, "server api.example.com > location /v2/"]
    emission = policy(extraction, API).emissions[0]
    assert (emission.prov.location.path, emission.prov.location.line, emission.prov.context) == (
        "etc/nginx/snippets/cors.conf",
        2,
        API,
    )
    assert extraction.files == {"etc/nginx/nginx.conf", "etc/nginx/conf.d/api.conf", "etc/nginx/snippets/cors.conf"}
    assert [(c.path, c.line, c.text) for c in extraction.comments] == [("etc/nginx/snippets/cors.conf", 1, " shared CORS")]


def test_include_cycle_is_reported_once_and_not_followed(tmp_path: Path) -> None:
    files = {
        "a.conf": "server {\n    server_name api.example.com;\n    location /v1/ { include b.conf; }\n}\n",
        "b.conf": "include c.conf;\nadd_header Access-Control-Allow-Origin * always;\n",
        "c.conf": "include b.conf;\n",
    }
    extraction = run(tmp_path, files)
    assert problems(extraction) == [("c.conf", 1, 9, "include b.conf: include cycle (b.conf -> c.conf -> b.conf); not followed")]
    assert [p.scope for p in extraction.policies] == [API]


def test_include_outside_the_tree_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.conf"
    outside.write_text("add_header Access-Control-Allow-Origin * always;\n")
    tree = tmp_path / "tree"
    files = {"site.conf": "server {\n    location / { include ../outside.conf; add_header Access-Control-Allow-Origin https://a.example; }\n}\n"}
    extraction = run(tree, files)
    [(path, line, column, message)] = problems(extraction)
    assert (path, line, column) == ("site.conf", 2, 26)
    assert message.startswith("include ../outside.conf: ") and message.endswith("is outside the scanned tree; not read")
    assert [r.value for p in extraction.policies for r in p.origins] == ["https://a.example"]


def test_included_snippet_is_not_linted_alone_but_orphans_are(tmp_path: Path) -> None:
    files = {
        "nginx.conf": "server {\n    server_name api.example.com;\n    location /v1/ { include used.conf; }\n}\n",
        "used.conf": "add_header Access-Control-Allow-Origin * always;\n",
        "orphan.conf": "add_header Access-Control-Allow-Origin https://o.example always;\n",
        "plain.conf": "worker_processes 2;\n",
    }
    extraction = run(tmp_path, files)
    assert sorted(p.scope for p in extraction.policies) == ["orphan.conf", API]
    assert extraction.files == {"nginx.conf", "used.conf", "orphan.conf"}


def test_stdin_file_resolves_includes_against_the_roots(tmp_path: Path) -> None:
    (tmp_path / "snippets").mkdir()
    (tmp_path / "snippets" / "cors.conf").write_text("add_header Access-Control-Allow-Origin * always;\n")
    workspace = Workspace([tmp_path], display_base=tmp_path)
    data = b"server {\n    server_name api.example.com;\n    location /v1/ { include snippets/cors.conf; }\n}\n"
    source_file = SourceFile.from_bytes("-", data)
    workspace.register(source_file)
    extraction = NginxSource().extract([source_file], workspace)
    assert [(p.scope, [r.kind for r in p.origins]) for p in extraction.policies] == [(API, [OriginKind.ANY])]


# --- comments, encodings and syntax errors ----------------------------------------------------------


def test_comments_with_what_they_cover(tmp_path: Path) -> None:
    config = """
    # corslint: ignore[CORS103] -- public API
    server {  # the server
        # own line, covers the location block
        location / {
            add_header Access-Control-Allow-Origin *;  # trailing
            add_header X-A 1;
            # last in block
        }
    }
    """
    extraction = clean(tmp_path, config)
    assert [(c.line, c.column, c.text, c.own_line, c.covers, c.source) for c in extraction.comments] == [
        (1, 1, " corslint: ignore[CORS103] -- public API", True, (2, 9), "nginx"),
        (2, 11, " the server", False, (2, 9), "nginx"),
        (3, 5, " own line, covers the location block", True, (4, 8), "nginx"),
        (5, 52, " trailing", False, (5, 5), "nginx"),
        (7, 9, " last in block", True, (7, 7), "nginx"),
    ]


def test_crlf_and_bom(tmp_path: Path) -> None:
    text = "\ufeffserver {\r\n  location / { # c\r\n    add_header Access-Control-Allow-Origin $http_origin;\r\n  }\r\n}\r\n"
    extraction = run(tmp_path, {"site.conf": text.encode("utf-8")})
    assert extraction.problems == []
    rule = extraction.policies[0].origins[0]
    assert (rule.prov.location.line, rule.prov.location.column, rule.prov.raw) == (
        3,
        44,
        "add_header Access-Control-Allow-Origin $http_origin",
    )
    assert [(c.line, c.column, c.text, c.covers) for c in extraction.comments] == [(2, 16, " c", (2, 4))]
    assert extraction.policies[0].location.column == 3


@pytest.mark.parametrize(
    "data, expected",
    [
        (b"add_header Access-Control-Allow-Origin *;\x00\x01\x02", (1, 1, "cannot decode file: binary file (contains NUL bytes)")),
        (
            b"# access-control-allow-origin\nadd_header X \xff;\n",
            (2, 1, "cannot decode file: invalid UTF-8 at line 2 (byte 43): invalid start byte"),
        ),
        (b"server {\n  add_header Access-Control-Allow-Origin *;\n}\n}\n", (4, 1, 'unexpected "}"')),
        (
            b"server {\n  location / {\n    add_header Access-Control-Allow-Origin *;\n}\n",
            (4, 0, 'unexpected end of file, expecting "}" (the block `server` at line 1 is not closed)'),
        ),
        (
            b'server {\n  add_header Access-Control-Allow-Origin "*;\n}\n',
            (2, 42, "unexpected end of file: this quoted string is never closed"),
        ),
        (b"location / {\n  add_header Access-Control-Allow-Origin * }\n", (2, 44, 'unexpected "}"')),
    ],
    ids=["binary", "invalid-utf8", "extra-brace", "missing-brace", "unterminated-quote", "missing-semicolon"],
)
def test_unreadable_input_becomes_a_problem(tmp_path: Path, data: bytes, expected: tuple) -> None:
    extraction = run(tmp_path, {"bad.conf": data})
    assert (extraction.problems[0].location.line, extraction.problems[0].location.column, extraction.problems[0].message) == expected
    assert all(p.source == "nginx" for p in extraction.problems)


def test_template_tags_do_not_break_parsing(tmp_path: Path) -> None:
    config = """
    {{ if .Env.CORS }}
    server {
        location / {
            add_header Access-Control-Allow-Origin "{{ .Env.CORS_ORIGIN }}" always;
        }
    }
    {{ end }}
    """
    [p] = clean(tmp_path, config).policies
    rule = p.origins[0]
    assert (rule.kind, rule.note) == (OriginKind.UNKNOWN, "the value is a template expression, filled in before nginx reads the file")
    assert rule.prov.raw == 'add_header Access-Control-Allow-Origin "{{ .Env.CORS_ORIGIN }}" always'


def test_files_without_cors_or_includes_are_not_parsed(tmp_path: Path) -> None:
    extraction = run(tmp_path, {"plain.conf": "server {\n  listen 80;\n  location / { root /srv; }\n}\n", "broken.conf": "server {\n"})
    assert (extraction.policies, extraction.problems, extraction.files) == ([], [], set())


_FRAGMENTS = [
    "server {", "location /a {", "location ~* \\.(js)$ {", "if ($request_method = OPTIONS) {", "if ($http_origin ~ x) {",
    "}", ";", "{", "add_header Access-Control-Allow-Origin $http_origin always;", "add_header Vary Origin;",
    "set $o $http_origin;", "return 204;", "proxy_pass http://a;", "include x.conf;", "include *.conf;",
    "map $http_origin $o {", "default $http_origin;", "\"~^a\" 1;", "more_set_headers 'Access-Control-Allow-Origin: *';",
    "# comment", "'unterminated", "\"", "limit_except GET {", "deny all;", "error_page 469 = @x;", "location @x {",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(_FRAGMENTS), max_size=40))
def test_arbitrary_fragments_never_break_extraction(tmp_path: Path, parts: list[str]) -> None:
    (tmp_path / "x.conf").write_text("add_header Access-Control-Allow-Origin *;\n")
    workspace = Workspace([tmp_path], display_base=tmp_path)
    source_file = SourceFile.from_bytes("fuzz.conf", "\n".join(parts).encode())
    workspace.register(source_file)
    extraction = NginxSource().extract([source_file], workspace)
    assert not [p.message for p in extraction.problems if "internal error" in p.message]


# --- claims --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path, head, claimed",
    [
        ("deploy/nginx.conf", b"events {}\nhttp {\n  server {\n    listen 80;\n  }\n}\n", True),
        ("site.nginx", b"location /x {\n  return 204;\n}\n", True),
        ("conf.d/default.conf.template", b"server {\n  listen ${PORT};\n}\n", True),
        ("snippets/cors", b"add_header Access-Control-Allow-Origin *;\n", True),
        ("sites-enabled/app", b"client_max_body_size 10m;\n", True),
        ("cors.conf", b"# only a comment\n", False),
        ("apache/site.conf", b"<VirtualHost *:80>\n  Header set Access-Control-Allow-Origin \"*\"\n</VirtualHost>\n", False),
        ("httpd.conf", b'LoadModule headers_module modules/mod_headers.so\nHeader always set X "y"\n', False),
        ("app.py", b"x = 1;\n", False),
        ("README.md", b"server {\n", False),
    ],
)
def test_claims(path: str, head: bytes, claimed: bool) -> None:
    assert NginxSource().claims(path, head) is claimed


# --- corpus and speed --------------------------------------------------------------------------


def test_real_world_corpus(tmp_path: Path) -> None:
    if not CORPUS.is_dir():
        pytest.skip("shared corpus not available")
    for path in sorted(CORPUS.iterdir()):
        workspace = Workspace([CORPUS], display_base=CORPUS)
        extraction = NginxSource().extract([SourceFile(path.name, path)], workspace)
        assert not [p for p in extraction.problems if "internal error" in p.message], path.name
        if b"access-control-allow-origin" in path.read_bytes().lower():
            assert extraction.policies, path.name


def _servers(count: int) -> str:
    """A big configuration shaped like a real gateway: most servers carry no CORS, a quarter use the map idiom."""
    blocks = []
    for i in range(count):
        cors = ""
        if i % 4 == 0:
            cors = f"""
        location /api/ {{
            if ($request_method = 'OPTIONS') {{
                add_header Access-Control-Allow-Origin $cors_origin always;
                add_header Access-Control-Allow-Methods 'GET, POST' always;
                return 204;
            }}
            add_header Access-Control-Allow-Origin $cors_origin always;
            add_header Vary Origin always;
            proxy_pass http://backend{i % 7};
        }}"""
        elif i % 8 == 1:
            cors = """
        location /public/ { add_header Access-Control-Allow-Origin $http_origin always; proxy_pass http://pub; }"""
        blocks.append(
            f"""
    server {{
        listen 443 ssl;
        server_name app{i}.example.com;
        ssl_certificate /etc/ssl/app{i}/fullchain.pem;
        ssl_certificate_key /etc/ssl/app{i}/privkey.pem;
        access_log /var/log/nginx/app{i}.access.log;
        add_header X-Frame-Options "SAMEORIGIN";
        add_header X-Content-Type-Options "nosniff";{cors}
        location /ws/ {{
            proxy_pass http://ws_backend;
            proxy_set_header Host $host;
            proxy_set_header X-Real-IP $remote_addr;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
        }}
        location /static/ {{ root /srv/static; expires 30d; add_header Cache-Control "public"; access_log off; }}
        location / {{ try_files $uri $uri/ /index.html; }}
    }}"""
        )
    return "http {\n    map $http_origin $cors_origin { default \"\"; \"~^https://a\\.example$\" $http_origin; }\n" + "".join(blocks) + "\n}\n"


def test_extraction_cost_grows_linearly_with_the_servers(tmp_path: Path) -> None:
    """The big-file case (bench/run.py compares its time with crossplane's own parse): twice the servers, about twice
    the calls, and each file parsed once."""
    from corslint.sources.nginx import files

    parses: list[str] = []
    real_parse = files.parse_text

    def extract(servers: int) -> None:
        path = tmp_path / f"{servers}.conf"
        path.write_text(_servers(servers), encoding="utf-8")
        workspace = Workspace([tmp_path], display_base=tmp_path)
        extraction = NginxSource().extract([SourceFile(path.name, path)], workspace)
        assert len(extraction.policies) == servers // 4 * 2 + servers // 8

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(files, "parse_text", lambda *args, **kwargs: parses.append(args[0]) or real_parse(*args, **kwargs))
        assert_linear(extract, 200)
    assert parses == ["200.conf", "400.conf"]


# --- what answers the requests --------------------------------------------------------------------

@pytest.mark.parametrize(
    "body,content",
    [
        ("        add_header Access-Control-Allow-Origin * always;\n        root /srv/www;\n", "static"),
        ("        add_header Access-Control-Allow-Origin * always;\n        return 204;\n", "static"),
        ("        add_header Access-Control-Allow-Origin * always;\n        proxy_pass http://app;\n", "upstream"),
        (
            "        add_header Access-Control-Allow-Origin * always;\n"
            "        if ($request_method = POST) {\n            fastcgi_pass unix:/run/php.sock;\n        }\n",
            "upstream",
        ),
        ("        add_header Access-Control-Allow-Origin * always;\n        js_content app.handle;\n", ""),
    ],
    ids=["files", "return", "proxy", "pass-in-if", "content-module"],
)
def test_content_says_what_answers_the_location(tmp_path: Path, body: str, content: str) -> None:
    assert policy(clean(tmp_path, in_location(body)), API).content == content


def test_content_type_map_entries_for_assets_are_static(tmp_path: Path) -> None:
    extraction = clean(tmp_path, """
        map $sent_http_content_type $cors {
            default "";
            ~^(image/|font/) "*";
            ~application/json "https://app.example.com";
        }
        server {
            server_name api.example.com;
            location /v1/ {
                add_header Access-Control-Allow-Origin $cors always;
                proxy_pass http://app;
            }
        }
    """)
    rules = {r.value: r.static_assets for r in policy(extraction, API).origins}
    assert rules["*"].startswith("the response's Content-Type matches")
    assert rules["https://app.example.com"] == ""


# --- syntax nginx itself refuses (each message checked with `nginx -t`) ------------------------------------------

def test_missing_semicolon_is_reported_and_both_directives_are_read(tmp_path: Path) -> None:
    extraction = run(tmp_path, {"site.conf": in_location(
        "        add_header Access-Control-Allow-Origin $http_origin\n"
        "        add_header Access-Control-Allow-Credentials true always;\n"
        "        proxy_pass http://app;\n"
    )})
    assert problems(extraction) == [("site.conf", 4, 48,
        'invalid number of arguments in "add_header" directive: the ";" at the end of line 4 is missing, so nginx '
        "reads the next directive as more arguments")]
    found = policy(extraction, API)
    assert [r.kind for r in found.origins] == [OriginKind.REFLECT]
    assert found.credentials.is_true()


@pytest.mark.parametrize(
    "line,column,message",
    [
        ("add_header Access-Control-Allow-Origin 'https://app.example.com'always;", 73, 'unexpected "a"'),
        ('add_header Access-Control-Allow-Origin "https://app.example.com""x";', 73, 'unexpected """'),
    ],
)
def test_a_quoted_argument_glued_to_the_next(tmp_path: Path, line: str, column: int, message: str) -> None:
    extraction = run(tmp_path, {"site.conf": in_location(f"        {line}\n")})
    assert [(p[1], p[2], p[3].split(" (")[0]) for p in problems(extraction)] == [(4, column, message)]


def test_a_quote_then_a_parenthesis_is_valid_in_if(tmp_path: Path) -> None:
    clean(tmp_path, in_location("        if ($request_method = 'OPTIONS') {\n            return 204;\n        }\n"))


@pytest.mark.parametrize(
    "line,name",
    [
        ("add_header Access-Control-Allow-Origin;", "add_header"),
        ("add_header Access-Control-Allow-Origin * always extra;", "add_header"),
        ("proxy_pass_header Access-Control-Allow-Origin 'https://app.example.com';", "proxy_pass_header"),
        ("proxy_hide_header;", "proxy_hide_header"),
    ],
)
def test_wrong_number_of_arguments(tmp_path: Path, line: str, name: str) -> None:
    body = f"        {line}\n        add_header Access-Control-Allow-Origin https://app.example.com always;\n"
    extraction = run(tmp_path, {"site.conf": in_location(body)})
    assert problems(extraction) == [("site.conf", 4, 9, f'invalid number of arguments in "{name}" directive')]


@pytest.mark.parametrize(
    "variable,data",
    [("$host", "host"), ("$http_host", "host"), ("$request_uri", "path"), ("$uri", "path"), ("$http_referer", "referer"),
     ("$http_x_origin", "")],
)
def test_request_data_that_is_never_an_origin(tmp_path: Path, variable: str, data: str) -> None:
    extraction = clean(tmp_path, in_location(f"        add_header Access-Control-Allow-Origin {variable} always;\n"))
    assert [(r.kind, r.request_data) for r in policy(extraction, API).origins] == [(OriginKind.UNKNOWN, data)]


# --- variables belong to one configuration ------------------------------------------------------------------

MAIN_WITH_MAP = """
    events {}
    http {
        map $http_origin $cors_origin {
            default "";
            ~^https://app\\.example\\.com "$http_origin";
        }
        server {
            server_name api.example.com;
            location /v1/ {
                include cors.conf;
                proxy_pass http://app;
            }
        }
    }
"""
OTHER_SERVICE = """
    server {
        server_name other.example.com;
        set $cors_origin "";
        location / {
            add_header Access-Control-Allow-Origin https://other.example.com always;
            proxy_pass http://other;
        }
    }
"""
CORS_SNIPPET = "add_header Access-Control-Allow-Origin $cors_origin always;\nadd_header Vary Origin always;\n"


def test_a_set_in_an_unrelated_configuration_does_not_hide_a_map(tmp_path: Path) -> None:
    extraction = run(tmp_path, {
        "gateway/nginx.conf": MAIN_WITH_MAP, "gateway/cors.conf": CORS_SNIPPET,
        "other/conf.d/default.conf": OTHER_SERVICE,
    })
    found = [p for p in extraction.policies if p.scope.startswith("server api.example.com")]
    assert [(r.kind, r.value) for p in found for r in p.origins] == [(OriginKind.PATTERN, r"^https://app\.example\.com")]


def test_server_files_without_an_http_block_share_their_variables(tmp_path: Path) -> None:
    maps = "map $http_origin $cors_origin {\n    default \"\";\n    https://app.example.com $http_origin;\n}\n"
    site = "server {\n    server_name api.example.com;\n    location /v1/ {\n" + "        add_header Access-Control-Allow-Origin $cors_origin always;\n        proxy_pass http://app;\n    }\n}\n"
    extraction = run(tmp_path, {"conf.d/00-maps.conf": maps, "conf.d/api.conf": site})
    assert [(r.kind, r.value) for r in policy(extraction, API).origins] == [(OriginKind.EXACT, "https://app.example.com")]


def test_a_brace_inside_a_map_entry_is_nginx_s_error_and_nothing_else(tmp_path: Path) -> None:
    """`nginx -t` (1.22) on an unquoted `{1,5}` in a map regex: `unexpected "{"`, and nginx reads no further; the
    map decides nothing corslint could know, so no finding comes from its broken entries."""
    from conftest import lint_tree

    (tmp_path / "nginx.conf").write_text(
        "http {\n    map $http_origin $allow_origin {\n"
        "        ~^https://([A-Za-z0-9\\-]+\\.)?example\\.com(?::[0-9]{1,5})?$ $http_origin;\n"
        '        default "";\n    }\n    server {\n'
        "        add_header Access-Control-Allow-Origin $allow_origin always;\n    }\n}\n",
        encoding="utf-8",
    )
    findings = lint_tree(tmp_path).findings
    assert [(f.code, f.location.line, f.message) for f in findings] == [("CORS001", 3, 'unexpected "{"')]


# --- a variable mapped twice ---------------------------------------------------------------------

TWICE = {
    "nginx.conf": "events {}\nhttp {\n    include conf.d/*.conf;\n}\n",
    "conf.d/a.conf": 'map $http_origin $cors { default ""; "~^https://a\\.example\\.com$" $http_origin; }\n'
                     "server { listen 80; location / { add_header Access-Control-Allow-Origin $cors always; } }\n",
    "conf.d/b.conf": 'map $http_origin $cors { default ""; "~^https://b\\.example\\.com$" $http_origin; }\n',
}


def test_of_two_maps_of_one_variable_the_last_read_wins(tmp_path: Path) -> None:
    """nginx 1.22, run: two `map $http_origin $v` blocks in conf.d/a.conf and b.conf (one `include conf.d/*.conf`)
    give $v from b.conf, the file read last; corslint must not choose by the order of a set."""
    extraction = run(tmp_path, TWICE)
    origins = {rule.value for policy in extraction.policies for rule in policy.origins}
    assert origins == {"^https://b\\.example\\.com$"}


_MAP = 'map $http_origin $cors {{ default ""; "~^https://{0}\\.example\\.com$" $http_origin; }}\n'
_USE = "server { listen 80; location / { add_header Access-Control-Allow-Origin $cors always; } }\n"


@pytest.mark.parametrize(
    "files, winner",
    [
        # a map written after an include is read after the included file's map
        ({"nginx.conf": "events {}\nhttp {\n    include snippets/b.conf;\n" + _MAP.format("a") + _USE + "}\n",
          "snippets/b.conf": _MAP.format("b")}, "a"),
        # a file included twice is read twice: its map is read last
        ({"nginx.conf": "events {}\nhttp {\n    include conf.d/b.conf;\n    include c.inc;\n" + _USE + "}\n",
          "conf.d/b.conf": _MAP.format("b"), "c.inc": _MAP.format("a") + "include conf.d/b.conf;\n"}, "b"),
        # a server file that an nginx.conf outside the tree includes: its own includes, in order
        ({"sites-enabled/site.conf": "include snippets/b.conf;\ninclude snippets/a.conf;\n" + _USE,
          "snippets/b.conf": _MAP.format("b"), "snippets/a.conf": _MAP.format("a")}, "a"),
    ],
    ids=["map-after-include", "included-twice", "no-http-block"],
)
def test_the_map_nginx_reads_last_is_the_one_used(tmp_path: Path, files: dict[str, str], winner: str) -> None:
    """nginx 1.22, run: the first two cases return the map of `winner` for $cors."""
    extraction = run(tmp_path, files)
    origins = {rule.value for policy in extraction.policies for rule in policy.origins}
    assert origins == {f"^https://{winner}\\.example\\.com$"}


def test_the_output_does_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    import subprocess
    import sys

    for name, text in TWICE.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    outputs = set()
    for seed in map(str, range(1, 9)):
        done = subprocess.run(
            [sys.executable, "-m", "corslint", "check", "--isolated", "--format", "json", "."],
            cwd=tmp_path, capture_output=True, text=True, env={**__import__("os").environ, "PYTHONHASHSEED": seed},
        )
        outputs.add(done.stdout)
    assert len(outputs) == 1 and "b\\\\.example" in outputs.pop()


def test_add_header_in_a_server_level_if_is_refused_as_nginx_does() -> None:
    # nginx 1.22 `nginx -t`: "add_header" directive is not allowed here (an `if` in a server takes no add_header)
    from corslint.sources.nginx.tree import parse_text

    text = (
        "server {\n    if ($request_method = OPTIONS) {\n        add_header Access-Control-Allow-Origin *;\n"
        "        add_header Access-Control-Allow-Methods GET;\n        return 204;\n    }\n"
        "    location / {\n        if ($request_method = OPTIONS) {\n            add_header Access-Control-Allow-Origin *;\n"
        "            return 204;\n        }\n    }\n}\n"
    )
    parsed = parse_text("site.conf", text)
    assert [(p.location.line, p.message) for p in parsed.problems] == [(3, '"add_header" directive is not allowed here')]


@pytest.mark.parametrize(
    "main,skipped",
    [
        ("events {}\nhttp {\n    include /etc/nginx/mime.types;\n    server { listen 80; }\n}\n", True),
        ("events {}\nhttp {\n    include /etc/nginx/sites-enabled/*;\n}\n", False),  # it may include the snippet
        ("events {}\nhttp {\n    include cors.conf;\n    server { listen 80; }\n}\n", False),
    ],
)
def test_a_snippet_the_whole_configuration_never_loads_is_named_not_linted(tmp_path, main: str, skipped: bool) -> None:  # type: ignore[no-untyped-def]
    from conftest import lint_tree, write_tree

    write_tree(tmp_path, {"nginx/nginx.conf": main, "nginx/cors.conf": "add_header Access-Control-Allow-Origin $http_origin;\n"})
    result = lint_tree(tmp_path, {"select": ["ALL"]})
    assert ("nginx/cors.conf" in result.skipped) is skipped
    assert bool([f for f in result.findings if f.location.path == "nginx/cors.conf"]) is not skipped


def test_findings_read_past_an_error_nginx_reports_say_so(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from conftest import lint_tree, write_tree

    from corslint.findings import Confidence

    write_tree(tmp_path, {"site.conf": "server {\n    location / {\n        add_header Access-Control-Allow-Origin $http_origin always\n        add_header Access-Control-Allow-Credentials true always;\n    }\n}\n"})
    findings = lint_tree(tmp_path, {"select": ["CORS001", "CORS102"]}).findings
    reflected = next(f for f in findings if f.code == "CORS102")
    assert reflected.confidence is Confidence.MEDIUM and "refuses this file as it stands, CORS001 at line 3" in reflected.message
    assert next(f for f in findings if f.code == "CORS001").confidence is Confidence.HIGH
