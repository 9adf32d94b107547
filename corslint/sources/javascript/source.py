"""JavaScript/TypeScript source: claims .js/.ts files (not bundles or build output) and extracts the CORS policies
of Express `cors`, @fastify/cors, @koa/cors, NestJS, socket.io and hand-written headers.

Syntax errors: tree-sitter recovers with ERROR/MISSING nodes. Any such node means Node would refuse the file,
so CORS001 is reported once per file at the first one (with the count of broken places), and everything that
did parse is still analysed. tree-sitter and the package's other modules are imported only when a file is worth
parsing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from corslint.errors import describe
from corslint.model import CorsPolicy, Extraction, Location, ParseProblem
from corslint.sources.base import Source, decode
from corslint.sources.javascript.names import listens, may_claim
from corslint.workspace import SourceFile, Workspace

if TYPE_CHECKING:
    from corslint.sources.devguard import Guarded

class JavaScriptSource(Source):
    name = "javascript"
    produces = frozenset({"express", "fastify", "koa", "nestjs", "socketio", "apollo", "node", "nestjs-handler"})
    example_langs = ("js", "ts")
    reads_head = False
    # the words after the first two read the request's Origin: origin gates
    probe_words: ClassVar[tuple[bytes, ...]] = (
        b"cors", b"access-control-", b"headers.origin", b"headers['origin']", b'headers["origin"]', b"get('origin')",
        b'get("origin")', b"header('origin')", b'header("origin")',
    )
    comment_prefixes: ClassVar[tuple[str, ...]] = ("//", "/*")

    def may_claim(self, path: str) -> bool:
        return may_claim(path)

    def claims(self, path: str, head: bytes) -> bool:
        return self.may_claim(path)

    def extract(self, files: list[SourceFile], workspace: Workspace) -> Extraction:
        extraction = Extraction()
        linker = None
        for source_file in sorted(files, key=lambda f: f.path):
            try:
                linker = self._one(source_file, extraction, workspace, linker)
            except Exception as exc:  # one file's bug must not hide the others
                detail = describe(exc)
                location = Location(source_file.path, 1, 1)
                extraction.problems.append(ParseProblem(location, f"internal error in the javascript source: {detail}", self.name))
        if linker is not None:
            from corslint.sources.javascript.syntax import comments

            for doc in linker.linked_docs():
                extraction.comments.extend(comments(doc))
        return extraction

    def _one(self, source_file: SourceFile, extraction: Extraction, workspace: Workspace, linker):  # type: ignore[no-untyped-def]
        """Parse and extract one file; the linker that follows its local imports is made on the first parse."""
        try:
            data = source_file.read()
        except OSError as exc:
            location = Location(source_file.path, 1, 1)
            extraction.problems.append(ParseProblem(location, f"cannot read file: {exc.strerror or exc}", self.name))
            return linker
        worth = self.worth_parsing(data)
        if not worth and not listens(data):
            return linker
        text, error = decode(data)
        if error is not None:
            if worth:
                extraction.problems.append(ParseProblem(Location(source_file.path, 1, 1), f"cannot decode file: {error}", self.name))
            return linker
        from corslint.sources.javascript.modules import Linker
        from corslint.sources.javascript.syntax import Bindings, Doc, comments

        if not worth:  # read for its listen port only, and let go: its syntax and comments are not this tool's business
            from corslint.sources.javascript.listeners import listeners

            doc = Doc.parse(source_file.path, text)
            extraction.listeners.extend(listeners(doc, Bindings(doc)))
            return linker
        linker = linker or Linker(workspace, Doc.parse)
        doc, bindings = linker.entry(source_file.path, source_file.abs_path, text)
        if listens(data):
            from corslint.sources.javascript.listeners import listeners

            extraction.listeners.extend(listeners(doc, bindings))
        problem = _syntax_problem(doc)
        if problem is not None:
            extraction.problems.append(problem)
        extraction.files.add(source_file.path)
        extraction.comments.extend(comments(doc))
        extraction.policies.extend(policies(doc, bindings))
        return linker


def policies(doc, bindings=None) -> list[CorsPolicy]:  # type: ignore[no-untyped-def]
    """Every CORS policy one parsed file states: library uses first, then hand-written headers."""
    from corslint.sources.javascript.app import AppScanner
    from corslint.sources.javascript.libraries import build_policy
    from corslint.sources.javascript.manual import ManualHeaders
    from corslint.sources.javascript.syntax import Bindings

    bindings = bindings or Bindings(doc)
    scanner = AppScanner(doc, bindings)
    uses = scanner.uses()
    found = [p for p in (build_policy(doc, bindings, use) for use in uses) if p is not None]
    app_level = [u.anchor for u in uses if u.preflight.kind.value == "library" and u.label in ("express", "koa")]
    found.extend(ManualHeaders(doc, bindings, app_level).policies())
    if b"origin" in doc.data.lower():
        from corslint.sources.javascript.gates import gate_policies

        found.extend(gate_policies(doc, bindings))
    if found:
        from corslint.sources.devguard import mark_development

        docs = [doc] + (doc.linker.linked_docs() if doc.linker is not None else [])
        mark_development(found, {d.path: development_stretches(d) for d in docs})
        _mark_registered_if(doc, found)
    return found


# the policy labels of a CORS library registered by a call (not hand-written headers, not origin gates)
_REGISTERED_LIBRARIES = frozenset({"express", "fastify", "koa", "nestjs", "socketio", "apollo"})


def _mark_registered_if(doc, found: list[CorsPolicy]) -> None:  # type: ignore[no-untyped-def]
    """A CORS library registered inside an `if` (`if (config.cors) app.use(cors())`) runs only when that holds."""
    from corslint.sources.devguard import inside

    libraries = [p for p in found if p.source in _REGISTERED_LIBRARIES and p.location.path == doc.path]
    if not libraries:
        return
    stretches = _branches(doc)
    for policy in libraries:
        condition = inside(policy.location, stretches) if stretches else ""
        if condition and not policy.development:
            policy.registered_if = condition


def _branches(doc) -> list[Guarded]:  # type: ignore[no-untyped-def]
    """Every `if` statement's branches with the condition under which each runs."""
    from corslint.sources.devguard import Guarded

    return [
        Guarded(start, end, doc.raw(condition) if holds else f"!{doc.raw(condition)}")
        for condition, holds, start, end in _conditional_branches(doc, ("if_statement",))
    ]


