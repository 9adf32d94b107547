"""Links a proxy scope's upstream to the application in the tree that answers it, each step a fact with where it
was read. A link is made only when one application fits: an address naming a docker-compose service built from a
tree folder, or a loopback port one application in the tree listens on. Otherwise the upstream stays unknown and
the reason is kept for `corslint show`."""

from __future__ import annotations

import posixpath
import re
from typing import Iterable, Iterator, Optional, Sequence

from corslint.layers.targets import Address, address, written_target
from corslint.lazy_regex import lazy
from corslint.model import CorsPolicy, Listener, PreflightKind, Provenance, Related, Service, WiringFact
from corslint.records import field, record

PROXY_SOURCES = frozenset({"nginx", "apache"})
# `${NAME}` or `$NAME` in a template an entrypoint renders with envsubst
_PLACEHOLDER = lazy(r"\$\{(\w+)\}|\$(\w+)")
# the `CorsPolicy.source` labels of each application family
_FAMILIES = {
    "javascript": frozenset({"express", "fastify", "koa", "nestjs", "socketio", "apollo", "node", "nestjs-handler"}),
    "python": frozenset({"flask", "django", "fastapi", "starlette", "flask-handler", "django-view"}),
}
_PYTHON_SERVERS = frozenset({"uvicorn", "gunicorn", "hypercorn", "daphne", "granian", "fastapi", "flask", "runserver", "waitress-serve", "uwsgi"})


def family_of(label: str) -> str:
    return next((family for family, labels in _FAMILIES.items() if label in labels), "")


@record
class RequestPath:
    """Browser -> `proxy` scope -> the application in `folder`. `apps` are the application's CORS scopes (empty when
    it sets none); `steps` say why the link was made; `assumed` what had to be assumed (a port fallback)."""

    proxy: CorsPolicy
    upstream: WiringFact
    folder: str
    service: str  # how the application is named: `compose service api`, `port 3000`
    apps: list[CorsPolicy] = field(default_factory=list)
    steps: tuple[Related, ...] = ()
    assumed: str = ""


@record(frozen=True)
class Unlinked:
    """A proxy upstream that names something in the tree's deployment but links to no single application, and why."""

    proxy: CorsPolicy
    upstream: WiringFact
    reason: str


@record
class Layers:
    paths: list[RequestPath] = field(default_factory=list)
    unlinked: list[Unlinked] = field(default_factory=list)

    def of(self, policy: CorsPolicy) -> list[RequestPath]:
        """The paths `policy` is on, as the proxy or as one of the application's scopes."""
        return [path for path in self.paths if path.proxy is policy or any(app is policy for app in path.apps)]

    def involved(self) -> set[int]:
        found = {id(path.proxy) for path in self.paths}
        found.update(id(app) for path in self.paths for app in path.apps)
        return found


def link(
    policies: Sequence[CorsPolicy], services: Sequence[Service], listeners: Sequence[Listener], roots: Iterable[str] = (),
    refused: Iterable[str] = (),
) -> Layers:
    """`roots` are the folders that hold a project manifest: a loopback address is looked for within the proxy's project.
    `refused` are the files the server itself would refuse to load (CORS001): a proxy there hands nothing on."""
    linker = _Linker(policies, services, listeners, roots)
    refused_files = set(refused)
    layers = Layers()
    for policy in policies:
        if policy.source not in PROXY_SOURCES:
            continue
        for fact in policy.wiring:
            if fact.kind != "upstream":
                continue
            if fact.prov.location.path in refused_files or policy.location.path in refused_files:
                reason = f"{policy.source} refuses to load this configuration (CORS001), so it hands no request on"
                layers.unlinked.append(Unlinked(policy, fact, reason))
                continue
            outcome = linker.resolve(fact, policy.location.path)
            if isinstance(outcome, str):
                if outcome:
                    layers.unlinked.append(Unlinked(policy, fact, outcome))
                continue
            folder, service, steps, assumed, family = outcome
            apps = linker.apps_in(folder, family)
            layers.paths.append(RequestPath(policy, fact, folder, service, apps, steps, assumed))
    return layers


_Outcome = "tuple[str, str, tuple[Related, ...], str, str] | str"


