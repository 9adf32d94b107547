"""The Kubernetes source: manifests by content, ingress-nginx annotations as controller v1.15 reads them, snippets
through the nginx source at their YAML lines, Istio corsPolicy, Traefik Middleware, Helm values and templates, and
the YAML that must never run or blow up."""

from __future__ import annotations

import random
import re
import textwrap
from pathlib import Path

import pytest

from conftest import lint_tree
from corslint.model import CorsPolicy, Extraction, ListKind, MatchMode, OriginKind, PreflightKind, State
from corslint.sources.kubernetes import ingress
from corslint.sources.kubernetes.names import helm_values, manifest_head
from corslint.sources.kubernetes.source import KubernetesSource
from corslint.workspace import SourceFile, Workspace

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "real" / "k8s"
HEAD = """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: api
  annotations:
"""
# the controller's own regexes (internal/ingress/annotations/cors/main.go, parser/validators.go at v1.15.1)
GO_WHOLE_ORIGINS = r"^((((([a-z]+://)?(\*\.)?[A-Za-z0-9\-.]*(:\d+)?,?)|null)+)|\*)?$"
GO_METHODS = r"^([A-Za-z]+,?\s?)+$"
GO_EXPOSE = r"^(([A-Za-z0-9\-\_]+|\*),?\s?)+$"


def run(tmp_path: Path, files: dict[str, str]) -> Extraction:
    workspace = Workspace([tmp_path], display_base=tmp_path)
    handed = []
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        source_file = SourceFile(name, path.resolve())
        workspace.register(source_file)
        handed.append(source_file)
    return KubernetesSource().extract(handed, workspace)


def annotated(tmp_path: Path, **annotations: str) -> CorsPolicy:
    lines = "".join(f"    nginx.ingress.kubernetes.io/{name.replace('_', '-')}: {value}\n" for name, value in annotations.items())
    found = [p for p in run(tmp_path, {"ingress.yaml": HEAD + lines}).policies if p.source == "ingress-nginx"]
    assert len(found) == 1
    return found[0]


def codes(tmp_path: Path, files: dict[str, str]) -> list[tuple[str, int]]:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return [(f.code, f.location.line) for f in lint_tree(tmp_path, {"select": ["ALL"]}).findings]


# --- which files are manifests -------------------------------------------------------------------------------------


def test_manifests_are_recognised_by_content_and_values_by_name() -> None:
    assert manifest_head(b"# comment\napiVersion: v1\nkind: Service\n")
    assert manifest_head(b"items:\n- apiVersion: v1\n  kind: Service\n")
    assert not manifest_head(b"services:\n  web:\n    image: nginx\n")
    assert helm_values("chart/values.yaml") and helm_values("values-prod.yml") and helm_values("helm_values.yaml")
    assert not helm_values("chart/templates/ingress.yaml") and not helm_values("evaluations.yaml")


# --- ingress-nginx: the controller's validation, defaults and fall-backs -------------------------------------------


def _random_strings(alphabet: str, count: int, longest: int) -> list[str]:
    chooser = random.Random(17)
    return ["".join(chooser.choice(alphabet) for _ in range(chooser.randint(0, longest))) for _ in range(count)]


@pytest.mark.parametrize(
    "ours,theirs,alphabet",
    [
        (ingress._WHOLE_ORIGINS, GO_WHOLE_ORIGINS, "ahtps:/.*,-Z0:9nul"),
        (ingress._METHODS, GO_METHODS, "GETPOST, \t"),
        (ingress._EXPOSE, GO_EXPOSE, "Xa-_*, 9"),
    ],
)
def test_linear_checks_accept_what_the_controller_regexes_accept(ours, theirs, alphabet) -> None:
    theirs_re = re.compile(theirs)
    star_alone = theirs == GO_WHOLE_ORIGINS  # the source tests a lone `*` before the linear check
    for text in _random_strings(alphabet, 4000, 9):
        expected = theirs_re.match(text) is not None
        got = (star_alone and text == "*") or ours.fullmatch(text) is not None
        assert got == expected, repr(text)


