"""Property-based fuzzing of every source, alone and end to end through the rules: no exception escapes, no
internal error is reported, and every place corslint points at lies inside the input.

CI runs a bounded number of examples. `pytest -m fuzz tests/test_fuzz.py` multiplies them by 50, and
`CORSLINT_FUZZ_EXAMPLES=N` by N; run with `-s` to print how many inputs each source survived.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tempfile
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corslint.config import Config
from corslint.engine import LintResult, StdinInput, UnknownKind, lint
from corslint.model import Extraction, Location
from corslint.registry import load
from corslint.sources.base import Source
from corslint.workspace import SourceFile, Workspace
from conftest import REPO

pytestmark = pytest.mark.fuzz

settings.register_profile(
    "corslint-fuzz",
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
PROFILE = settings.get_profile("corslint-fuzz")
LONG_RUN_FACTOR = 50
DEPTH = 5_000
HUGE = 100_000

# the name each source is fed under, how its blocks nest, and which fixture files exercise it
KINDS: dict[str, dict[str, Any]] = {
    "nginx": {"names": ("nginx.conf",), "nesting": (("location /x {\n", "}\n"), ("if ($a) {\n", "}\n"))},
    "apache": {"names": (".htaccess", "httpd.conf"),
               "nesting": (("<IfModule mod_headers.c>\n", "</IfModule>\n"), ('<Location "/x">\n', "</Location>\n"))},
    "javascript": {"names": ("app.js", "server.ts"),
                   "nesting": (("{\n", "}\n"), ("function f() {\n", "}\n"), ("(", ")"), ("[", "]"), ("a ? (", ") : b"))},
    "python": {"names": ("app.py", "settings.py"), "nesting": (("(", ")"), ("[", "]"), ("{1: ", "}"), ("-", ""))},
    "python-deps": {"names": ("requirements.txt", "pyproject.toml"), "nesting": (("[", "]"), ("{a = ", "}"))},
    "deploy": {"names": ("docker-compose.yml", "Dockerfile", "Procfile"), "nesting": (("[", "]"), ("{a: ", "}"), ("- ", ""))},
    "kubernetes": {"names": ("ingress.yaml", "values.yaml", "templates/ingress.tpl"),
                   "nesting": (("a:\n  ", "\n"), ("[", "]"), ("{a: ", "}"), ("- ", ""), ("&x ", " *x"))},
    "traefik": {"names": ("dynamic.yml", "dynamic.toml"),
                "nesting": (("a:\n  ", "\n"), ("[", "]"), ("{a = ", "}"), ("- ", ""), ("&x ", " *x"))},
}
SURVIVED: Counter[str] = Counter()
_EMPTY = tempfile.mkdtemp(prefix="corslint-fuzz-")


def _sources() -> dict[str, Source]:
    return {source.name: source for source in load(plugins=False).sources}


def _fixture_texts(source: Source) -> list[str]:
    texts = []
    for path in sorted((REPO / "fixtures").rglob("*")):
        relative = path.relative_to(REPO / "fixtures").as_posix()
        if path.is_file() and "hostile" not in relative and path.name not in ("expected.txt", "README.txt", "README.md"):
            if source.may_claim(relative):
                texts.append(path.read_text(encoding="utf-8"))
    return texts


SOURCES = _sources()
FIXTURES = {name: _fixture_texts(source) for name, source in SOURCES.items()}
FIXTURES["python-deps"].append('[project]\ndependencies = ["flask-cors==3.0.10", "flask>=2"]\n')


def _vocabulary(texts: list[str]) -> list[str]:
    words = {token for text in texts for token in re.findall(r"\w+|[^\w\s]|\s+", text)}
    return sorted(words | set("{}[]()<>\"'`;:,.=\n\t \\$#*"))


VOCABULARY = {name: _vocabulary(texts) for name, texts in FIXTURES.items()}


# ---------------------------------------------------------------------------------------------- inputs


@dataclasses.dataclass(frozen=True)
class Case:
    """One fuzz input; its repr stays short (hypothesis prints it on failure) and says how it was made."""

    name: str
    data: bytes
    how: str

    def __repr__(self) -> str:
        head = self.data[:300]
        more = f" ... ({len(self.data)} bytes)" if len(self.data) > len(head) else ""
        return f"Case({self.name!r}, {self.how}, {head!r}{more})"



def _positions(text: str, chars: str) -> list[int]:
    return [i for i, ch in enumerate(text) if ch in chars]


DELIMITERS = "{}[]()<>\"'`"


def _truncate(draw: Callable, text: str, kind: str) -> str:
    return text[: draw(st.integers(0, len(text)))]


def _delete_delimiter(draw: Callable, text: str, kind: str) -> str:
    spots = _positions(text, DELIMITERS)
    if not spots:
        return text
    at = draw(st.sampled_from(spots))
    return text[:at] + text[at + 1:]


def _duplicate_delimiter(draw: Callable, text: str, kind: str) -> str:
    spots = _positions(text, DELIMITERS)
    if not spots:
        return text
    at = draw(st.sampled_from(spots))
    return text[:at] + text[at] * draw(st.integers(2, 3)) + text[at + 1:]


def _swap_lines(draw: Callable, text: str, kind: str) -> str:
    lines = text.split("\n")
    first, second = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
    lines[first], lines[second] = lines[second], lines[first]
    return "\n".join(lines)


def _huge_value(draw: Callable, text: str, kind: str) -> str:
    value = draw(st.sampled_from(["a" * HUGE, "https://" + "a" * HUGE + ".example.com", "'" + "x." * (HUGE // 2) + "'",
                                  "1" + "0" * HUGE]))
    at = draw(st.integers(0, len(text)))
    return text[:at] + value + text[at:]


def _deep_nesting(draw: Callable, text: str, kind: str) -> str:
    opener, closer = draw(st.sampled_from(KINDS[kind]["nesting"]))
    lines = text.split("\n")
    at = draw(st.integers(0, len(lines)))
    inner = "\n".join(lines[at:at + 1])
    wrapped = opener * DEPTH + inner + closer * DEPTH
    return "\n".join(lines[:at] + [wrapped] + lines[at + 1:])


MUTATIONS = (_truncate, _delete_delimiter, _duplicate_delimiter, _swap_lines)
HEAVY = (None, None, None, _huge_value, _deep_nesting)  # at most one costly mutation per input, in 2 inputs of 5


@st.composite
def mutated_fixture(draw: Callable, kind: str) -> tuple[bytes, str]:
    index = draw(st.integers(0, len(FIXTURES[kind]) - 1))
    text = FIXTURES[kind][index]
    mutations = draw(st.lists(st.sampled_from(MUTATIONS), min_size=1, max_size=3))
    heavy = draw(st.sampled_from(HEAVY))
    if heavy is not None:
        mutations.insert(draw(st.integers(0, len(mutations))), heavy)
    for mutation in mutations:
        text = mutation(draw, text, kind)
    how = f"fixture {index} with " + ", ".join(m.__name__.strip("_") for m in mutations)
    return text.encode("utf-8", "surrogatepass"), how


def token_soup(kind: str) -> st.SearchStrategy[bytes]:
    return st.lists(st.sampled_from(VOCABULARY[kind]), max_size=120).map(lambda parts: "".join(parts).encode())


def inputs(kind: str) -> st.SearchStrategy[Case]:
    names = st.sampled_from(KINDS[kind]["names"])
    made = st.one_of(
        st.binary(max_size=600).map(lambda data: (data, "random bytes")),
        st.text(max_size=300).map(lambda text: (text.encode("utf-8", "surrogatepass"), "random text")),
        token_soup(kind).map(lambda data: (data, "token soup")),
        mutated_fixture(kind),
    )
    return st.builds(lambda name, made: Case(name, *made), names, made)


# ---------------------------------------------------------------------------------------------- properties


def _locations(root: Any) -> Iterator[Location]:
    """Every Location reachable from a model object (policies, problems, comments, findings)."""
    stack, seen = [root], set()
    while stack:
        item = stack.pop()
        if isinstance(item, Location):
            yield item
        elif isinstance(item, (list, tuple, set, frozenset)):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif dataclasses.is_dataclass(item) and id(item) not in seen:
            seen.add(id(item))
            stack.extend(getattr(item, f.name) for f in dataclasses.fields(item))


def _line_count(data: bytes) -> int:
    text = data.decode("utf-16") if data.startswith((b"\xff\xfe", b"\xfe\xff")) and len(data) % 2 == 0 else \
        data.decode("utf-8", "replace")
    return max(len(text.splitlines()), data.count(b"\n") + data.count(b"\r")) + 1


def assert_inside(location: Location, name: str, lines: int) -> None:
    assert location.path == name, location
    assert 1 <= location.line <= lines, location
    assert location.column >= 0, location
    if location.end_line:
        assert location.end_line >= location.line, location


def check_extraction(extraction: Extraction, name: str, data: bytes) -> None:
    assert isinstance(extraction, Extraction)
    for problem in extraction.problems:
        assert "internal error" not in problem.message, problem
    lines = _line_count(data)
    for location in _locations([extraction.policies, extraction.problems, extraction.comments]):
        assert_inside(location, name, lines)
    assert set(extraction.files) <= {name}


def check_result(result: LintResult, name: str, data: bytes) -> None:
    lines = _line_count(data)
    for finding in result.findings:
        assert "internal error" not in finding.message, finding
        assert finding.code.startswith("CORS"), finding
        for location in _locations(finding):
            assert_inside(location, name, lines)


@contextmanager
def _in_empty_folder() -> Iterator[Path]:
    """Includes and imports resolve against the working folder: keep it empty so only the input is read."""
    old = os.getcwd()
    os.chdir(_EMPTY)
    try:
        yield Path(_EMPTY)
    finally:
        os.chdir(old)


def extract_one(kind: str, name: str, data: bytes) -> Extraction:
    with _in_empty_folder() as folder:
        workspace = Workspace([folder], display_base=folder)
        source_file = SourceFile.from_bytes(name, data)
        workspace.register(source_file)
        return SOURCES[kind].extract([source_file], workspace)


ALL_RULES = Config(select=("ALL",))


def lint_one(name: str, data: bytes) -> LintResult | None:
    """Lint `data` as standard input named `name`; None when no source claims it (a usage error)."""
    claimed = any(s.may_claim(name) and s.claims(name, data[:4096]) for s in SOURCES.values())
    with _in_empty_folder():
        if not claimed:
            with pytest.raises(UnknownKind):
                lint([], ALL_RULES, load(), stdin=StdinInput(name, data))
            return None
        return lint([], ALL_RULES, load(), stdin=StdinInput(name, data))


# ---------------------------------------------------------------------------------------------- the runs


@pytest.fixture(scope="module")
def scale(request: pytest.FixtureRequest) -> int:
    from_env = os.environ.get("CORSLINT_FUZZ_EXAMPLES")
    if from_env:
        return max(1, int(from_env))
    return LONG_RUN_FACTOR if "fuzz" in (request.config.getoption("markexpr") or "") else 1


@pytest.fixture(scope="module", autouse=True)
def _report_counts() -> Iterator[None]:
    yield
    if SURVIVED:
        total = sum(SURVIVED.values())
        print("\nfuzz inputs survived: " + ", ".join(f"{k} {v}" for k, v in sorted(SURVIVED.items())) + f" (total {total})")


def run(examples: int, strategy: st.SearchStrategy, body: Callable[..., None]) -> None:
    @settings(PROFILE, max_examples=examples)
    @given(strategy)
    def fuzz(case: Any) -> None:
        body(case)

    fuzz()


# CI examples per source; each example is one input through the source and, separately, through the rules
EXAMPLES = {"nginx": 200, "apache": 200, "javascript": 200, "python": 200, "python-deps": 100, "deploy": 100, "kubernetes": 150, "traefik": 100}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_source_survives_any_input(kind: str, scale: int) -> None:
    def body(case: Case) -> None:
        check_extraction(extract_one(kind, case.name, case.data), case.name, case.data)
        SURVIVED[kind] += 1

    run(EXAMPLES[kind] * scale, inputs(kind), body)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_rules_survive_any_input(kind: str, scale: int) -> None:
    def body(case: Case) -> None:
        result = lint_one(case.name, case.data)
        if result is not None:
            check_result(result, case.name, case.data)
        SURVIVED[f"{kind} (end to end)"] += 1

    run(EXAMPLES[kind] * scale, inputs(kind), body)


def test_every_fixture_feeds_the_fuzzer() -> None:
    assert {kind: len(texts) > 0 for kind, texts in FIXTURES.items()} == dict.fromkeys(KINDS, True)
    assert set(SOURCES) == set(KINDS)


# ---------------------------------------------------------------------------------------------- regressions

LONG = 3_000


def test_regression_apache_deep_sections_are_cut_at_a_depth_not_a_recursion_error() -> None:
    text = "<IfModule mod_headers.c>\n" * LONG + 'Header set Access-Control-Allow-Origin "*"\n' + "</IfModule>\n" * LONG
    extraction = extract_one("apache", ".htaccess", text.encode())
    assert [(p.location.line, p.message) for p in extraction.problems] == [
        (100, "<IfModule>: sections nested deeper than 100 levels; the directives inside are not analysed")
    ]


def test_regression_apache_limit_with_deeply_nested_denial() -> None:
    text = (
        'Header always set Access-Control-Allow-Origin "https://a.example"\nHeader always set Vary Origin\n<Limit OPTIONS>\n'
        + "<IfModule mod_authz_core.c>\n" * 80 + "Require all denied\n" + "</IfModule>\n" * 80 + "</Limit>\n"
    )
    [policy] = extract_one("apache", ".htaccess", text.encode()).policies
    assert (policy.preflight.kind.value, policy.preflight.status, policy.preflight.prov.location.line) == ("not-handled", 403, 3)


def test_regression_javascript_long_or_chain_in_an_origin_callback() -> None:
    text = (
        "const cors = require('cors');\napp.use(cors({ origin: (origin, cb) => { if ("
        + " || ".join(f"origin === 'https://a{i}.example'" for i in range(LONG))
        + ") cb(null, true); else cb(null, false); } }));\n"
    )
    [policy] = extract_one("javascript", "app.js", text.encode()).policies
    assert [rule.value for rule in policy.origins] == [f"https://a{i}.example" for i in range(LONG)]


def test_regression_javascript_long_or_chain_in_manual_headers() -> None:
    text = (
        "const o = req.headers.origin;\nif (" + " || ".join(f"o === 'https://a{i}.example'" for i in range(LONG))
        + ") {\n  res.setHeader('Access-Control-Allow-Origin', o);\n}\n"
    )
    [policy] = extract_one("javascript", "server.js", text.encode()).policies
    assert (len(policy.origins), policy.origins[-1].value) == (LONG, f"https://a{LONG - 1}.example")


def test_regression_javascript_deep_ternaries_end_in_an_unknown_origin() -> None:
    text = "const cors = require('cors');\napp.use(cors({ origin: " + "".join(
        f"c{i} ? 'https://a{i}.example' : " for i in range(100)) + "'https://z.example' }));\n"
    [policy] = extract_one("javascript", "app.js", text.encode()).policies
    assert [rule.value for rule in policy.origins[:47]] == [f"https://a{i}.example" for i in range(47)]
    assert [(rule.kind.value, rule.note) for rule in policy.origins[47:]] == [  # both branches of the 48th
        ("unknown", "the origin value is nested more than 48 levels deep; not read")
    ] * 2


def test_regression_javascript_long_string_concatenation_is_evaluated() -> None:
    text = "res.setHeader('Access-Control-Allow-Origin', " + " + ".join(["'https://a.example'"] * LONG) + ");\n"
    [policy] = extract_one("javascript", "server.js", text.encode()).policies
    assert [rule.value for rule in policy.origins] == ["https://a.example" * LONG]
    [finding] = [f for f in lint_one("server.js", text.encode()).findings if f.code == "CORS108"]
    assert "https://a.examplehttps://a.example" in finding.message and f"… ({17 * LONG} characters)" in finding.message
    assert len(finding.message) < 800


def test_regression_python_deps_version_with_thousands_of_digits() -> None:
    text = "flask-cors==" + "1" * 5_000 + "\nflask-cors==3.0.10\n"
    extraction = extract_one("python-deps", "requirements.txt", text.encode())
    assert (extraction.problems, [p.location.line for p in extraction.policies]) == ([], [2])


def test_regression_numbers_of_thousands_of_digits_are_read_without_int_errors() -> None:
    # int() refuses strings of more than 4,300 digits: an origin's port, a Max-Age, a listen port, a return code
    huge = "9" * 100_000
    for kind, name, text in (
        ("javascript", "app.js", f"const cors = require('cors');\napp.use(cors({{ origin: ['https:{huge}'], maxAge: {huge} }}));\napp.listen({huge});\n"),
        ("nginx", "nginx.conf", f"location / {{ add_header Access-Control-Allow-Origin https://a.example:{huge}; add_header Access-Control-Max-Age {huge}; return {huge}; }}\n"),
    ):
        result = lint_one(name, text.encode())
        assert result is not None
        assert not [f for f in result.findings if "internal error" in f.message], kind
