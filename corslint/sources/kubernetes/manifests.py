"""One manifest file read: its YAML documents one at a time (Helm template tags made unknown first), each object handed
to the module of its kind, a Helm values file searched for ingress annotations and snippets, and its comments kept
for suppressions."""

from __future__ import annotations

from typing import Callable, Iterator, Optional

from corslint.lazy_regex import lazy
from corslint.model import CorsPolicy, Extraction, Location, ParseProblem, Provenance
from corslint.sources import yaml_nodes as Y
from corslint.sources.base import decode
from corslint.sources.hash_comments import hash_comments
from corslint.sources.kubernetes import ingress
from corslint.sources.kubernetes.ingress import PREFIX, Annotation
from corslint.sources.kubernetes.names import helm_values
from corslint.sources.kubernetes.snippets import Snippet, snippet_policies
from corslint.sources.templates import has_templates, neutralise_templates
from corslint.workspace import SourceFile, Workspace

SOURCE = "kubernetes"
MAX_DOCUMENTS = 100_000
# nodes a Helm values document is searched through (aliases are visited once: a shared node is one node)
MAX_VALUE_NODES = 200_000
# how many times a template that is not YAML is cut shorter, to read what comes before its template logic
_RETRIES = 8
_SNIPPET_KEYS = {
    "server-snippet": "server", "serversnippet": "server",
    "configuration-snippet": "location", "configurationsnippet": "location",
}
_NGINX_CORS_WORDS = ("access-control-", "http_origin", "vary")
# a snippet line that sends `Vary: Origin` (headers-more or add_header)
_VARY_ORIGIN = lazy(r"(?im)^[ \t]*(?:more_set_headers[ \t]+['\"]?Vary:|add_header[ \t]+['\"]?Vary['\"]?[ \t])[^;\n]*\borigin\b")
_VALUES_ASSUMPTION = "these Helm values become the annotations of an Ingress the chart renders"