def test_linear_checks_stay_fast_on_hostile_values() -> None:
    assert ingress._METHODS.fullmatch("GET" * 5000 + "!") is None
    assert ingress._WHOLE_ORIGINS.fullmatch("a" * 20000 + "/") is None


def test_enable_cors_alone_is_star_with_the_default_credentials(tmp_path: Path) -> None:
    policy = annotated(tmp_path, enable_cors='"true"')
    assert [(r.kind, r.value) for r in policy.origins] == [(OriginKind.ANY, "*")]
    assert policy.credentials.is_true() and policy.credentials.default
    assert policy.methods.items == ingress.DEFAULT_METHODS and policy.methods.default
    assert policy.max_age.value == 1728000 and policy.max_age.default
    assert policy.vary_origin.state is State.ABSENT
    assert policy.preflight.kind is PreflightKind.LIBRARY and policy.preflight.status == 204


@pytest.mark.parametrize("value", ['"false"', '"no"', '"yes please"', "'TRUE '"])
def test_enable_cors_must_be_a_go_boolean_true(tmp_path: Path, value: str) -> None:
    text = HEAD + f"    nginx.ingress.kubernetes.io/enable-cors: {value}\n"
    policies = run(tmp_path, {"ingress.yaml": text}).policies
    assert policies == []


@pytest.mark.parametrize("value", ["'$http_origin'", '"https://app.example.com/"', '"HTTPS://APP.EXAMPLE.COM"', '"*, https://a.example.com/x"', '""'])
def test_an_origin_value_that_fails_validation_falls_back_to_star(tmp_path: Path, value: str) -> None:
    policy = annotated(tmp_path, enable_cors='"true"', cors_allow_origin=value)
    assert [(r.kind, r.invalid_fallback != "" or value == '""') for r in policy.origins] == [(OriginKind.ANY, True)]


def test_origin_lists_exact_wildcard_null_and_dropped_entries(tmp_path: Path) -> None:
    policy = annotated(
        tmp_path, enable_cors='"true"',
        cors_allow_origin='"https://App.example.com, https://*.example.com:8443, null, origin.example.com"',
    )
    kinds = [(r.kind, r.value) for r in policy.origins]
    assert kinds[0] == (OriginKind.EXACT, "https://App.example.com") and policy.origins[0].ignore_case
    assert kinds[1][0] is OriginKind.PATTERN and policy.origins[1].mode is MatchMode.SEARCH
    from corslint.origins import pattern_accepts

    assert pattern_accepts(kinds[1][1], "https://a.example.com:8443", dialect="pcre", mode="search", ignore_case=True)
    assert not pattern_accepts(kinds[1][1], "https://a.b.example.com:8443", dialect="pcre", mode="search", ignore_case=True)
    assert kinds[2] == (OriginKind.NULL, "null")
    assert kinds[3] == (OriginKind.EXACT, "origin.example.com") and "drops" in policy.origins[3].note
    columns = [r.prov.location.column for r in policy.origins]
    line = HEAD.count("\n") + 2
    text = (tmp_path / "ingress.yaml").read_text().splitlines()[line - 1]
    assert [text[c - 1:c + 3] for c in columns] == ["http", "http", "null", "orig"]


def test_star_alone_is_star_and_a_star_in_a_list_fails_validation(tmp_path: Path) -> None:
    policy = annotated(tmp_path, enable_cors='"true"', cors_allow_origin='" * "')
    assert [r.kind for r in policy.origins] == [OriginKind.ANY] and not policy.origins[0].invalid_fallback
    policy = annotated(tmp_path, enable_cors='"true"', cors_allow_origin='"https://a.example.com,*"')
    assert [r.kind for r in policy.origins] == [OriginKind.ANY] and policy.origins[0].invalid_fallback


@pytest.mark.parametrize(
    "value,credentials,default",
    [('"false"', False, False), ('"true"', True, False), ('"maybe"', True, True), ('"0"', False, False)],
)
def test_credentials_fall_back_to_true(tmp_path: Path, value: str, credentials: bool, default: bool) -> None:
    policy = annotated(tmp_path, enable_cors='"true"', cors_allow_credentials=value)
    assert (policy.credentials.value, policy.credentials.default) == (credentials, default)


