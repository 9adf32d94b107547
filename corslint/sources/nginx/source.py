"""The nginx `Source`: which files are nginx configuration, and the extraction that drives the package's modules
(imported lazily, so `corslint --help` does not load them)."""

from __future__ import annotations

import gc
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Callable, ClassVar

from corslint.errors import describe
from corslint.lazy_regex import lazy
from corslint.model import Extraction, Location, ParseProblem
from corslint.sources.base import Source, content_named, probe_view
from corslint.sources.nginx.names import may_claim, nginx_named
from corslint.workspace import SourceFile, Workspace

if TYPE_CHECKING:
    from corslint.sources.nginx.tree import Node, ParsedFile
    from corslint.sources.nginx.values import VarIndex

_MAX_INCLUDE_DEPTH = 32
_MAX_INCLUDE_READS = 10_000
_APACHE = lazy(
    rb"(?im)^[ \t]*(?:<(?:VirtualHost|IfModule|Directory|Files|Location|Limit)\b"
    rb"|Header[ \t]+(?:(?:always|onsuccess)[ \t]+)?(?:set|append|add|unset|merge|edit|echo)\b"
    rb"|SetEnvIf|RewriteRule|RewriteEngine|RewriteCond|LoadModule)"
)
_NGINX_STRONG = lazy(
    rb"(?m)(?:^[ \t]*(?:server|location|http|upstream|map|if|events)\b[^\n;{]*\{"
    rb"|\badd_header[ \t]|\bmore_set_headers[ \t]|\bproxy_pass[ \t]|\bfastcgi_pass[ \t]|^[ \t]*include[ \t]+\S+;)"
)
_NGINX_WEAK = lazy(rb"(?m)(?:;|\{|\})[ \t]*(?:#[^\n]*)?\r?$")
# what only nginx writes: a server/location/upstream block, or a directive nginx alone has, ended by `;`
_NGINX_DEFINITE = lazy(
    rb"(?m)^[ \t]*(?:server|location|upstream|http|events)\b[^\n;{=()]*\{"
    rb"|^[ \t]*(?:add_header|more_set_headers|proxy_pass|fastcgi_pass|server_name|listen|proxy_set_header)[ \t][^\n=(){}]*;"
)


def _in_order(parsed: ParsedFile) -> list[Node]:
    """A file's `map` and `include` directives in the order they are written."""
    return sorted([*parsed.maps, *parsed.includes], key=lambda node: node.pos[0])


class NginxSource(Source):
    name = "nginx"
    example_langs = ("nginx",)
    probe_words: ClassVar[tuple[bytes, ...]] = (b"access-control-", b"http_origin", b"include")

    def may_claim(self, path: str) -> bool:
        return may_claim(path)

    def claims(self, path: str, head: bytes) -> bool:
        if not nginx_named(path):
            return content_named(path.rpartition("/")[2].lower()) and self.claims_content(head)
        head = probe_view(head)
        if _NGINX_STRONG.search(head):
            return True
        if _APACHE.search(head):
            return False
        if _NGINX_WEAK.search(head) is not None:
            return True
        # a file named nginx.conf is claimed even when unreadable, so the problem is reported (CORS001)
        return PurePosixPath(path).name.lower() == "nginx.conf" and b"\x00" in head

    def claims_content(self, head: bytes) -> bool:
        head = probe_view(head)
        return _NGINX_DEFINITE.search(head) is not None and _APACHE.search(head) is None

    def extract(self, files: list[SourceFile], workspace: Workspace) -> Extraction:
        extraction = Extraction()
        collecting = gc.isenabled()
        gc.disable()  # the trees are large and almost free of garbage cycles; collections would double the time
        try:
            _Extractor(workspace, extraction).run(files, self.worth_parsing)
        except Exception as exc:  # a bug here must not hide the other sources' results
            detail = describe(exc)
            for source_file in files:
                location = Location(source_file.path, 1, 1)
                extraction.problems.append(ParseProblem(location, f"internal error in the nginx source: {detail}", self.name))
        finally:
            if collecting:
                gc.enable()
        return extraction


def embedded_policies(path: str, text: str, workspace: Workspace) -> Extraction:
    """The policies of nginx configuration that stands inside another file, laid out at its own lines and columns there
    (an ingress-nginx snippet in its manifest): built as a root, never taken for a fragment nothing loads."""
    extraction = Extraction()
    extractor = _Extractor(workspace, extraction)
    try:
        extractor.run([SourceFile(path, None, text.encode("utf-8"))], lambda data: True, embedded=True)
    except Exception as exc:  # a bug here must not hide the file's other policies
        extraction.problems.append(ParseProblem(Location(path, 1, 1), f"internal error in the nginx source: {describe(exc)}", "nginx"))
    return extraction