class _Linker:
    def __init__(
        self, policies: Sequence[CorsPolicy], services: Sequence[Service], listeners: Sequence[Listener], roots: Iterable[str],
    ) -> None:
        self.roots = set(roots)
        # the applications' CORS scopes (a dependency pin of a CORS library is no scope of the running application)
        self.apps = [p for p in policies if family_of(p.source) and (p.has_cors or p.preflight.kind is PreflightKind.LIBRARY)]
        self.services = [s for s in services if s.kind == "compose"]
        self.scripts = [s for s in services if s.kind == "wsgi"]
        self.dockerfiles = {s.prov.location.path: s for s in services if s.kind == "dockerfile"}
        self.listeners = list(listeners) + _procfile_listeners(services)
        self._cache: dict[str, object] = {}

    def resolve(self, fact: WiringFact, proxy_file: str) -> _Outcome:
        """(folder, service label, steps, assumed, application family) of the one application behind `fact`, or why
        there is none ("" when the address names nothing in the tree's deployment: an ordinary unknown upstream)."""
        if fact.detail.lower().startswith("wsgiscriptalias"):
            return self._script(fact.subject)
        texts = list(fact.servers) or [written_target(fact)]
        outcomes = []
        rendered: list[Related] = []
        assumed = ""
        for text in texts:
            if "$" in text:
                substituted = self._render(text, proxy_file)
                if substituted is None:
                    return ""
                text, notes, assumed = substituted
                rendered.extend(notes)
            target = address(text)
            if target is None:
                return ""
            outcomes.append(self._address(target, proxy_file))
        if any(isinstance(o, str) for o in outcomes):
            return next(o for o in outcomes if isinstance(o, str) and o) if any(isinstance(o, str) and o for o in outcomes) else ""
        folders = {o[0] for o in outcomes}  # type: ignore[index]
        if len(folders) > 1:
            return f"the upstream group's servers are different applications ({', '.join(sorted(folders))})"
        first = outcomes[0]
        if rendered:
            first = (first[0], first[1], tuple(rendered) + first[2], first[3] or assumed, first[4])  # type: ignore[index,operator]
        if fact.servers:
            note = Related(fact.prov.location, f"`{fact.subject}` is an upstream group of {', '.join(fact.servers)}")
            return (first[0], first[1], (note,) + first[2], first[3], first[4])  # type: ignore[index,operator]
        return first  # type: ignore[return-value]

    def _render(self, text: str, proxy_file: str) -> Optional[tuple[str, list[Related], str]]:
        """An upstream of a template that the container renders with envsubst at start (`${APP_HOST}:${APP_PORT}`),
        with the values the proxy's own container sets: its compose `environment`, then its Dockerfile's `ENV`."""
        env = self._environment(proxy_file)
        if env is None:
            return None
        values, env_file = env
        notes: list[Related] = []
        missing = False

        def value(match: "re.Match[str]") -> str:
            nonlocal missing
            name = match.group(1) or match.group(2)
            found = values.get(name)
            if found is None:
                missing = True
                return match.group(0)
            notes.append(Related(found[1].location, f"`{match.group(0)}` is `{found[0]}` (`{found[1].raw}`)"))
            return found[0]

        rendered = _PLACEHOLDER.sub(value, text)
        if missing or "$" in rendered:
            return None
        assumed = "the environment file of the proxy's service leaves these values as they are" if env_file else ""
        return rendered, notes, assumed

    def _environment(self, proxy_file: str) -> Optional[tuple[dict[str, tuple[str, Provenance]], bool]]:
        """The variables of the container the proxy file runs in; None when several containers could run it."""
        holders = self._holders(proxy_file)
        if holders:
            built = {(s.folder, s.dockerfile) for s in holders}
            if len(built) > 1:
                return None
            service = holders[0]
            values = {name: (value, prov) for name, value, prov in self._image_env(service.dockerfile)}
            values.update({name: (value, prov) for name, value, prov in service.env})
            return values, any(s.env_file for s in holders)
        for folder in _folders_above(proxy_file):
            image = self.dockerfiles.get(f"{folder.rstrip('/')}/Dockerfile" if folder else "Dockerfile")
            if image is not None:
                return {name: (value, prov) for name, value, prov in image.env}, False
        return None

    def _holders(self, proxy_file: str) -> list[Service]:
        """The compose services whose build folder or bind mount holds the file most closely (a service built from the
        repository's root holds every file, the proxy's own image its folder): the containers it runs in."""
        depth: dict[int, int] = {}
        for index, s in enumerate(self.services):
            places = ([s.folder] if s.folder else []) + list(s.mounts)
            held = [_depth(place) for place in places if _under(proxy_file, place)]
            if held:
                depth[index] = max(held)
        deepest = max(depth.values(), default=-1)
        return [self.services[index] for index, level in depth.items() if level == deepest]

    def _image_env(self, dockerfile: str) -> tuple[tuple[str, str, Provenance], ...]:
        image = self.dockerfiles.get(dockerfile)
        return image.env if image is not None else ()

    def _script(self, written: str) -> _Outcome:
        """A mod_wsgi script named by its server path, matched to the one tree file whose path ends the same way."""
        wanted = [part for part in written.strip('"\'').split("/") if part]
        if not wanted or "$" in written:
            return ""
        best, matches = 0, []
        for script in self.scripts:
            parts = script.prov.location.path.split("/")
            common = 0
            while common < min(len(parts), len(wanted)) and parts[-1 - common] == wanted[-1 - common]:
                common += 1
            if common and common > best:
                best, matches = common, [script]
            elif common and common == best:
                matches.append(script)
        if not matches:
            return ""
        if len(matches) > 1:
            return f"several WSGI scripts in the tree could be `{written}` ({', '.join(m.prov.location.path for m in matches)})"
        script = matches[0]
        step = Related(script.prov.location, f"`{written}` is the WSGI script `{script.prov.location.path}` (matched by its path)")
        return script.folder, f"WSGI script {script.name}", (step,), "", "python"

    def _address(self, target: Address, proxy_file: str) -> _Outcome:
        project = self._project(proxy_file)
        if target.loopback:
            # inside a container, the loopback address is the proxy's own container, not the host's
            return "" if project else self._loopback(target, proxy_file)
        return self._service(target, project, proxy_file)

    def _project(self, proxy_file: str) -> list[Service]:
        """The services of the compose project the proxy file belongs to: the nearest compose files whose folder, or one
        of whose services' build folders or bind mounts, holds it. A service name means nothing outside its project."""
        key = proxy_file
        cached = self._cache.get(key)
        if cached is None:
            by_file: dict[str, list[Service]] = {}
            for service in self.services:
                by_file.setdefault(service.prov.location.path, []).append(service)
            depth = -1
            chosen: list[Service] = []
            for compose_file, members in sorted(by_file.items()):
                folder = posixpath.dirname(compose_file) or "."
                holders = [folder] + [s.folder for s in members if s.folder] + [m for s in members for m in s.mounts]
                if not any(_under(proxy_file, holder) for holder in holders):
                    continue
                level = 0 if folder == "." else folder.count("/") + 1
                if level > depth:
                    depth, chosen = level, list(members)
                elif level == depth:
                    chosen.extend(members)
            self._cache[key] = cached = chosen
        return cached  # type: ignore[return-value]

    def _service(self, target: Address, project: list[Service], proxy_file: str) -> _Outcome:
        linked = {service.lower() for s in project for service, alias in s.links if alias.lower() == target.host}
        named = [
            s for s in project
            if target.host == s.name.lower() or target.host in (a.lower() for a in s.aliases) or s.name.lower() in linked
        ]
        if not named:
            return ""
        # a project may hold several stacks (docker-compose.yml for development, docker-compose-deploy.yml): the
        # service of the stack that runs the proxy is the one it reaches
        stacks = {s.prov.location.path for s in self._holders(proxy_file)}
        in_stack = [s for s in named if s.prov.location.path in stacks]
        named = in_stack or named
        built = {s.folder for s in named if s.folder}
        if not built:
            return f"compose service `{named[0].name}` is not built from this tree (an image), so its CORS is not seen"
        if len(built) > 1:
            return f"compose services named `{target.host}` are built from different folders ({', '.join(sorted(built))})"
        service = next(s for s in named if s.folder)
        folder = service.folder
        steps = [Related(service.prov.location, f"`{target.host}` is the compose service `{service.name}`, built from `{folder}`")]
        command, command_prov = service.command, service.command_prov
        dockerfile = self.dockerfiles.get(service.dockerfile)
        ports = list(service.ports)  # a Dockerfile's EXPOSE only documents: the process may listen elsewhere
        if dockerfile is not None:
            if not command:
                command, command_prov = dockerfile.command, dockerfile.command_prov
        family, started = self._started(command, command_prov, ports)
        if started is not None:
            steps.append(started)
        known = {port for port, _ in ports}
        if target.port and known and target.port not in known:
            if target.port_written or target.port != 80:
                return f"`{target.text}` names port {target.port}, but compose service `{service.name}` listens on {', '.join(map(str, sorted(known)))}"
        apps_family = self._family(folder, family)
        if apps_family is None:
            return f"`{folder}` holds applications of several kinds; corslint cannot tell which one `{service.name}` runs"
        return folder, f"compose service {service.name}", tuple(steps), "", apps_family

    def _started(self, command: str, prov: Optional[Provenance], ports: list) -> tuple[str, Optional[Related]]:
        if not command or prov is None:
            return "", None
        from corslint.sources.deploy.commands import read

        started = read(command)
        if started.port and not started.assumed:  # a default port may be changed by a config file corslint does not read
            ports.append((started.port, prov))
        return _server_family(started.server), Related(prov.location, f"started with `{command}`")

    def _loopback(self, target: Address, proxy_file: str) -> _Outcome:
        """The application listening on the port, looked for in the proxy file's folder and then each folder above it:
        the nearest folder holding a listener on that port decides."""
        project = self._project_root(proxy_file)
        if project is None:
            return ""
        listening = [listener for listener in self.listeners if listener.port == target.port and _under(listener.path, project)]
        matching: list[Listener] = []
        for folder in _folders_above(proxy_file) if listening else ():
            matching = [listener for listener in listening if _under(listener.path, folder or ".")]
            if matching:
                break
        if not matching:
            return ""
        folders = {posixpath.dirname(listener.path) or "." for listener in matching}
        if len(folders) > 1:
            return f"several applications in the tree listen on port {target.port} ({', '.join(sorted(folders))})"
        listener = matching[0]
        folder = folders.pop()
        family = _server_family(listener.framework)
        apps_family = self._family(folder, family)
        if apps_family is None:
            return f"`{folder}` holds applications of several kinds; corslint cannot tell which one listens on {target.port}"
        how = f" ({listener.assumed})" if listener.assumed else ""
        step = Related(listener.prov.location, f"the application here listens on port {target.port}{how}")
        return folder, f"port {target.port}", (step,), listener.assumed, apps_family

    def _project_root(self, path: str) -> Optional[str]:
        """The nearest folder above `path` that holds a project manifest; the tree's root when no folder holds one (one
        project); None when manifests exist but none above `path` (it belongs to no project corslint can name)."""
        if not self.roots:
            return "."
        return next(((folder or ".") for folder in _folders_above(path) if (folder or ".") in self.roots), None)

    def _family(self, folder: str, wanted: str) -> Optional[str]:
        """The family of the applications in `folder` (narrowed to `wanted` when the start command says it); None
        when several kinds remain."""
        present = {family_of(app.source) for app in self.apps if _under(app.location.path, folder)}
        if wanted:
            return wanted
        if len(present) > 1:
            return None
        return present.pop() if present else ""

    def apps_in(self, folder: str, family: str) -> list[CorsPolicy]:
        return [app for app in self.apps if _under(app.location.path, folder) and (not family or family_of(app.source) == family)]