@pytest.mark.parametrize(
    "name,value,kind,items",
    [
        ("cors_allow_methods", '"GET, POST"', ListKind.EXPLICIT, ("GET", "POST")),
        ("cors_allow_methods", '"*"', ListKind.DEFAULT, ingress.DEFAULT_METHODS),
        ("cors_allow_methods", '"GET , POST"', ListKind.DEFAULT, ingress.DEFAULT_METHODS),
        ("cors_allow_headers", '"*"', ListKind.DEFAULT, ingress.DEFAULT_HEADERS),
        ("cors_allow_headers", '"X-Api-Key, Content-Type"', ListKind.EXPLICIT, ("X-Api-Key", "Content-Type")),
        ("cors_expose_headers", '"*"', ListKind.ANY, ("*",)),
        ("cors_expose_headers", '"X-Total$"', ListKind.ABSENT, ()),
    ],
)
def test_lists_are_checked_as_the_controller_checks_them(tmp_path: Path, name: str, value: str, kind, items) -> None:
    policy = annotated(tmp_path, enable_cors='"true"', **{name: value})
    setting = {"cors_allow_methods": policy.methods, "cors_allow_headers": policy.allow_headers,
               "cors_expose_headers": policy.expose_headers}[name]
    assert (setting.kind, setting.items) == (kind, items)


def test_an_unreadable_max_age_is_the_default(tmp_path: Path) -> None:
    assert annotated(tmp_path, enable_cors='"true"', cors_max_age='"10m"').max_age.value == 1728000


def test_a_near_miss_of_an_annotation_is_an_unknown_option(tmp_path: Path) -> None:
    policy = annotated(tmp_path, enable_cors='"true"', cors_allow_origins='"https://a.example.com"')
    assert [(f.subject, f.replacement) for f in policy.wiring] == [
        ("nginx.ingress.kubernetes.io/cors-allow-origins", "nginx.ingress.kubernetes.io/cors-allow-origin")
    ]


def test_annotations_on_a_service_are_reported_once(tmp_path: Path) -> None:
    text = """\
        apiVersion: v1
        kind: Service
        metadata:
          name: api
          annotations:
            nginx.ingress.kubernetes.io/enable-cors: "true"
            nginx.ingress.kubernetes.io/cors-allow-origin: "https://a.example.com"
        """
    assert codes(tmp_path, {"svc.yaml": text}) == [("CORS501", 6)]


def test_cors_annotations_without_enable_cors_do_nothing(tmp_path: Path) -> None:
    lines = '    nginx.ingress.kubernetes.io/cors-allow-origin: "https://app.example.com"\n'
    assert codes(tmp_path, {"ingress.yaml": HEAD + lines}) == [("CORS501", 6)]
    # a template may add `enable-cors` among the annotations: then nothing is claimed
    templated = HEAD + lines + "    {{- toYaml .Values.ingress.annotations | nindent 4 }}\n"
    assert codes(tmp_path, {"ingress.yaml": templated}) == []
    # Helm values are merged with what the chart's template writes: nothing is claimed either
    values = "ingress:\n  annotations:\n  " + lines
    assert codes(tmp_path, {"ingress.yaml": "kind: ConfigMap\n", "values.yaml": values}) == []


def test_a_kubernetes_list_is_read_item_by_item(tmp_path: Path) -> None:
    text = """\
        apiVersion: v1
        kind: List
        items:
          - apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata:
              name: one
              annotations:
                nginx.ingress.kubernetes.io/enable-cors: "true"
                nginx.ingress.kubernetes.io/cors-allow-origin: "null"
        """
    assert ("CORS104", 10) in codes(tmp_path, {"list.yaml": text})


# --- snippets through the nginx source --------------------------------------------------------------------------


def test_a_configuration_snippet_is_read_by_the_nginx_source_at_its_yaml_lines(tmp_path: Path) -> None:
    text = HEAD + """\
    nginx.ingress.kubernetes.io/configuration-snippet: |
      more_set_headers 'Access-Control-Allow-Origin: $http_origin';
      more_set_headers 'Access-Control-Allow-Credentials: true';
spec:
  rules:
    - http:
        paths:
          - path: /graphql
            pathType: Prefix
"""
    extraction = run(tmp_path, {"ingress.yaml": text})
    [policy] = extraction.policies
    assert policy.source == "nginx" and policy.scope == "Ingress api configuration-snippet"
    [rule] = policy.origins
    assert rule.kind is OriginKind.REFLECT
    line = text.splitlines()[rule.prov.location.line - 1]
    assert "$http_origin" in line and line.index("more_set_headers") < rule.prov.location.column
    assert extraction.problems == []


