"""Python dependency files (requirements*.txt, pyproject.toml, Pipfile, setup.cfg): flask-cors pinned or capped
below the releases that fixed its published CVEs (cors-semantics §2.3) becomes a CORS504 wiring fact."""

from __future__ import annotations

import re
from typing import ClassVar, Iterator, Optional

from corslint.lazy_regex import lazy
from corslint.model import VULNERABLE_VERSION
from corslint.model import Comment, CorsPolicy, Extraction, Location, ParseProblem, Provenance, WiringFact
from corslint.sources.base import Source, decode
from corslint.sources.python.names import may_claim_dependencies
from corslint.workspace import SourceFile, Workspace

SOURCE = "python-deps"
# (advisory, what it is, first fixed release)
ADVISORIES = (
    ("CVE-2024-1681", "log injection through the request path", (4, 0, 1)),
    ("CVE-2024-6221", "Access-Control-Allow-Private-Network: true by default", (5, 0, 0)),
    ("CVE-2024-6866", "case-insensitive resource path matching", (6, 0, 0)),
    ("CVE-2024-6839", "resource patterns ordered by length, not specificity", (6, 0, 0)),
    ("CVE-2024-6844", "`+` in the path decoded as a space", (6, 0, 0)),
)
_NAME_RE = lazy(r"(?i)(?<![\w.-])flask[-_.]cors(?![\w-])")
_SPEC_RE = lazy(r"(===|==|~=|<=|<|\^|~)?\s*v?([0-9]{1,12}(?:\.[0-9]{1,12}){0,2})(\.\*)?")  # longer numbers are no release


def _version(text: str) -> tuple[int, ...]:
    parts = [int(p) for p in text.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


def upper_bound(spec: str, bare_is_exact: bool) -> Optional[tuple[tuple[int, ...], bool]]:
    """The highest version a specifier allows, as (version, inclusive); None when it sets no upper bound."""
    best: Optional[tuple[tuple[int, ...], bool]] = None
    for part in re.split(r"[,|]", spec):
        match = _SPEC_RE.fullmatch(part.strip())
        if match is None:
            continue
        op, text, star = match.group(1) or "", match.group(2), match.group(3)
        numbers = [int(p) for p in text.split(".")]
        bound: Optional[tuple[tuple[int, ...], bool]] = None
        if op in ("==", "===") and star:
            bound = (_version(".".join(map(str, numbers[:-1] + [numbers[-1] + 1]))), False)
        elif op in ("==", "===") or (op == "" and bare_is_exact):
            bound = (_version(text), True)
        elif op == "<=":
            bound = (_version(text), True)
        elif op == "<":
            bound = (_version(text), False)
        elif op in ("~=", "~", "^"):
            bound = _compatible(op, numbers)
        if bound is not None and (best is None or bound[0] < best[0]):
            best = bound
    return best


def _compatible(op: str, numbers: list[int]) -> tuple[tuple[int, ...], bool]:
    if op == "^":
        index = next((i for i, n in enumerate(numbers) if n != 0), len(numbers) - 1)
    elif op == "~":
        index = min(1, len(numbers) - 1) if len(numbers) > 1 else 0
    else:
        index = max(0, len(numbers) - 2)
    bumped = numbers[:index] + [numbers[index] + 1]
    return _version(".".join(map(str, bumped[:3]))), False


# the first release each advisory concerns, where it is not the first release of all (cors-semantics, checked section)
INTRODUCED = {"CVE-2024-6221": (4, 0, 0)}  # flask-cors 3.x has no Private Network Access code


def advisories_for(bound: tuple[tuple[int, ...], bool]) -> list[tuple[str, str, tuple[int, ...]]]:
    """The advisories some version the specifier allows is affected by: below the fix, and not below the release
    that brought the flaw in."""
    version, inclusive = bound
    found = []
    for advisory in ADVISORIES:
        below_fix = version < advisory[2] if inclusive else version <= advisory[2]
        introduced = INTRODUCED.get(advisory[0], (0, 0, 0))
        reaches_flaw = version >= introduced if inclusive else version > introduced
        if below_fix and reaches_flaw:
            found.append(advisory)
    return found


class PythonDepsSource(Source):
    name = SOURCE
    produces = frozenset({"flask"})
    example_langs = ("python",)
    reads_head = False
    probe_words: ClassVar[tuple[bytes, ...]] = (b"flask-cors", b"flask_cors", b"flask.cors")

    def may_claim(self, path: str) -> bool:
        return may_claim_dependencies(path)

    def claims(self, path: str, head: bytes) -> bool:
        return self.may_claim(path)

    def extract(self, files: list[SourceFile], workspace: Workspace) -> Extraction:
        extraction = Extraction()
        for source_file in files:
            try:
                data = source_file.read()
            except OSError as exc:
                extraction.problems.append(ParseProblem(Location(source_file.path, 1, 1), f"cannot read file: {exc.strerror or exc}", SOURCE))
                continue
            if not self.worth_parsing(data):
                continue
            text, error = decode(data)
            if error is not None:
                extraction.problems.append(ParseProblem(Location(source_file.path, 1, 1), error, SOURCE))
                continue
            extraction.files.add(source_file.path)
            extraction.policies.extend(_policies(source_file.path, text))
            extraction.comments.extend(_comments(source_file.path, text))
        return extraction


def _policies(path: str, text: str) -> Iterator[CorsPolicy]:
    toml_like = path.lower().endswith(("pyproject.toml", "pipfile"))
    for number, line in enumerate(text.splitlines(), start=1):
        code = line.split("#", 1)[0] if not toml_like else line
        match = _NAME_RE.search(code)
        if match is None:
            continue
        rest = code[match.end():]
        rest = re.sub(r"^\s*\[[^\]]*\]", "", rest)
        assigned = re.match(r"\s*=\s*(?:\{[^}]*?version\s*=\s*)?[\"']([^\"']*)[\"']", rest) if toml_like else None
        spec = assigned.group(1) if assigned else re.split(r"[;\"'#]", rest, maxsplit=1)[0]
        bound = upper_bound(spec.strip(), bare_is_exact=assigned is not None)
        if bound is None:
            continue
        found = advisories_for(bound)
        if found:
            yield _policy(path, number, match.start() + 1, line, spec.strip(), found)


def _policy(path: str, line: int, column: int, text: str, spec: str, found: list[tuple[str, str, tuple[int, ...]]]) -> CorsPolicy:
    location = Location(path, line, column)
    prov = Provenance(location, text.strip(), f"dependencies {path}")
    detail = ", ".join(f"{cve} ({what}, fixed in {'.'.join(map(str, fixed))})" for cve, what, fixed in found)
    fixed = ".".join(map(str, max(f[2] for f in found)))
    fact = WiringFact(VULNERABLE_VERSION, prov, detail, f"flask-cors{spec}", fixed)
    return CorsPolicy(source="flask", scope=f"dependencies {path}", location=location, wiring=[fact])


def _comments(path: str, text: str) -> Iterator[Comment]:
    for number, line in enumerate(text.splitlines(), start=1):
        position = line.find("#")
        if position == -1:
            continue
        own_line = not line[:position].strip()
        target = number + 1 if own_line else number
        yield Comment(path, number, position + 1, line[position + 1:].strip(), own_line, (target, target), SOURCE)
