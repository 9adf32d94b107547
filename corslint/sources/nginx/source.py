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
    from corslint.sources.nginx.tree import ParsedFile
    from corslint.sources.nginx.values import VarIndex

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


class _Extractor:
    """Loads the files worth parsing, decides which are roots (included by nothing) and builds their policies."""

    def __init__(self, workspace: Workspace, extraction: Extraction) -> None:
        from corslint.sources.nginx.files import Loader

        self.extraction = extraction
        self.loader = Loader(workspace)

    def run(self, files: list[SourceFile], worth: Callable[[bytes], bool]) -> None:
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
        for parsed, tree, index in self._indexes(roots, graph):
            self._root(parsed, index, tree)
        self.loader.report(self.extraction, analysed)
        self.loader.release()

    def _indexes(
        self, roots: list[tuple[ParsedFile, set[str]]], graph: dict[str, list[str]]
    ) -> list[tuple[ParsedFile, set[str], VarIndex]]:
        """Variables are scoped to one configuration: a root with an `http` block (a whole nginx.conf) sees only the
        `map`/`set` of the files it includes; the other roots (server files and snippets that an nginx.conf outside
        the tree includes) share the variables of every file no whole configuration holds. Files are indexed in the
        order nginx reads them, so of two `map`s of one variable the last read wins, as in nginx."""
        from corslint.sources.include_files import include_order
        from corslint.sources.nginx.values import VarIndex

        parsed_files = self.loader.parsed
        whole = [(parsed, tree) for parsed, tree in roots if any(node.name == "http" for node in parsed.nodes)]
        owned = set().union(*(tree for _, tree in whole)) if whole else set()
        shared = VarIndex(p for path, p in parsed_files.items() if p is not None and path not in owned)
        own = {
            id(parsed): VarIndex(p for path in include_order(graph, parsed.path) if (p := parsed_files.get(path)) is not None)
            for parsed, _ in whole
        }
        return [(parsed, tree, own.get(id(parsed), shared)) for parsed, tree in roots]

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