def test_a_server_snippet_before_a_configuration_snippet_and_after_it(tmp_path: Path) -> None:
    server = "    nginx.ingress.kubernetes.io/server-snippet: |\n      add_header Access-Control-Allow-Origin https://a.example.com always;\n"
    location = "    nginx.ingress.kubernetes.io/configuration-snippet: |\n      more_set_headers 'Access-Control-Max-Age: 600';\n"
    for order in (server + location, location + server):
        folder = tmp_path / str(len(list(tmp_path.iterdir())))
        folder.mkdir()
        extraction = run(folder, {"ingress.yaml": HEAD + order})
        assert extraction.problems == [], order
        assert [r.value for p in extraction.policies for r in p.origins] == ["https://a.example.com"]


def test_a_snippet_that_adds_vary_origin_completes_the_annotations(tmp_path: Path) -> None:
    policy = annotated(
        tmp_path, enable_cors='"true"', cors_allow_origin='"https://a.example.com,https://b.example.com"',
        configuration_snippet='|\n      more_set_headers "Vary: Origin";',
    )
    assert policy.vary_origin.is_true() and policy.vary_origin.prov.location.line == HEAD.count("\n") + 4


def test_a_broken_snippet_is_a_parse_error_at_its_yaml_line(tmp_path: Path) -> None:
    text = HEAD + "    nginx.ingress.kubernetes.io/configuration-snippet: |\n      more_set_headers 'Access-Control-Allow-Origin: *'\n      if ($x {\n"
    problems = run(tmp_path, {"ingress.yaml": text}).problems
    assert problems and all(p.location.path == "ingress.yaml" and p.location.line >= 6 for p in problems)


# --- Helm ----------------------------------------------------------------------------------------------------------


def test_a_templated_value_is_unknown_and_templates_are_never_rendered(tmp_path: Path) -> None:
    text = """\
        {{- if .Values.ingress.enabled }}
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: {{ include "chart.fullname" . }}
          annotations:
            nginx.ingress.kubernetes.io/enable-cors: "true"
            nginx.ingress.kubernetes.io/cors-allow-origin: {{ .Values.uiUrl | quote }}
        {{- end }}
        """
    [policy] = run(tmp_path, {"templates/ingress.yaml": text}).policies
    assert [r.kind for r in policy.origins] == [OriginKind.UNKNOWN]


def test_a_template_that_is_yaml_only_once_rendered_is_skipped_not_an_error(tmp_path: Path) -> None:
    text = "apiVersion: v1\nkind: Ingress\nmetadata:\n  annotations:\n{{ toYaml .Values.cors | indent 4 }}\n    x: [\n"
    extraction = run(tmp_path, {"templates/ingress.yaml": text})
    assert extraction.problems == [] and "never renders templates" in extraction.skipped["templates/ingress.yaml"]


def test_what_a_template_writes_before_its_logic_is_still_read(tmp_path: Path) -> None:
    text = (HEAD + '    nginx.ingress.kubernetes.io/enable-cors: "true"\n'
            "spec:\n  rules:\n{{ include \"rules\" . | indent 4 }}\n    - broken: [\n")
    extraction = run(tmp_path, {"templates/ingress.yaml": text})
    assert [p.source for p in extraction.policies] == ["ingress-nginx"]
    assert "never renders templates" in extraction.skipped["templates/ingress.yaml"]


def test_an_anchor_defined_twice_names_its_latest_node(tmp_path: Path) -> None:
    # YAML 1.2 and Go's yaml.v3 allow it; PyYAML alone refuses ("found duplicate anchor")
    text = (HEAD + '    a: &v "false"\n    b: &v "true"\n    nginx.ingress.kubernetes.io/enable-cors: *v\n')
    extraction = run(tmp_path, {"ingress.yaml": text})
    assert extraction.problems == [] and [p.source for p in extraction.policies] == ["ingress-nginx"]


