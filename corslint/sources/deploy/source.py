"""The deployment `Source`: claims docker-compose files, Dockerfiles, Procfiles and mod_wsgi scripts and states
their services. A compose file whose Traefik labels define a header middleware yields that middleware's policy (read
by `corslint.sources.traefik`); CORS values it carries anywhere else are reported as not checked."""

from __future__ import annotations

from corslint.model import Extraction, Location, Provenance, Service
from corslint.lazy_regex import lazy
from corslint.sources.base import Source, decode
from corslint.sources.hash_comments import hash_comments
from corslint.sources.deploy.names import kind_of, may_claim
from corslint.workspace import SourceFile, Workspace

# the words that show CORS values in a compose file (Traefik's header middleware labels, raw header values)
_CORS_WORDS = (b"accesscontrolallow", b"access-control-", b"enable-cors", b"cors-allow-")
# CORS values a label other than a header middleware's own fields sets (`customresponseheaders.Access-Control-…`)
_OTHER_CORS = lazy(rb"customresponseheaders\.access-control-|enable-cors|cors-allow-")
_PARTLY_CHECKED = (
    "docker-compose file whose Traefik header middleware labels are checked, but which also sets CORS values corslint "
    "does not read yet (`customResponseHeaders` labels or other header values)"
)
_NOT_CHECKED = (
    "docker-compose file with CORS settings (Traefik labels or header values); only its services are read, to link "
    "proxies to applications; its CORS values are not checked (no corslint source reads them yet)"
)


class DeploySource(Source):
    name = "deploy"
    reads_head = False
    probe_words = ()
    states_policies = False

    def may_claim(self, path: str) -> bool:
        return may_claim(path)

    def claims(self, path: str, head: bytes) -> bool:
        return self.may_claim(path)

    def worth_parsing(self, data: bytes) -> bool:
        return True

    def extract(self, files: list[SourceFile], workspace: Workspace) -> Extraction:
        extraction = Extraction()
        for source_file in sorted(files, key=lambda f: f.path):
            if kind_of(source_file.path) == "package":
                continue  # only the mark of a project root: discovery's claim says all there is
            try:
                data = source_file.read()
            except OSError as exc:
                extraction.skipped[source_file.path] = f"cannot read file: {exc.strerror or exc}"
                continue
            text, error = decode(data)
            if error is not None:
                extraction.skipped[source_file.path] = f"deployment file not read: {error}"
                continue
            found = self._services(source_file.path, text, extraction)
            if found:
                extraction.services.extend(found)
                extraction.files.add(source_file.path)
            if kind_of(source_file.path) == "compose" and any(word in data.lower() for word in _CORS_WORDS):
                self._labels(source_file.path, text, data.lower(), extraction)
        return extraction

    @staticmethod
    def _labels(path: str, text: str, low: bytes, extraction: Extraction) -> None:
        """Traefik's header middleware labels become policies; CORS values anywhere else stay not checked."""
        from corslint.sources.traefik.labels import label_policies

        policies = label_policies(path, text) if b"accesscontrol" in low else []
        extraction.policies.extend(policies)
        if policies:
            extraction.files.add(path)
            extraction.comments.extend(hash_comments(path, text.splitlines(), "traefik"))
        if not policies or _OTHER_CORS.search(low):
            extraction.skipped.setdefault(path, _NOT_CHECKED if not policies else _PARTLY_CHECKED)

    @staticmethod
    def _services(path: str, text: str, extraction: Extraction) -> list[Service]:
        kind = kind_of(path)
        if kind == "compose":
            from corslint.sources.deploy.compose import ComposeError, services

            try:
                return services(path, text)
            except ComposeError as exc:
                extraction.skipped[path] = f"docker-compose file not read ({exc}); its services are not linked to proxies"
                return []
        if kind == "dockerfile":
            from corslint.sources.deploy.dockerfile import service

            found = service(path, text)
            return [found] if found is not None else []
        if kind == "wsgi":
            import posixpath

            prov = Provenance(Location(path, 1, 1), posixpath.basename(path), "WSGI script")
            return [Service("wsgi", posixpath.basename(path), prov, posixpath.dirname(path) or ".")]
        from corslint.sources.deploy.procfile import services as procfile_services

        return procfile_services(path, text)
