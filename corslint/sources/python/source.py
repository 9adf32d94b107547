"""The Python `Source`: which `.py` files hold CORS settings, parsed with `ast` only (linted code is never imported or
run); the framework modules are imported lazily so `corslint --help` does not load them."""

from __future__ import annotations

from typing import ClassVar

from corslint.errors import describe
from corslint.model import Extraction, Location, ParseProblem
from corslint.sources.base import Source
from corslint.sources.python.names import may_claim_code
from corslint.workspace import SourceFile, Workspace

SOURCE = "python"
# the policy labels of a CORS library registered by a call in the code (not Django settings, not hand-written headers)
_REGISTERED_LIBRARIES = frozenset({"flask", "fastapi", "starlette"})


class PythonSource(Source):
    name = "python"
    produces = frozenset({"flask", "django", "fastapi", "starlette", "flask-handler", "django-view"})
    example_langs = ("python",)
    reads_head = False
    # the words after the first two read the request's Origin: origin gates
    probe_words: ClassVar[tuple[bytes, ...]] = (
        b"cors", b"access-control-", b"http_origin", b'get("origin"', b"get('origin'", b'["origin"]', b"['origin']",
        b"request.origin",
    )

    def may_claim(self, path: str) -> bool:
        return may_claim_code(path)

    def claims(self, path: str, head: bytes) -> bool:
        return self.may_claim(path)

    def extract(self, files: list[SourceFile], workspace: Workspace) -> Extraction:
        extraction = Extraction()
        try:
            _Extractor(workspace, extraction).run(files, self.worth_parsing)
        except Exception as exc:  # a bug here must not hide the other sources' results
            detail = describe(exc)
            for source_file in files:
                extraction.problems.append(
                    ParseProblem(Location(source_file.path, 1, 1), f"internal error in the python source: {detail}", SOURCE)
                )
        return extraction


class _Extractor:
    def __init__(self, workspace: Workspace, extraction: Extraction) -> None:
        from corslint.sources.python.values import ModuleLoader

        self.extraction = extraction
        self.loader = ModuleLoader(workspace)

    def run(self, files: list[SourceFile], worth) -> None:  # type: ignore[no-untyped-def]
        from corslint.sources.python.module import PyModule, parse_module
        from corslint.sources.python.names import starts_server

        roots: list[PyModule] = []
        for source_file in sorted(files, key=lambda f: f.path):
            try:
                data = source_file.read()
            except OSError as exc:
                self.extraction.problems.append(
                    ParseProblem(Location(source_file.path, 1, 1), f"cannot read file: {exc.strerror or exc}", SOURCE)
                )
                continue
            worth_it = worth(data)
            server = starts_server(data)
            if not worth_it and not server:
                continue
            parsed = parse_module(source_file.path, data, source_file.abs_path)
            if isinstance(parsed, ParseProblem):
                if worth_it:
                    self.extraction.problems.append(parsed)
                    self.extraction.files.add(source_file.path)
                continue
            if server:
                from corslint.sources.python.listeners import listeners

                self.extraction.listeners.extend(listeners(parsed))
            if not worth_it:  # read for its listen port only
                continue
            self.loader.add(parsed)
            roots.append(parsed)
        self._policies(roots)
        self._development()
        self._collect()

    def _development(self) -> None:
        """Origins written under `if DEBUG:` and the like are development-only; so is a module run with debug on."""
        from corslint.sources.devguard import mark_development
        from corslint.sources.python.development import debug_entry_point, development_stretches

        paths = {rule.prov.location.path for p in self.extraction.policies for rule in p.origins}
        modules = {mod.path: mod for mod in self.loader.modules.values() if mod.path in paths}
        mark_development(self.extraction.policies, {path: development_stretches(mod) for path, mod in modules.items()})
        entry = {mod.path for mod in self.loader.modules.values() if debug_entry_point(mod)}
        for policy in self.extraction.policies:
            if policy.location.path in entry:
                policy.development = True
        self._registered_if()

    def _registered_if(self) -> None:
        """A CORS library registered inside an `if` (`if app.config.get("USE_CORS"): CORS(app)`) runs only when that holds."""
        from corslint.sources.devguard import inside
        from corslint.sources.python.development import branches

        libraries = [p for p in self.extraction.policies if p.source in _REGISTERED_LIBRARIES]
        modules = {mod.path: mod for mod in self.loader.modules.values()}
        cache: dict[str, list] = {}
        for policy in libraries:
            mod = modules.get(policy.location.path)
            if mod is None:
                continue
            stretches = cache.get(mod.path)
            if stretches is None:
                stretches = cache[mod.path] = branches(mod)
            condition = inside(policy.location, stretches) if stretches else ""
            if condition and not policy.development:
                policy.registered_if = condition

    def _policies(self, roots: list) -> None:  # type: ignore[type-arg]
        from corslint.sources.python.flask import AppConfig, collect_app_config

        envs = [self.loader.env(mod) for mod in roots]
        star_imported = self._star_imported_by(envs)
        own = {env.mod.path: collect_app_config(env.mod, env, self.loader) for env in envs}
        shared = AppConfig([event for config in own.values() for event in config.anywhere().events])
        for env in envs:
            mine = own[env.mod.path]
            # a module that configures its app itself is read alone; otherwise the app may be configured anywhere
            app_config = mine if mine.events else shared
            try:
                self._module(env, app_config, leaf=env.mod.path not in star_imported)
            except Exception as exc:  # one broken module must not hide the others
                detail = describe(exc)
                self.extraction.problems.append(
                    ParseProblem(Location(env.mod.path, 1, 1), f"internal error in the python source: {detail}", SOURCE)
                )

    def _star_imported_by(self, envs: list) -> set[str]:  # type: ignore[type-arg]
        """Modules that the analysed modules pull in with `from x import *`, directly or through each other; a
        package `__init__` loaded only to resolve a relative import (and not itself analysed) does not count."""
        found: set[str] = set()
        queue = [imported for env in envs for imported in env.star_imports]
        while queue:
            mod = queue.pop()
            if mod.path in found:
                continue
            found.add(mod.path)
            queue.extend(self.loader.env(mod).star_imports)
        return found

    def _module(self, env, app_config, *, leaf: bool) -> None:  # type: ignore[no-untyped-def]
        from corslint.sources.python.django import extract_django
        from corslint.sources.python.flask import extract_flask
        from corslint.sources.python.manual import extract_manual
        from corslint.sources.python.starlette import extract_starlette

        policies = self.extraction.policies
        text = env.mod.text
        if "CORS(" in text or "cross_origin" in text or "flask_cors" in text:
            policies.extend(extract_flask(env.mod, env, app_config))
        if "CORSMiddleware" in text:
            policies.extend(extract_starlette(env.mod, env))
        if leaf:
            from corslint.sources.python.pins import fork_pin

            django = extract_django(env, lambda: fork_pin(self.loader.workspace, env.mod.abs_path))
            if django is not None:
                policies.append(django)
        if "ccess-" in text or "ACCESS-" in text.upper():
            policies.extend(extract_manual(env.mod, env))
        if "rigin" in text and ("startswith" in text or "endswith" in text or "re." in text or " in " in text or "==" in text):
            from corslint.sources.python.gates import extract_gates

            policies.extend(extract_gates(env.mod, env))

    def _collect(self) -> None:
        from corslint.sources.python.module import module_comments

        for mod in self.loader.modules.values():
            self.extraction.files.add(mod.path)
            self.extraction.comments.extend(module_comments(mod))
