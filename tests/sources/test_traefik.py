"""The Traefik source: a file provider's dynamic configuration (YAML and TOML) and docker-compose labels, read into
the same middleware policy as a Kubernetes `Middleware`."""

from __future__ import annotations

import textwrap
from pathlib import Path

from conftest import lint_tree
from corslint.model import ListKind, MatchMode, OriginKind, PreflightKind, State
from corslint.sources.traefik.labels import interpolated
from corslint.sources.traefik.names import dynamic_head


def write(tmp_path: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(textwrap.dedent(text), encoding="utf-8")


def lint(tmp_path: Path, files: dict[str, str]):
    write(tmp_path, files)
    return lint_tree(tmp_path, {"select": ["ALL"]})


def policies(tmp_path: Path, files: dict[str, str]):
    return [p for p in lint(tmp_path, files).policies if p.source == "traefik"]


DYNAMIC_YAML = """\
    http:
      routers:
        api:
          rule: Host(`api.example.com`)
          middlewares: [cors]
      middlewares:
        cors:
          headers:
            accessControlAllowOriginList:
              - https://app.example.com
            accesscontrolallowcredentials: true
            AccessControlAllowMethods: GET,POST
            addVaryHeader: true
        compress:
          compress: {}
    """

DYNAMIC_TOML = """\
    [http.routers.api]
      rule = "Host(`api.example.com`)"

    [http.middlewares.cors.headers]
      accessControlAllowMethods = ["GET", "PUT"]
      accessControlAllowOriginList = [
        "https://app.example.com",
        "https://admin.example.com",
      ]
      accessControlMaxAge = 600
      addVaryHeader = true
    """


def test_dynamic_configuration_is_recognised_by_its_http_section() -> None:
    assert dynamic_head("dynamic.yml", textwrap.dedent(DYNAMIC_YAML).encode())
    assert dynamic_head("conf/routes.toml", textwrap.dedent(DYNAMIC_TOML).encode())
    static = b"entryPoints:\n  web:\n    address: ':80'\nproviders:\n  file:\n    directory: /etc/traefik\n"
    assert not dynamic_head("traefik.yml", static)
    assert not dynamic_head("pyproject.toml", b"[project]\nname = 'http'\n")


def test_yaml_fields_are_read_whatever_their_case(tmp_path: Path) -> None:
    result = lint(tmp_path, {"dynamic.yml": DYNAMIC_YAML})
    [policy] = [p for p in result.policies if p.source == "traefik"]
    assert policy.scope == "Traefik middleware cors (file provider)"
    assert [(r.kind, r.value) for r in policy.origins] == [(OriginKind.EXACT, "https://app.example.com")]
    assert policy.credentials.is_true() and policy.vary_origin.is_true()
    assert policy.methods.items == ("GET", "POST")
    assert policy.preflight.kind is PreflightKind.LIBRARY and policy.preflight.status == 200
    assert result.findings == [] and "dynamic.yml" in result.files_analysed


def test_toml_values_keep_the_lines_they_are_written_on(tmp_path: Path) -> None:
    [policy] = policies(tmp_path, {"dynamic.toml": DYNAMIC_TOML})
    assert [(r.value, r.prov.location.line) for r in policy.origins] == [
        ("https://app.example.com", 7), ("https://admin.example.com", 8)]
    assert policy.methods.items == ("GET", "PUT") and policy.methods.prov.location.line == 5
    assert policy.max_age.value == 600 and policy.max_age.prov.location.line == 10
    assert policy.vary_origin.is_true() and policy.credentials.state is State.ABSENT


def test_toml_star_with_credentials_is_reflection(tmp_path: Path) -> None:
    text = '[http.middlewares.open.headers]\naccessControlAllowOriginList = ["*"]\naccessControlAllowCredentials = true\n'
    found = [(f.code, f.location.line) for f in lint(tmp_path, {"dynamic.toml": text}).findings]
    assert ("CORS102", 2) in found


def test_regexes_are_unanchored_go_searches(tmp_path: Path) -> None:
    text = 'http:\n  middlewares:\n    r:\n      headers:\n        accessControlAllowOriginListRegex: ["https://app\\\\.example\\\\.com"]\n'
    [policy] = policies(tmp_path, {"dynamic.yml": text})
    [rule] = policy.origins
    assert (rule.kind, rule.mode, rule.dialect, rule.value) == (OriginKind.PATTERN, MatchMode.SEARCH, "go", r"https://app\.example\.com")


def test_unknown_and_removed_fields_are_reported(tmp_path: Path) -> None:
    text = """\
        [http.middlewares.cors.headers]
          accessControlAllowOrigin = "https://app.example.com"
          accessControlAllowHeader = ["Content-Type"]
        """
    found = {(f.code, f.location.line) for f in lint(tmp_path, {"dynamic.toml": text}).findings}
    assert {("CORS502", 2), ("CORS505", 3)} <= found


def test_files_that_are_not_yaml_or_toml_are_cors001(tmp_path: Path) -> None:
    result = lint(tmp_path, {
        "a.toml": '[http.middlewares.cors.headers]\naccessControlAllowOriginList = ["https://a.example.com"\n',
        "b.yml": "http:\n  middlewares:\n    c:\n      headers:\n        accessControlAllowOriginList: [x\n",
    })
    problems = sorted((f.location.path, f.code, f.message.split(":")[0]) for f in result.findings)
    assert problems == [("a.toml", "CORS001", "TOML syntax error"), ("b.yml", "CORS001", "YAML syntax error")]


def test_templates_and_files_without_cors_are_not_errors(tmp_path: Path) -> None:
    result = lint(tmp_path, {
        "templated.yml": "http:\n  middlewares:\n{{ range $i := .Items }}\n    c{{ $i }}:\n      headers:\n"
                         "        accessControlAllowOriginList: [{{ $i }}\n{{ end }}\n",
        "plain.yml": "http:\n  routers:\n    a:\n      rule: Host(`a`)\n  services: [broken\n",
    })
    assert result.findings == [] and "never renders templates" in result.skipped["templated.yml"]
    assert "plain.yml" not in result.files_analysed


COMPOSE = """\
    services:
      api:
        build: ./api
        labels:
          - "traefik.http.routers.api.middlewares=cors"
          - "traefik.http.middlewares.cors.headers.accesscontrolalloworiginlist=https://app.example.com,${EXTRA_ORIGIN}"
          - "traefik.http.middlewares.cors.headers.accesscontrolallowcredentials=true"
          - "traefik.http.middlewares.cors.headers.addvaryheader=true"
      web:
        image: nginx
        deploy:
          labels:
            traefik.http.middlewares.web.headers.accessControlAllowOriginListRegex: "^https://a\\\\.example\\\\.com$$"
    """


def test_compose_labels_become_middleware_policies(tmp_path: Path) -> None:
    result = lint(tmp_path, {"docker-compose.yml": COMPOSE})
    by_scope = {p.scope: p for p in result.policies if p.source == "traefik"}
    api = by_scope["Traefik middleware cors (docker labels of service api)"]
    assert [(r.kind, r.prov.location.line) for r in api.origins] == [(OriginKind.EXACT, 6), (OriginKind.UNKNOWN, 6)]
    assert api.credentials.is_true() and api.vary_origin.is_true()
    [web] = by_scope["Traefik middleware web (docker labels of service web)"].origins
    assert web.value == r"^https://a\.example\.com$" and web.prov.location.line == 13
    assert "docker-compose.yml" in result.files_analysed and "docker-compose.yml" not in result.skipped


def test_compose_interpolation_is_what_docker_receives() -> None:
    assert interpolated("a$$b") == "a$b"
    assert interpolated("x${VAR:-y}z").startswith("x$tpl") and interpolated("$VAR") == "$tpl"


def test_compose_cors_values_no_source_reads_are_still_reported(tmp_path: Path) -> None:
    text = """\
        services:
          api:
            image: api
            labels:
              - "traefik.http.middlewares.h.headers.customresponseheaders.Access-Control-Allow-Origin=*"
        """
    result = lint(tmp_path, {"docker-compose.yml": text})
    assert "not checked" in result.skipped["docker-compose.yml"]
    assert [p for p in result.policies if p.source == "traefik"] == []


def test_methods_star_with_credentials_is_echoed(tmp_path: Path) -> None:
    text = ('[http.middlewares.c.headers]\naccessControlAllowOriginList = ["https://a.example.com"]\n'
            'accessControlAllowCredentials = true\naccessControlAllowMethods = ["*"]\n')
    [policy] = policies(tmp_path, {"dynamic.toml": text})
    assert policy.methods.kind is ListKind.REFLECT
