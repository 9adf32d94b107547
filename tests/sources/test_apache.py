"""The Apache source: parsing, includes, .htaccess nesting, header tables and the exact CorsPolicy facts it states."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Union

import pytest

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
from corslint.sources.apache.source import ApacheSource
from corslint.sources.apache.scopes import expand_alternatives
from corslint.sources.apache.tree import parse_text, split_words
from corslint.workspace import SourceFile, Workspace
from corslint.sources.nginx.source import NginxSource

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "real"
ACAO = 'Header always set Access-Control-Allow-Origin'


def run(tmp_path: Path, files: dict[str, Union[str, bytes]]) -> Extraction:
    """Write `files` under tmp_path and extract them all, as discovery hands claimed files over."""
    workspace = Workspace([tmp_path], display_base=tmp_path)
    handed = []
    for name, content in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
        source_file = SourceFile(name, path.resolve())
        workspace.register(source_file)
        handed.append(source_file)
    return ApacheSource().extract(handed, workspace)


def single(extraction: Extraction) -> CorsPolicy:
    assert extraction.problems == []
    assert len(extraction.policies) == 1, [p.scope for p in extraction.policies]
    return extraction.policies[0]


def origins(policy: CorsPolicy) -> list[tuple]:
    return [
        (r.kind, r.value, r.prov.location.line, r.prov.location.column, r.mode, r.ignore_case) for r in policy.origins
    ]


def problems(extraction: Extraction) -> list[tuple]:
    return [(p.location.path, p.location.line, p.location.column, p.message) for p in extraction.problems]


# --- origins ------------------------------------------------------------------------------------------

ALLOW = "SetEnvIf Origin \"^https://(app|admin)\\.example\\.com$\" CORS_ORIGIN=$0\n"


@pytest.mark.parametrize(
    "config, expected",
    [
        (f'{ACAO} "*"\n', [(OriginKind.ANY, "*", 1, 47, None, False)]),
        (f"{ACAO} null\n", [(OriginKind.NULL, "null", 1, 47, None, False)]),
        (f'{ACAO} "https://App.example.com/"\n', [(OriginKind.EXACT, "https://App.example.com/", 1, 47, None, False)]),
        (f"{ACAO} '*'\n", [(OriginKind.ANY, "*", 1, 47, None, False)]),
        (
            ALLOW + f'{ACAO} "%{{CORS_ORIGIN}}e" env=CORS_ORIGIN\n',
            [(OriginKind.PATTERN, r"^https://(app|admin)\.example\.com$", 1, 17, MatchMode.FULLMATCH, False)],
        ),
        (
            'SetEnvIfNoCase Origin "https://.*example\\.com" V=$0\n' + f"{ACAO} %{{V}}e env=V\n",
            [(OriginKind.PATTERN, r"https://.*example\.com", 1, 23, MatchMode.FULLMATCH, True)],
        ),
        ('SetEnvIf Origin "(.+)" V=$1\n' + f'{ACAO} "%{{V}}e" env=V\n', [(OriginKind.REFLECT, "$1", 1, 17, None, False)]),
        ('SetEnvIf Origin ".*" V=$0\n' + f'{ACAO} "%{{V}}e"\n', [(OriginKind.REFLECT, "$0", 1, 17, None, False)]),
        (
            'SetEnvIf Origin "^https://(.+)\\.example\\.com$" V=$1\n' + f'{ACAO} "%{{V}}e"\n',
            [(OriginKind.UNKNOWN, "$1", 1, 17, None, False)],
        ),
        (f'{ACAO} "expr=%{{req:Origin}}"\n', [(OriginKind.REFLECT, "expr=%{req:Origin}", 1, 47, None, False)]),
        (
            'SetEnvIf Origin "example\\.com" OK\n' + f'{ACAO} "expr=%{{req:Origin}}" env=OK\n',
            [(OriginKind.PATTERN, r"example\.com", 1, 17, MatchMode.SEARCH, False)],
        ),
        (
            f'<If "%{{HTTP:Origin}} =~ m#^https://a\\.example\\.com$#i">\n    {ACAO} "expr=%{{req:Origin}}"\n</If>\n',
            [(OriginKind.PATTERN, r"^https://a\.example\.com$", 2, 51, MatchMode.SEARCH, True)],
        ),
        (
            f"<If \"%{{HTTP:Origin}} -in {{'https://a.example.com', 'https://b.example.com'}}\">\n"
            f'    {ACAO} "expr=%{{req:Origin}}"\n</If>\n',
            [
                (OriginKind.EXACT, "https://a.example.com", 2, 51, None, False),
                (OriginKind.EXACT, "https://b.example.com", 2, 51, None, False),
            ],
        ),
        (f'{ACAO} "%{{UNSET_VAR}}e"\n', [(OriginKind.UNKNOWN, "%{UNSET_VAR}e", 1, 47, None, False)]),
        ('SetEnv CORS_ORIGIN https://app.example.com\n' + f'{ACAO} "%{{CORS_ORIGIN}}e"\n',
         [(OriginKind.EXACT, "https://app.example.com", 1, 20, None, False)]),
    ],
)
def test_origin_rules(tmp_path: Path, config: str, expected: list[tuple]) -> None:
    assert origins(single(run(tmp_path, {".htaccess": config}))) == expected


def test_http_origin_env_reflects_with_an_assumption(tmp_path: Path) -> None:
    policy = single(run(tmp_path, {".htaccess": f'{ACAO} "%{{HTTP_ORIGIN}}e"\n'}))
    (rule,) = policy.origins
    assert (rule.kind, rule.value) == (OriginKind.REFLECT, "%{HTTP_ORIGIN}e")
    assert "CGI, PHP or SSI handler" in rule.assumption


def test_setenvif_dollar_zero_explains_the_full_match(tmp_path: Path) -> None:
    policy = single(run(tmp_path, {".htaccess": ALLOW + f'{ACAO} "%{{CORS_ORIGIN}}e" env=CORS_ORIGIN\n'}))
    rule = policy.origins[0]
    assert rule.note.startswith("SetEnvIf searches the Origin unanchored, but only the matched part ($0)")
    assert rule.dialect == "pcre"
    assert [(r.location.line, r.location.column) for r in rule.prov.related] == [(2, 47)]


def test_several_setenvif_lines_make_an_allowlist(tmp_path: Path) -> None:
    config = (
        'SetEnvIf Origin "^https://a\\.example\\.com$" O=$0\n'
        'SetEnvIf Origin "^https://b\\.example\\.com$" O=$0\n'
        f'{ACAO} "%{{O}}e" env=O\n'
    )
    assert [(r.value, r.prov.location.line) for r in single(run(tmp_path, {".htaccess": config})).origins] == [
        (r"^https://a\.example\.com$", 1),
        (r"^https://b\.example\.com$", 2),
    ]


# --- tables, settings, duplicates -------------------------------------------------------------------


def test_lists_scalars_and_item_columns(tmp_path: Path) -> None:
    config = f"""
    {ACAO} "https://app.example.com"
    Header always set Access-Control-Allow-Methods "GET, PUT,DELETE"
    Header set Access-Control-Allow-Headers: "*"
    Header always set Access-Control-Allow-Credentials true
    Header always set Access-Control-Max-Age "86400"
    Header always set Access-Control-Allow-Private-Network "true"
    Header always merge Vary Origin
    """
    policy = single(run(tmp_path, {".htaccess": config}))
    methods = policy.methods
    assert (methods.kind, methods.items) == (ListKind.EXPLICIT, ("GET", "PUT", "DELETE"))
    assert [(p.location.line, p.location.column) for p in methods.item_provs] == [(2, 49), (2, 54), (2, 58)]
    assert (policy.allow_headers.kind, policy.allow_headers.items) == (ListKind.ANY, ("*",))
    assert (policy.credentials.value, policy.max_age.value, policy.private_network.value) == (True, "86400", True)
    assert policy.vary_origin.is_true() and policy.vary_origin.prov.location.line == 7
    assert [(e.name, e.always, e.action) for e in policy.emissions][:3] == [
        ("Access-Control-Allow-Origin", True, "set"),
        ("Access-Control-Allow-Methods", True, "set"),
        ("Access-Control-Allow-Headers", False, "set"),
    ]


def test_dynamic_values_are_unknown(tmp_path: Path) -> None:
    config = f'{ACAO} "*"\nHeader always set Access-Control-Allow-Credentials "%{{CREDS}}e"\nHeader always set Access-Control-Allow-Methods "expr=%{{req:Access-Control-Request-Method}}"\n'
    policy = single(run(tmp_path, {".htaccess": config}))
    assert policy.credentials.state is State.UNKNOWN
    assert policy.methods.kind is ListKind.UNKNOWN


@pytest.mark.parametrize(
    "config, expected",
    [
        (f'{ACAO} "https://a.example.com"\nHeader set Access-Control-Allow-Origin "https://a.example.com"\n', [(2, "separate tables")]),
        (f'{ACAO} "https://a.example.com"\nHeader always add Access-Control-Allow-Origin "https://b.example.com"\n', [(2, "another field")]),
        (f'{ACAO} "https://a.example.com"\nHeader always append Access-Control-Allow-Origin "https://b.example.com"\n', [(2, "joins")]),
        (f'{ACAO} "https://a.example.com"\nHeader always merge Access-Control-Allow-Origin "https://b.example.com"\n', [(2, "different value")]),
        (f'{ACAO} "https://a.example.com"\nHeader always merge Access-Control-Allow-Origin "https://a.example.com"\n', []),
        (f'{ACAO} "https://a.example.com"\n{ACAO} "https://b.example.com"\n', []),
        (f'{ACAO} "https://a.example.com"\nHeader always unset Access-Control-Allow-Origin\nHeader set Access-Control-Allow-Origin "*"\n', []),
        (f'Header set Access-Control-Allow-Origin "*"\nHeader unset Access-Control-Allow-Origin\n{ACAO} "*"\n', []),
        (f'{ACAO} "https://a.example.com" env=A\nHeader always add Access-Control-Allow-Origin "https://b.example.com" env=B\n', []),
        (f'{ACAO} "*"\nHeader always setifempty Access-Control-Allow-Origin "https://b.example.com"\n', []),
    ],
)
def test_duplicates_across_and_within_tables(tmp_path: Path, config: str, expected: list[tuple]) -> None:
    policy = single(run(tmp_path, {".htaccess": config}))
    facts = [(f.prov.location.line, f.detail) for f in policy.delivery if f.kind is DeliveryKind.DUPLICATE]
    assert [line for line, _ in facts] == [line for line, _ in expected]
    for (_, detail), (_, words) in zip(facts, expected):
        assert words in detail


def test_unset_in_one_table_leaves_the_other(tmp_path: Path) -> None:
    config = f'{ACAO} "*"\nHeader unset Access-Control-Allow-Origin\n'
    assert [(e.name, e.always) for e in single(run(tmp_path, {".htaccess": config})).emissions] == [
        ("Access-Control-Allow-Origin", True)
    ]


def test_duplicated_origin_is_not_an_allowlist(tmp_path: Path) -> None:
    config = f'{ACAO} "https://a.example.com"\nHeader always add Access-Control-Allow-Origin "https://b.example.com"\n'
    assert [r.value for r in single(run(tmp_path, {".htaccess": config})).origins] == ["https://a.example.com"]


# --- preflight --------------------------------------------------------------------------------------

HEADERS = f'{ACAO} "https://app.example.com"\nHeader set Access-Control-Allow-Methods "PUT"\n'


@pytest.mark.parametrize(
    "tail, kind, status, line, headers",
    [
        ("RewriteEngine On\nRewriteCond %{REQUEST_METHOD} OPTIONS\nRewriteRule ^(.*)$ $1 [R=200,L]\n", PreflightKind.ANSWERED, 200, 5, ["Access-Control-Allow-Origin"]),
        ("RewriteEngine on\nRewriteCond %{REQUEST_METHOD} ^OPTIONS$\nRewriteRule ^ - [R=204,L]\n", PreflightKind.ANSWERED, 204, 5, ["Access-Control-Allow-Origin"]),
        ("RewriteEngine On\nRewriteCond %{REQUEST_METHOD} =OPTIONS\nRewriteRule .* - [F]\n", PreflightKind.NOT_HANDLED, 403, 5, []),
        # a rule that matches only the site root decides nothing for OPTIONS to /api/…
        ("RewriteEngine On\nRewriteCond %{REQUEST_METHOD} OPTIONS\nRewriteRule ^$ - [F]\n", PreflightKind.ANSWERED, 200, 0, []),
        ("RewriteEngine On\nRewriteCond %{REQUEST_METHOD} OPTIONS\nRewriteRule ^/?index\\.html$ - [R=405,L]\n", PreflightKind.ANSWERED, 200, 0, []),
        ("RewriteEngine On\nRewriteCond %{REQUEST_METHOD} OPTIONS\nRewriteRule ^/?(.*)$ - [R=405,L]\n", PreflightKind.NOT_HANDLED, 405, 5, []),
        ("RewriteCond %{REQUEST_METHOD} OPTIONS\nRewriteRule ^ - [R=204,L]\n", PreflightKind.ANSWERED, 200, 0, []),
        ("<LimitExcept GET POST>\n    Require all denied\n</LimitExcept>\n", PreflightKind.NOT_HANDLED, 403, 3, []),
        ("<Limit OPTIONS>\n    Deny from all\n</Limit>\n", PreflightKind.NOT_HANDLED, 403, 3, []),
        ("<LimitExcept GET POST OPTIONS>\n    Require all denied\n</LimitExcept>\n", PreflightKind.ANSWERED, 200, 0, []),
        ("AuthType Basic\nRequire valid-user\n", PreflightKind.NOT_HANDLED, 401, 4, []),
        ("RewriteEngine On\nRewriteCond %{REQUEST_FILENAME} !-f\nRewriteRule ^(.*)$ index.php/$1 [L]\n", PreflightKind.DELEGATED, None, 5, []),
        ("SetHandler \"proxy:fcgi://127.0.0.1:9000\"\n", PreflightKind.DELEGATED, None, 3, []),
        ("FallbackResource /index.php\n", PreflightKind.DELEGATED, None, 3, []),
    ],
)
def test_preflight(tmp_path: Path, tail: str, kind: PreflightKind, status, line: int, headers: list[str]) -> None:
    preflight = single(run(tmp_path, {".htaccess": HEADERS + tail})).preflight
    assert (preflight.kind, preflight.status) == (kind, status)
    assert (preflight.prov.location.line if preflight.prov else 0) == line
    assert [h.name for h in preflight.headers] == headers


def test_rewrite_answer_note_says_inferred(tmp_path: Path) -> None:
    tail = "RewriteEngine On\nRewriteCond %{REQUEST_METHOD} OPTIONS\nRewriteRule ^ - [R=204,L]\n"
    assert "inferred" in single(run(tmp_path, {".htaccess": HEADERS + tail})).preflight.note


def test_proxied_location_gets_its_own_policy(tmp_path: Path) -> None:
    config = f"""
    <VirtualHost *:443>
        ServerName api.example.com
        {ACAO} "https://app.example.com"
        <Location /api/>
            ProxyPass http://127.0.0.1:3000/
        </Location>
    </VirtualHost>
    """
    extraction = run(tmp_path, {"sites-available/api.conf": config})
    assert [(p.scope, p.preflight.kind, p.preflight.note) for p in extraction.policies] == [
        ("sites-available/api.conf > <VirtualHost *:443>", PreflightKind.ANSWERED, extraction.policies[0].preflight.note),
        ("sites-available/api.conf > <VirtualHost *:443> > <Location /api/>", PreflightKind.DELEGATED, "http://127.0.0.1:3000/"),
    ]
    assert [(w.kind, w.subject) for w in extraction.policies[1].wiring] == [("upstream", "http://127.0.0.1:3000/")]


def test_fragment_preflight_is_unknown(tmp_path: Path) -> None:
    policy = single(run(tmp_path, {"conf-available/cors.conf": f'<IfModule mod_headers.c>\n    {ACAO} "*"\n</IfModule>\n'}))
    assert policy.preflight.kind is PreflightKind.UNKNOWN
    assert policy.scope == "conf-available/cors.conf"


# --- scopes -----------------------------------------------------------------------------------------


def test_static_asset_sections(tmp_path: Path) -> None:
    config = f"""
    <IfModule mod_headers.c>
        <FilesMatch "\\.(eot|otf|tt[cf]|woff2?)$">
            {ACAO} "*"
        </FilesMatch>
        <FilesMatch "\\.(json|php)$">
            {ACAO} "*"
        </FilesMatch>
        <Location /fonts>
            {ACAO} "*"
        </Location>
    </IfModule>
    """
    extraction = run(tmp_path, {".htaccess": config})
    assert [(p.scope, p.static_assets, p.paths) for p in extraction.policies] == [
        ('.htaccess > <IfModule mod_headers.c> > <FilesMatch \\.(eot|otf|tt[cf]|woff2?)$>', True, ("\\.(eot|otf|tt[cf]|woff2?)$",)),
        (".htaccess > <IfModule mod_headers.c> > <FilesMatch \\.(json|php)$>", False, ("\\.(json|php)$",)),
        (".htaccess > <IfModule mod_headers.c> > <Location /fonts>", True, ("/fonts",)),
    ]


@pytest.mark.parametrize(
    "group, expected",
    [("woff2?|tt[cf]", ["woff2", "woff", "ttc", "ttf"]), ("jpe?g", ["jpeg", "jpg"]), ("a.c", []), ("x+", [])],
)
def test_expand_alternatives(group: str, expected: list[str]) -> None:
    assert expand_alternatives(group) == expected


def test_if_elseif_else_are_conditional_scopes(tmp_path: Path) -> None:
    config = f"""
    <If "%{{REQUEST_METHOD}} == 'OPTIONS'">
        {ACAO} "https://a.example.com"
    </If>
    <ElseIf "-T env('API')">
        {ACAO} "https://b.example.com"
    </ElseIf>
    <Else>
        {ACAO} "https://c.example.com"
    </Else>
    """
    extraction = run(tmp_path, {".htaccess": config})
    assert [p.condition for p in extraction.policies] == [
        "%{REQUEST_METHOD} == 'OPTIONS'",
        "not (%{REQUEST_METHOD} == 'OPTIONS') and (-T env('API'))",
        "not (not (%{REQUEST_METHOD} == 'OPTIONS') and (-T env('API')))",
    ]


def test_nested_htaccess_merges_with_parent(tmp_path: Path) -> None:
    files = {
        "public/.htaccess": f'{ACAO} "https://www.example.com"\nHeader always merge Vary Origin\n',
        "public/api/.htaccess": 'Header always set Access-Control-Allow-Methods "GET, PUT"\n',
        "public/api/v2/.htaccess": "Header always unset Access-Control-Allow-Origin\n" + f'{ACAO} "https://app.example.com"\n',
    }
    extraction = run(tmp_path, files)
    assert problems(extraction) == []
    summary = [(p.scope, [r.value for r in p.origins], p.methods.items, p.vary_origin.is_true()) for p in extraction.policies]
    assert summary == [
        ("public/.htaccess", ["https://www.example.com"], (), True),
        ("public/.htaccess > public/api/.htaccess", ["https://www.example.com"], ("GET", "PUT"), True),
        ("public/.htaccess > public/api/.htaccess > public/api/v2/.htaccess", ["https://app.example.com"], ("GET", "PUT"), True),
    ]


# --- includes ---------------------------------------------------------------------------------------


def test_includes_relative_to_ancestor_with_globs(tmp_path: Path) -> None:
    files = {
        "etc/apache2/sites-available/api.conf": "<VirtualHost *:80>\n    Include conf-enabled/*.conf\n</VirtualHost>\n",
        "etc/apache2/conf-enabled/cors.conf": f'{ACAO} "https://app.example.com"\n',
    }
    extraction = run(tmp_path, files)
    policy = single(extraction)
    assert policy.scope == "etc/apache2/sites-available/api.conf > <VirtualHost *:80>"
    assert policy.origins[0].prov.location.path == "etc/apache2/conf-enabled/cors.conf"
    assert extraction.files == {"etc/apache2/sites-available/api.conf", "etc/apache2/conf-enabled/cors.conf"}


def test_missing_include_is_a_problem_but_include_optional_is_not(tmp_path: Path) -> None:
    config = f"Include conf/missing.conf\nIncludeOptional conf/also-missing.conf\n{ACAO} \"*\"\n"
    extraction = run(tmp_path, {"httpd.conf": config})
    assert problems(extraction) == [
        ("httpd.conf", 1, 9, "Include conf/missing.conf: not found in the scanned tree; CORS headers it may set are not analysed")
    ]


def test_include_cycle_and_outside_tree(tmp_path: Path) -> None:
    files = {
        "a.conf": f"Include b.conf\n{ACAO} \"*\"\n",
        "b.conf": "Include a.conf\nInclude ../../../etc/passwd\n",
    }
    extraction = run(tmp_path, files)
    messages = [(path, line, message.split(":")[0]) for path, line, _, message in problems(extraction)]
    assert ("b.conf", 1, "Include a.conf") in messages
    assert any("include cycle (a.conf -> b.conf -> a.conf)" in p[3] for p in problems(extraction))
    assert any(p[1] == 2 and "outside the scanned tree" in p[3] for p in problems(extraction))


# --- syntax -----------------------------------------------------------------------------------------


def test_continuation_lines_keep_the_first_line(tmp_path: Path) -> None:
    config = "Header always set \\\n    Access-Control-Allow-Origin \\\n   \"https://app.example.com\"\n"
    rule = single(run(tmp_path, {".htaccess": config})).origins[0]
    assert (rule.value, rule.prov.location.line, rule.prov.location.column) == ("https://app.example.com", 1, 4)


def test_words_unescape_like_getword_conf() -> None:
    assert split_words(r'set X "a \"b\" c" \\d') == [("set", 0, False), ("X", 4, False), ('a "b" c', 6, True), ("\\d", 18, False)]


def test_comments_cover_the_next_directive_or_section() -> None:
    parsed = parse_text("x", "# one\n<Directory />\n  # two\n  Header set A b\n</Directory>\n# tail\n")
    assert [(c.line, c.column, c.text, c.own_line, c.covers) for c in parsed.comments] == [
        (1, 1, " one", True, (2, 5)),
        (3, 3, " two", True, (4, 4)),
        (6, 1, " tail", True, (6, 6)),
    ]


def test_case_insensitive_directives_and_sections(tmp_path: Path) -> None:
    config = '<ifmodule MOD_HEADERS.C>\n<filesmatch "\\.woff$">\nHEADER ALWAYS SET access-control-allow-origin "*"\n</FILESMATCH>\n</IfModule>\n'
    policy = single(run(tmp_path, {".htaccess": config}))
    assert (policy.static_assets, [r.kind for r in policy.origins], policy.emissions[0].name) == (
        True, [OriginKind.ANY], "Access-Control-Allow-Origin"
    )


@pytest.mark.parametrize(
    "data, expected",
    [
        (b"\xef\xbb\xbfHeader always set Access-Control-Allow-Origin *\r\n", []),
        (b"Header always set Access-Control-Allow-Origin *\n\xff\xfe\n", [(".htaccess", 2, 1, "cannot decode file: invalid UTF-8 at line 2 (byte 48): invalid start byte")]),
        (b"Access-Control-\x00\x01", [(".htaccess", 1, 1, "cannot decode file: binary file (contains NUL bytes)")]),
        (b"<Directory />\nHeader always set Access-Control-Allow-Origin *\n", [(".htaccess", 2, 0, "unexpected end of file: `<Directory>` opened at line 1 is never closed")]),
        (b"</Files>\nHeader always set Access-Control-Allow-Origin *\n", [(".htaccess", 1, 1, "`</Files>` closes a section that was never opened")]),
        (b"<Files x\nHeader always set Access-Control-Allow-Origin *\n</Files>\n", [(".htaccess", 1, 1, "section `<Files x` lacks its closing `>`")]),
    ],
)
def test_encodings_and_syntax_problems(tmp_path: Path, data: bytes, expected: list[tuple]) -> None:
    assert problems(run(tmp_path, {".htaccess": data})) == expected


def test_crlf_columns(tmp_path: Path) -> None:
    policy = single(run(tmp_path, {".htaccess": b'Header always set Access-Control-Allow-Origin "https://a.example.com"\r\n'}))
    assert origins(policy) == [(OriginKind.EXACT, "https://a.example.com", 1, 47, None, False)]


# --- claiming ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path, head, apache, nginx",
    [
        (".htaccess", b"Options -Indexes\n", True, False),
        ("conf.d/cors.conf", b"<IfModule mod_headers.c>\n  Header set X y\n</IfModule>\n", True, False),
        ("conf.d/cors.conf", b"server {\n  add_header X y;\n}\n", False, True),
        ("sites-enabled/site", b"<VirtualHost *:80>\n</VirtualHost>\n", True, False),
        ("apache2/vhosts", b"ServerName a.example.com\n", True, False),
        ("src/app.js", b"Header set X y\n", False, False),
    ],
)
def test_claims_by_content(path: str, head: bytes, apache: bool, nginx: bool) -> None:
    assert (ApacheSource().claims(path, head), NginxSource().claims(path, head)) == (apache, nginx)


@pytest.mark.skipif(not CORPUS.exists(), reason="shared corpus not available")
def test_corpus_files_parse_and_are_claimed_once(tmp_path: Path) -> None:
    for kind in ("apache", "nginx"):
        folder = CORPUS / kind
        if not folder.exists():
            continue
        for path in sorted(folder.iterdir()):
            head = path.read_bytes()[:8192]
            claimed = [s.name for s in (NginxSource(), ApacheSource()) if s.claims(path.name, head)]
            assert len(claimed) <= 1, (path.name, claimed)
            if kind == "apache":
                assert claimed in ([], ["apache"]), path.name
    apache = CORPUS / "apache"
    if apache.exists():
        workspace = Workspace([apache], display_base=apache)
        files = [SourceFile(p.name, p.resolve()) for p in sorted(apache.iterdir()) if p.is_file()]
        extraction = ApacheSource().extract(files, workspace)
        assert [p for p in extraction.problems if "internal error" in p.message] == []
        assert extraction.policies


def test_own_line_suppression_through_the_pipeline(tmp_path: Path) -> None:
    from conftest import lint_tree

    (tmp_path / ".htaccess").write_text(
        "# corslint: ignore[CORS103] -- public catalogue\n"
        f'{ACAO} "*"\n'
        f'<Files "data.json">\n    {ACAO} "*"\n</Files>\n',
        encoding="utf-8",
    )
    result = lint_tree(tmp_path, {"select": ["CORS103", "CORS002"]})
    assert [(f.code, f.location.line) for f in result.findings] == [("CORS103", 4)]


@pytest.mark.parametrize(
    "value,data",
    [
        ('"%{Host}i"', "idle"),
        ('"expr=%{HTTP_HOST}"', "host"),
        ('"%{Referer}i"', "idle"),
        ('"%{HTTP_REFERER}e"', "referer"),
        ('"expr=%{REQUEST_URI}"', "path"),
        ('"expr=%{HTTP:Referer}"', "referer"),
        ('"%{Origin}i"', "idle"),
        ('"expr=%{req:Origin}"', ""),
    ],
)
def test_request_data_that_is_never_an_origin(tmp_path: Path, value: str, data: str) -> None:
    extraction = run(tmp_path, {".htaccess": f"Header always set Access-Control-Allow-Origin {value}\n"})
    assert [r.request_data for p in extraction.policies for r in p.origins] == [data]


# --- headers next to the backend's own -----------------------------------------------------------


@pytest.mark.parametrize(
    "lines, beside",
    [
        ('Header add Access-Control-Allow-Origin "https://a.example.com"', True),
        ('Header always add Access-Control-Allow-Origin "https://a.example.com"', True),
        ('Header append Access-Control-Allow-Origin "https://a.example.com"', True),
        ('Header always set Access-Control-Allow-Origin "https://a.example.com"', True),
        ('Header set Access-Control-Allow-Origin "https://a.example.com"', False),
        ('Header unset Access-Control-Allow-Origin\nHeader always set Access-Control-Allow-Origin "https://a.example.com"', False),
        ('Header always set Access-Control-Allow-Origin "https://a.example.com"\nHeader unset Access-Control-Allow-Origin', False),
        ('Header unset Access-Control-Allow-Origin\nHeader add Access-Control-Allow-Origin "https://a.example.com"', False),
    ],
)
def test_which_headers_keep_the_backends_copy(tmp_path: Path, lines: str, beside: bool) -> None:
    """Run on Apache 2.4 with a proxied backend that sends its own Allow-Origin: `add`, `always add`, `append`
    and `always set` give two values, `set` and an onsuccess `unset` give one."""
    config = f"<Location /api>\nProxyPass http://127.0.0.1:8000/\n{lines}\n</Location>\n"
    policy = single(run(tmp_path, {"site.conf": config}))
    assert policy.content == "upstream"
    assert [e.beside_backend for e in policy.emissions if e.name == "Access-Control-Allow-Origin"] == [beside]


def test_a_scope_that_serves_files_has_no_backend(tmp_path: Path) -> None:
    policy = single(run(tmp_path, {".htaccess": 'Header add Access-Control-Allow-Origin "https://a.example.com"\n'}))
    assert policy.content == ""