class _Extractor:
    """Loads the files worth parsing, decides which are roots (included by nothing) and builds their policies."""

    def __init__(self, workspace: Workspace, extraction: Extraction) -> None:
        from corslint.sources.nginx.files import Loader

        self.extraction = extraction
        self.loader = Loader(workspace)

    def run(self, files: list[SourceFile], worth: Callable[[bytes], bool], embedded: bool = False) -> None:
        from corslint.sources.include_files import reachable

        candidates = self.loader.load_candidates(files, worth)
        graph = self.loader.include_graph(candidates)
        included = {target for targets in graph.values() for target in targets}
        roots: list[tuple[ParsedFile, set[str]]] = []
        analysed: set[str] = set()
        # files included by nothing are roots; then any file only reachable through an include cycle
        for parsed in [p for p in candidates if p.path not in included] + candidates:
            if parsed.path not in analysed:
                tree = reachable(graph, parsed.path)
                roots.append((parsed, tree))
                analysed |= tree
        dead = {} if embedded else self._dead_fragments(roots)
        for parsed, tree, index in self._indexes(roots):
            if parsed.path in dead:
                self.extraction.skipped[parsed.path] = dead[parsed.path]
                continue
            self._root(parsed, index, tree)
        self.loader.report(self.extraction, analysed)
        self.loader.release()

    def _dead_fragments(self, roots: list[tuple[ParsedFile, set[str]]]) -> dict[str, str]:
        """Fragments (no `http` block) that nothing includes although a whole nginx configuration in their folder or
        above it is in the tree and includes only files the tree holds or every distribution ships: that
        configuration never loads them, so what they say is not sent. Each maps to the note that says so."""
        from corslint.sources.nginx.files import is_distribution_file

        whole = [parsed for parsed, _ in roots if any(node.name == "http" for node in parsed.nodes)]
        by_folder: dict[str, list[ParsedFile]] = {}
        for parsed in whole:
            by_folder.setdefault(parsed.path.rpartition("/")[0], []).append(parsed)
        # the one whole configuration of its folder, named as nginx names it, and including nothing the tree lacks
        closed = {
            folder: found[0] for folder, found in by_folder.items()
            if len(found) == 1 and found[0].path.rpartition("/")[2] == "nginx.conf"
            and all(self.loader.targets(node) or (node.args and is_distribution_file(node.args[0])) for node in found[0].includes)
        }
        dead: dict[str, str] = {}
        for parsed, _ in roots:
            if parsed in whole or parsed.problems:
                continue
            owner = None
            folder = parsed.path.rpartition("/")[0]
            while owner is None:
                owner = closed.get(folder)
                if not folder:
                    break
                folder = folder.rpartition("/")[0]
            if owner is not None:
                dead[parsed.path] = (
                    f"nginx snippet that nothing includes, and {owner.path} (the whole nginx configuration here, every "
                    "include of which is in the tree) does not include it: nginx never loads it; not checked"
                )
        return dead

    def _indexes(self, roots: list[tuple[ParsedFile, set[str]]]) -> list[tuple[ParsedFile, set[str], VarIndex]]:
        """Variables are scoped to one configuration: a root with an `http` block (a whole nginx.conf) sees only the
        `map`/`set` of the files it includes; the other roots (server files and snippets that an nginx.conf outside
        the tree includes) share the variables of every file no whole configuration holds. Maps are indexed in the
        order nginx reads them, so of two `map`s of one variable the one read last wins, as in nginx."""
        from corslint.sources.nginx.values import VarIndex

        parsed_files = self.loader.parsed
        whole = [(parsed, tree) for parsed, tree in roots if any(node.name == "http" for node in parsed.nodes)]
        owned = set().union(*(tree for _, tree in whole)) if whole else set()
        rest = [p for path, p in parsed_files.items() if p is not None and path not in owned]
        outer = sorted((parsed for parsed, _ in roots if parsed.path not in owned), key=lambda p: p.path)
        read = self._maps_read(outer)
        reached = {id(node.file) for node in read}
        # files only an include cycle reaches, in parse order, before what is read from the roots
        unreached = [node for p in rest if id(p) not in reached for node in p.maps]
        shared = VarIndex(rest, unreached + read)
        own = {
            id(parsed): VarIndex((p for path in tree if (p := parsed_files.get(path)) is not None), self._maps_read([parsed]))
            for parsed, tree in whole
        }
        return [(parsed, tree, own.get(id(parsed), shared)) for parsed, tree in roots]

    def _maps_read(self, roots: list[ParsedFile]) -> list[Node]:
        """The `map` blocks in the order nginx reads them from these roots: each file's directives in order, an
        included file read where its `include` stands and as often as it is included (nginx 1.22, run). Bounded: an
        include cycle is not followed, nor more than _MAX_INCLUDE_DEPTH levels or _MAX_INCLUDE_READS files."""
        found: list[Node] = []
        reads = 0
        for root in roots:
            # a stack of (the directives left to read in a file, the files open around it); no recursion, so no
            # closure cycle for the collector (the source leaves no cyclic garbage)
            stack = [(iter(_in_order(root)), (root.path,))]
            while stack:
                directives, open_files = stack[-1]
                node = next(directives, None)
                if node is None:
                    stack.pop()
                elif node.name == "map":
                    found.append(node)
                elif len(open_files) < _MAX_INCLUDE_DEPTH:
                    for target in reversed(self.loader.targets(node)):
                        if target.path not in open_files and reads < _MAX_INCLUDE_READS:
                            reads += 1
                            stack.append((iter(_in_order(target)), (*open_files, target.path)))
        return found

    def _root(self, parsed: ParsedFile, index: VarIndex, tree: set[str]) -> None:
        from corslint.sources.nginx.flow import Flow
        from corslint.sources.nginx.levels import build_levels, release_levels
        from corslint.sources.nginx.policy import PolicyBuilder

        levels = []
        try:
            levels = build_levels(parsed, self.loader)
            fragment = not any(level.kind in ("http", "server") for level in levels)
            self.extraction.policies.extend(PolicyBuilder(Flow(index, self.loader, tree, fragment)).build(levels))
        except Exception as exc:  # one broken root must not hide the others
            detail = describe(exc)
            self.loader.problem(Location(parsed.path, 1, 1), f"internal error in the nginx source: {detail}")
        finally:
            release_levels(levels)