def test_a_manifest_that_never_mentions_cors_is_not_parsed(tmp_path: Path) -> None:
    broken = "apiVersion: v1\nkind: ConfigMap\ndata:\n  key: [unclosed\n"
    cors = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cors\ndata:\n  key: [unclosed\n"
    extraction = run(tmp_path, {"broken.yaml": broken, "cors.yaml": cors})
    assert [p.location.path for p in extraction.problems] == ["cors.yaml"]
    assert extraction.files == {"cors.yaml"}


def test_helm_values_annotations_and_snippets(tmp_path: Path) -> None:
    text = """\
        ingress:
          annotations:
            nginx.ingress.kubernetes.io/enable-cors: "true"
            nginx.ingress.kubernetes.io/cors-allow-origin: "https://app.example.com"
          configurationSnippet: |
            more_set_headers 'Access-Control-Allow-Origin: $http_origin';
        """
    policies = run(tmp_path, {"chart/values.yaml": text}).policies
    assert sorted(p.source for p in policies) == ["ingress-nginx", "nginx"]
    annotations = next(p for p in policies if p.source == "ingress-nginx")
    assert annotations.scope == "Helm values ingress.annotations" and "Helm values" in annotations.origins[0].assumption


def test_values_files_without_cors_are_not_policies(tmp_path: Path) -> None:
    assert run(tmp_path, {"values.yaml": "image:\n  tag: v1\ningress:\n  annotations: {}\n"}).policies == []


# --- Istio ---------------------------------------------------------------------------------------------------------

VS = """\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: api
spec:
  http:
    - name: main
      match:
        - uri:
            prefix: /api/
      corsPolicy:
        allowOrigins:
{origins}
        allowCredentials: true
        allowMethods: ["*"]
        maxAge: "1h30m"
"""


def test_istio_matchers(tmp_path: Path) -> None:
    origins = "          - exact: https://a.example.com\n          - prefix: https://b.example.com\n          - regex: 'https://c\\.example\\.com'\n          - exact: '*'\n"
    [policy] = run(tmp_path, {"vs.yaml": VS.format(origins=origins)}).policies
    kinds = [r.kind for r in policy.origins]
    assert kinds == [OriginKind.EXACT, OriginKind.PATTERN, OriginKind.PATTERN, OriginKind.REFLECT]
    from corslint.origins import pattern_accepts

    prefix = policy.origins[1]
    assert pattern_accepts(prefix.value, "https://b.example.com.attacker.test", dialect="go", mode="fullmatch", ignore_case=False)
    assert not pattern_accepts(policy.origins[2].value, "https://c.example.com.attacker.test", dialect="go",
                               mode="fullmatch", ignore_case=False)
    assert policy.scope == "VirtualService api > http[0] main" and policy.paths == ("/api/",)
    assert policy.methods.kind is ListKind.REFLECT and policy.max_age.value == 5400
    assert policy.credentials.is_true() and policy.vary_origin.state is State.ABSENT


@pytest.mark.parametrize("matcher", ["prefix: '*'", "regex: '.*'", "regex: '\\*'", "prefix: ''"])
def test_an_istio_matcher_that_matches_the_literal_star_allows_every_origin(tmp_path: Path, matcher: str) -> None:
    # Envoy's isOriginAllowed tests each matcher against "*" as well as the Origin (semantics-deploy.md, section 3)
    [policy] = run(tmp_path, {"vs.yaml": VS.format(origins=f"          - {matcher}\n")}).policies
    [rule] = policy.origins
    assert rule.kind is OriginKind.REFLECT and rule.allow_all


def test_istio_deprecated_allow_origin_is_read_when_allow_origins_is_absent(tmp_path: Path) -> None:
    text = VS.replace("        allowOrigins:\n{origins}", "        allowOrigin:\n          - https://legacy.example.com\n")
    [policy] = run(tmp_path, {"vs.yaml": text}).policies
    assert [r.value for r in policy.origins] == ["https://legacy.example.com"]
    assert [f.subject for f in policy.wiring] == ["allowOrigin"]


# --- Traefik -------------------------------------------------------------------------------------------------------

MW = """\
apiVersion: traefik.io/v1alpha1
kind: Middleware
metadata:
  name: cors
spec:
  headers:
    accessControlAllowOriginList: [{origins}]
    accessControlAllowOriginListRegex: ["https://a\\\\.example\\\\.com"]
{credentials}"""


@pytest.mark.parametrize("credentials,kind", [("", OriginKind.ANY), ("    accessControlAllowCredentials: true\n", OriginKind.REFLECT)])
def test_traefik_star_depends_on_credentials(tmp_path: Path, credentials: str, kind: OriginKind) -> None:
    [policy] = run(tmp_path, {"mw.yaml": MW.format(origins='"*"', credentials=credentials)}).policies
    assert policy.origins[0].kind is kind
    assert (policy.origins[0].assumption != "") == (kind is OriginKind.REFLECT)
    pattern = policy.origins[1]
    assert (pattern.kind, pattern.mode, pattern.dialect) == (OriginKind.PATTERN, MatchMode.SEARCH, "go")


def test_traefik_crd_of_the_old_api_group_too(tmp_path: Path) -> None:
    text = MW.format(origins="https://a.example.com", credentials="").replace("traefik.io/", "traefik.containo.us/")
    [policy] = run(tmp_path, {"mw.yaml": text}).policies
    assert policy.origins[0].kind is OriginKind.EXACT and policy.origins[0].only_on_match


# --- bad input -----------------------------------------------------------------------------------------------------


def test_plain_yaml_that_breaks_is_cors001_and_the_rest_is_linted(tmp_path: Path) -> None:
    found = codes(tmp_path, {
        "broken.yaml": HEAD + '    nginx.ingress.kubernetes.io/enable-cors: "true"\n  x: [\n',
        "ok.yaml": HEAD + '    nginx.ingress.kubernetes.io/enable-cors: "true"\n    nginx.ingress.kubernetes.io/cors-allow-origin: "null"\n',
    })
    assert ("CORS001", 8) in found and ("CORS104", 7) in found


def test_python_tags_are_never_constructed(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    text = HEAD + f'    nginx.ingress.kubernetes.io/enable-cors: !!python/object/apply:os.system ["touch {marker}"]\n'
    run(tmp_path, {"ingress.yaml": text})
    assert not marker.exists()


def test_a_billion_laughs_manifest_stays_small(tmp_path: Path) -> None:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{n}: &a{n} [{', '.join(f'*a{n - 1}' for _ in range(9))}]" for n in range(1, 12)]
    text = "\n".join(lines) + "\ningress:\n  annotations:\n    nginx.ingress.kubernetes.io/enable-cors: 'true'\n    x: *a11\n"
    policies = run(tmp_path, {"values.yaml": text}).policies
    assert [p.scope for p in policies] == ["Helm values ingress.annotations"]


def test_ten_thousand_documents_are_read_one_by_one(tmp_path: Path) -> None:
    plain = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{n}\ndata:\n  cors: 'no'\n"
    docs = [plain.format(n=n) for n in range(9999)]
    docs.append(HEAD + '    nginx.ingress.kubernetes.io/enable-cors: "true"\n')
    extraction = run(tmp_path, {"many.yaml": "---\n".join(docs)})
    assert len(extraction.policies) == 1 and extraction.policies[0].location.line == 6 * 9999 + 9999 + 6


def test_a_suppression_comment_in_yaml(tmp_path: Path) -> None:
    text = HEAD + '    nginx.ingress.kubernetes.io/enable-cors: "true"\n    # corslint: ignore[CORS104] -- sandboxed widget\n    nginx.ingress.kubernetes.io/cors-allow-origin: "null"\n'
    (tmp_path / "ingress.yaml").write_text(text, encoding="utf-8")
    assert lint_tree(tmp_path, {"select": ["CORS104", "CORS002"]}).findings == []


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not here")
def test_every_kubernetes_file_of_the_corpus_is_analysed(tmp_path: Path) -> None:
    result = lint_tree(CORPUS)
    assert result.skipped == {}
    assert {Path(p.location.path).name for p in result.policies} == {path.name for path in CORPUS.iterdir()}