class ManifestFile:
    """Reads one file into the extraction: policies, the CORS001 problem where it stops being YAML, its comments."""

    def __init__(self, source_file: SourceFile, workspace: Workspace, extraction: Extraction) -> None:
        self.path = source_file.path
        self.source_file = source_file
        self.workspace = workspace
        self.extraction = extraction
        self.lines: list[str] = []
        self.raw_lines: list[str] = []  # the text as written, when template tags were neutralised

    def read(self, worth: Callable[[bytes], bool]) -> None:
        try:
            data = self.source_file.read()
        except OSError as exc:
            self.extraction.skipped[self.path] = f"cannot read file: {exc.strerror or exc}"
            return
        if not worth(data) and b"\x00" not in data[:8192]:
            return
        text, error = decode(data)
        if error is not None:
            self.extraction.problems.append(ParseProblem(Location(self.path, 1, 1), error, SOURCE))
            return
        templated = has_templates(text)
        self.raw_lines = text.splitlines() if templated else []
        if templated:
            text = neutralise_templates(text)
        self.lines = text.splitlines()
        values = helm_values(self.path)
        read = 0
        try:
            for document in Y.documents(text):
                if read >= MAX_DOCUMENTS:
                    self.extraction.skipped[self.path] = f"more than {MAX_DOCUMENTS} YAML documents; the rest not checked"
                    break
                read += 1
                self._document(document, values)
        except Y.YamlProblem as problem:
            if templated:
                self._before(text, problem.line, read, values)
                self.extraction.skipped[self.path] = (
                    f"Helm template that is YAML only once rendered (line {problem.line}: {problem.problem}); corslint "
                    "never renders templates, so what follows that line is not checked"
                )
            else:
                where = Location(self.path, problem.line, problem.column)
                self.extraction.problems.append(ParseProblem(where, f"YAML syntax error: {problem.problem}", SOURCE))
        self.extraction.files.add(self.path)
        self.extraction.comments.extend(hash_comments(self.path, self.lines, SOURCE))

    def _before(self, text: str, line: int, read: int, values: bool) -> None:
        """The documents of a template up to the line where it stops being YAML, but for the `read` ones already read:
        what a template writes before its first block of template logic is most often YAML on its own. A cut that is
        still no YAML is moved up, a few times."""
        lines = text.splitlines(keepends=True)
        cut = line - 1
        for _ in range(_RETRIES):
            if cut <= 0:
                return
            found: list[object] = []
            try:
                for index, document in enumerate(Y.documents("".join(lines[:cut]))):
                    if index >= MAX_DOCUMENTS:
                        break
                    found.append(document)
            except Y.YamlProblem as problem:
                cut = min(problem.line, cut) - 1
                continue
            for document in found[read:]:
                self._document(document, values)
            return

    def _document(self, document: object, values: bool) -> None:
        kind, api = _kind_and_api(document)
        if kind is None or api is None:
            if values:
                self._values(document)
            return
        for obj, obj_kind, obj_api in _objects(document, kind, api):
            self._object(obj, obj_kind, obj_api)

    def _object(self, obj: object, kind: str, api: str) -> None:
        name = Y.scalar(Y.child(obj, "metadata", "name")) or "(unnamed)"
        namespace = Y.scalar(Y.child(obj, "metadata", "namespace"))
        label = f"{kind} {namespace + '/' if namespace else ''}{name}"
        annotations_node = Y.child(obj, "metadata", "annotations")
        annotations = self._annotations(annotations_node, f"{label} annotations")
        if kind == "Ingress":
            paths = _ingress_paths(obj)
            self._ingress(annotations, label, Y.location(self.path, obj), paths, "", complete=self._untemplated(annotations_node))
            return
        if annotations and ingress.cors_annotations(annotations):
            self._ignored_annotations(annotations, label, kind)
        spec = Y.child(obj, "spec")
        if kind == "VirtualService" and api.startswith("networking.istio.io/"):
            from corslint.sources.kubernetes.istio import route_policies

            self.extraction.policies.extend(route_policies(spec, label, self._where(f"{label} corsPolicy")))
        elif kind == "Middleware" and api.startswith(("traefik.io/", "traefik.containo.us/")):
            from corslint.sources.traefik.middleware import middleware_policy

            policy = middleware_policy(Y.child(spec, "headers"), label, self._where(f"{label} headers"))
            if policy is not None:
                self.extraction.policies.append(policy)

    def _untemplated(self, node: Optional[object]) -> bool:
        """Is the node written out, no template tag among its lines (so a template cannot add to it)?"""
        if node is None or not self.raw_lines:
            return True
        start, end = node.start_mark.line, node.end_mark.line  # type: ignore[attr-defined]
        return not any("{{" in line or "{%" in line for line in self.raw_lines[max(start - 1, 0):end + 1])

    def _where(self, context: str):
        return lambda node: Y.prov(self.path, node, self._line(node), context)

    def _ingress(
        self, annotations: dict[str, Annotation], scope: str, anchor: Location, paths: tuple[str, ...], assumption: str,
        complete: bool = False,
    ) -> None:
        policy = ingress.ingress_policy(annotations, scope, anchor, paths, assumption, complete)
        snippets = [
            self._snippet(a, "server" if a.name == "server-snippet" else "location")
            for a in annotations.values() if a.name in ingress.SNIPPETS and _nginx_cors(a.value)
        ]
        self._snippets(snippets, paths, scope)
        if policy is not None:
            self.extraction.policies.append(self._with_snippet_vary(policy, snippets))

    def _snippets(self, snippets: list[Snippet], paths: tuple[str, ...], scope: str) -> None:
        if snippets:
            found = snippet_policies(self.path, snippets, paths[0] if paths else "/", scope, self.workspace)
            self.extraction.policies.extend(found.policies)
            self.extraction.problems.extend(found.problems)

    def _ignored_annotations(self, annotations: dict[str, Annotation], label: str, kind: str) -> None:
        from corslint.model import NOT_INSTALLED, Related, WiringFact

        written = [a for a in annotations.values() if a.name in ingress.OPTIONS]
        if not written:
            return
        names = ", ".join(f"`{a.name}`" for a in written)
        detail = (
            f"ingress-nginx reads annotations on Ingress objects only, so on this {kind} the annotations {names} do "
            "nothing and no CORS header comes from them"
        )
        prov = written[0].key_prov.with_related(*(Related(a.key_prov.location, "ignored as well") for a in written[1:]))
        fact = WiringFact(NOT_INSTALLED, prov, detail, "an Ingress", "Move them to the Ingress that routes to it")
        self.extraction.policies.append(CorsPolicy(ingress.SOURCE, label, prov.location, wiring=[fact]))

    def _annotations(self, node: Optional[object], context: str) -> dict[str, Annotation]:
        found: dict[str, Annotation] = {}
        for key, (key_node, value_node) in Y.mapping(node).items():
            if not key.startswith(PREFIX):
                continue
            value = Y.scalar(value_node)
            if value is None:
                continue
            raw = self._line(key_node)
            found[key[len(PREFIX):]] = Annotation(
                key[len(PREFIX):], value, Y.prov(self.path, key_node, raw, context), Y.prov(self.path, value_node, raw, context),
                value_node,
            )
        return found

    def _snippet(self, annotation: Annotation, kind: str) -> Snippet:
        node = annotation.value_node
        return self._snippet_at(node, annotation.key_prov.location.line, kind, annotation.value)

    def _snippet_at(self, node: object, key_line: int, kind: str, text: str) -> Snippet:
        start = node.start_mark  # type: ignore[attr-defined]
        end = node.end_mark  # type: ignore[attr-defined]
        block = getattr(node, "style", None) in ("|", ">")
        raw: tuple[str, ...] = ()
        if block:
            last = end.line if end.column == 0 else end.line + 1
            raw = tuple(self.lines[start.line + 1:last])
            return Snippet(kind, key_line, start.line + 2, 1, text, True, raw)
        return Snippet(kind, key_line, start.line + 1, start.column + 2 if Y.quoted(node) else start.column + 1, text, False, raw)

    def _with_snippet_vary(self, policy: CorsPolicy, snippets: list[Snippet]) -> CorsPolicy:
        """The annotations' policy with the `Vary: Origin` a snippet of the same location sends (the controller never
        does)."""
        from corslint.model import Setting
        from corslint.records import replace

        for snippet in snippets:
            match = _VARY_ORIGIN.search(snippet.text)
            if match is not None:
                line = snippet.line + snippet.text.count("\n", 0, match.start())
                raw = self.lines[line - 1].strip() if line <= len(self.lines) else match.group()
                where = Location(self.path, line, 1)
                return replace(policy, vary_origin=Setting.known(True, Provenance(where, raw, policy.scope)))
        return policy

    def _values(self, document: object) -> None:
        """A Helm values document: every mapping holding ingress-nginx CORS annotations, every snippet value."""
        for path, node in _mappings(document):
            label = f"Helm values {'.'.join(path) or '(top level)'}"
            annotations = self._annotations(node, label)
            if annotations and (ingress.cors_annotations(annotations) or any(n in annotations for n in ingress.SNIPPETS)):
                self._ingress(annotations, label, Y.location(self.path, node), (), _VALUES_ASSUMPTION)
            snippets = []
            for key, (key_node, value_node) in Y.mapping(node).items():
                kind = _SNIPPET_KEYS.get(key.lower())
                text = Y.scalar(value_node)
                if kind and text and _nginx_cors(text):
                    snippets.append(self._snippet_at(value_node, key_node.start_mark.line + 1, kind, text))  # type: ignore[attr-defined]
            self._snippets(snippets, (), label)

    def _line(self, node: object) -> str:
        line = node.start_mark.line  # type: ignore[attr-defined]
        return self.lines[line].strip() if line < len(self.lines) else ""