def _server_family(server: str) -> str:
    """The application family a server program or listener framework runs: node -> javascript, uvicorn -> python."""
    if server == "node":
        return "javascript"
    if server in _PYTHON_SERVERS or server in ("aiohttp",):
        return "python"
    return family_of(server)


def _procfile_listeners(services: Sequence[Service]) -> list[Listener]:
    """A Procfile process started with a literal port (`gunicorn -b 127.0.0.1:5000 app:app`) listens on it."""
    from corslint.sources.deploy.commands import read

    found = []
    for service in services:
        if service.kind != "procfile" or service.command_prov is None:
            continue
        started = read(service.command)
        if started.port and not started.assumed:
            found.append(Listener(service.prov.location.path, started.port, service.command_prov, started.server))
    return found


def _folders_above(path: str) -> Iterator[str]:
    """The folders that hold `path`, nearest first, up to the tree's root ("") or the file system's ("/")."""
    folder = posixpath.dirname(path)
    while True:
        yield folder
        parent = posixpath.dirname(folder)
        if parent == folder:
            return
        folder = parent


def _depth(folder: str) -> int:
    return 0 if folder in ("", ".") else folder.count("/") + 1


def _under(path: str, folder: str) -> bool:
    return folder in ("", ".") or path == folder or path.startswith(folder.rstrip("/") + "/")