def development_stretches(doc) -> list[Guarded]:  # type: ignore[no-untyped-def]
    """The branches of `if` statements and `?:` expressions that run only in development (`NODE_ENV !== 'production'`)."""
    from corslint.sources.devguard import Guarded, runs_only_in_development

    return [
        Guarded(start, end, doc.raw(condition))
        for condition, holds, start, end in _conditional_branches(doc, ("if_statement", "ternary_expression"))
        if runs_only_in_development(doc.text(condition), holds)
    ]


def _conditional_branches(doc, types: tuple[str, ...]):  # type: ignore[no-untyped-def]
    """(condition node, whether the branch runs when it holds, start, end) of each branch of the given statements."""
    for node in doc.nodes():
        if node.type not in types:
            continue
        condition = node.child_by_field_name("condition")
        if condition is None:
            continue
        for field, holds in (("consequence", True), ("alternative", False)):
            branch = node.child_by_field_name(field)
            if branch is not None:
                where = doc.location(branch)
                yield condition, holds, (where.line, where.column), (where.end_line, where.end_column)


def _syntax_problem(doc) -> "ParseProblem | None":  # type: ignore[no-untyped-def]
    from corslint.sources.javascript.syntax import syntax_errors

    first, count = syntax_errors(doc)
    if first is None:
        return None
    location = doc.location(first)
    what = f"missing `{first.type}`" if first.is_missing else f"unexpected `{doc.raw(first)[:40]}`"
    language = "TypeScript" if doc.path.lower().endswith(("ts", "tsx")) else "JavaScript"
    more = f" ({count} places could not be parsed)" if count > 1 else ""
    message = (
        f"{language} syntax error at line {location.line}, column {location.column}: {what}{more}; "
        "the rest of the file was still checked, but CORS settings in the broken part may be missed"
    )
    return ParseProblem(Location(doc.path, location.line, location.column), message, "javascript")