def _kind_and_api(node: object) -> tuple[Optional[str], Optional[str]]:
    return Y.scalar(Y.child(node, "kind")), Y.scalar(Y.child(node, "apiVersion"))


def _objects(document: object, kind: str, api: str) -> Iterator[tuple[object, str, str]]:
    """The object, or each object of a `kind: List`."""
    if kind != "List" and not kind.endswith("List"):
        yield document, kind, api
        return
    for item in Y.items(Y.child(document, "items")):
        item_kind, item_api = _kind_and_api(item)
        if item_kind and item_api:
            yield item, item_kind, item_api


def _ingress_paths(obj: object) -> tuple[str, ...]:
    paths: list[str] = []
    for rule in Y.items(Y.child(obj, "spec", "rules")):
        for entry in Y.items(Y.child(rule, "http", "paths")):
            path = Y.scalar(Y.child(entry, "path"))
            if path and path not in paths:
                paths.append(path)
    return tuple(paths)


def _mappings(document: object) -> Iterator[tuple[tuple[str, ...], object]]:
    """Every mapping of a document with its key path, each node once, at most MAX_VALUE_NODES of them."""
    import yaml

    seen: set[int] = set()
    stack: list[tuple[tuple[str, ...], object]] = [((), document)]
    while stack and len(seen) < MAX_VALUE_NODES:
        path, node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            yield path, node
            for key, value in reversed(node.value):
                if not isinstance(value, yaml.ScalarNode):
                    stack.append(((*path, str(getattr(key, "value", "?"))), value))
        elif isinstance(node, yaml.SequenceNode):
            for index, value in reversed(list(enumerate(node.value))):
                if not isinstance(value, yaml.ScalarNode):
                    stack.append(((*path, f"[{index}]"), value))


def _nginx_cors(text: str) -> bool:
    low = text.lower()
    return any(word in low for word in _NGINX_CORS_WORDS)
