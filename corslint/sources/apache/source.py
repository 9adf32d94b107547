"""The Apache `Source`: which files are httpd.conf/.htaccess/vhost files, and the extraction that drives the
package's modules (imported lazily)."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import TYPE_CHECKING, ClassVar, Optional

from corslint.errors import describe
from corslint.lazy_regex import lazy
from corslint.model import Extraction, Location, ParseProblem
from corslint.sources.apache.names import apache_named, may_claim
from corslint.sources.base import Source, content_named, probe_view
from corslint.workspace import SourceFile, Workspace

if TYPE_CHECKING:
    from corslint.sources.apache.scopes import Scope
    from corslint.sources.apache.tree import ParsedFile

_APACHE = lazy(
    rb"(?im)^[ \t]*(?:<(?:VirtualHost|IfModule|Directory|DirectoryMatch|Files|FilesMatch|Location|LocationMatch|Limit|LimitExcept|If|IfDefine)\b"
    rb"|Header[ \t]+(?:(?:always|onsuccess)[ \t]+)?(?:set|append|add|unset|merge|edit\*?|echo|setifempty)[ \t]"
    rb"|SetEnvIf(?:NoCase)?[ \t]|RewriteRule[ \t]|RewriteEngine[ \t]|RewriteCond[ \t]|LoadModule[ \t]|ServerName[ \t]"
    rb"|DocumentRoot[ \t]|AllowOverride[ \t])"
)
_NGINX = lazy(rb"(?m)(?:^[ \t]*(?:server|location|http|upstream|map|events)\b[^\n;{]*\{|\badd_header[ \t][^\n]*;)")


class ApacheSource(Source):
    name = "apache"
    produces = frozenset({"apache"})
    example_langs = ("apache",)
    probe_words: ClassVar[tuple[bytes, ...]] = (b"access-control-", b"include")

    def may_claim(self, path: str) -> bool:
        return may_claim(path)

    def claims(self, path: str, head: bytes) -> bool:
        folders, _, name = path.rpartition("/")
        lower = name.lower()
        if lower.endswith("htaccess"):
            return True
        return (apache_named(folders, lower) or content_named(lower)) and self.claims_content(head)

    def claims_content(self, head: bytes) -> bool:
        head = probe_view(head)
        return _APACHE.search(head) is not None and _NGINX.search(head) is None

    def extract(self, files: list[SourceFile], workspace: Workspace) -> Extraction:
        extraction = Extraction()
        try:
            _Extractor(workspace, extraction).run(files, self.worth_parsing)
        except Exception as exc:  # a bug here must not hide the other sources' results
            detail = describe(exc)
            for source_file in files:
                extraction.problems.append(
                    ParseProblem(Location(source_file.path, 1, 1), f"internal error in the apache source: {detail}", self.name)
                )
        return extraction


class _Extractor:
    def __init__(self, workspace: Workspace, extraction: Extraction) -> None:
        from corslint.sources.apache.files import Loader

        self.extraction = extraction
        self.loader = Loader(workspace)

    def run(self, files: list[SourceFile], worth) -> None:
        from corslint.sources.include_files import reachable

        candidates = self.loader.load_candidates(files, worth)
        graph = self.loader.include_graph(candidates)
        included = {target for targets in graph.values() for target in targets}
        analysed: set[str] = set()
        roots: list[ParsedFile] = []
        for parsed in [p for p in candidates if p.path not in included] + candidates:
            if parsed.path not in analysed:
                roots.append(parsed)
                analysed |= reachable(graph, parsed.path)
        self._build(roots)
        self.loader.report(self.extraction, analysed)

    def _build(self, roots: list[ParsedFile]) -> None:
        from corslint.sources.apache.policy import build_policies
        from corslint.sources.apache.scopes import ScopeBuilder, release_scopes

        builder = ScopeBuilder(self.loader)
        htaccess: dict[str, Scope] = {}
        built: list[Scope] = []
        for parsed in sorted(roots, key=lambda p: (len(PurePosixPath(p.path).parts), p.path)):
            try:
                parent = _parent_htaccess(parsed.path, htaccess)
                scope = builder.root(parsed, parent)
                built.append(scope)
                if scope.kind == "htaccess":
                    htaccess[str(PurePosixPath(parsed.path).parent)] = scope
                self.extraction.policies.extend(build_policies(scope))
            except Exception as exc:  # one broken root must not hide the others
                detail = describe(exc)
                self.loader.problem(Location(parsed.path, 1, 1), f"internal error in the apache source: {detail}")
        release_scopes(built)


def _parent_htaccess(path: str, known: dict[str, Scope]) -> Optional[Scope]:
    """The .htaccess of the nearest ancestor folder, whose directives Apache merges before this file's."""
    pure = PurePosixPath(path)
    if not pure.name.lower().endswith("htaccess"):
        return None
    for folder in pure.parents:
        if str(folder) == str(pure.parent):
            continue
        if str(folder) in known:
            return known[str(folder)]
    return None
