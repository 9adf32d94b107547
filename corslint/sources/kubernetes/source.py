"""The Kubernetes `Source`: claims manifests by their content (`apiVersion` and `kind`, any file name, a Helm template
too) and Helm values files by name, and reads each through `manifests` (imported lazily)."""

from __future__ import annotations

from typing import ClassVar

from corslint.model import Extraction
from corslint.sources.base import Source, internal_error, probe_view
from corslint.sources.kubernetes.names import helm_values, manifest_head, may_claim
from corslint.workspace import SourceFile, Workspace


class KubernetesSource(Source):
    name = "kubernetes"
    produces = frozenset({"ingress-nginx", "istio", "traefik"})
    example_langs = ("yaml",)
    probe_words: ClassVar[tuple[bytes, ...]] = (b"cors", b"access-control-", b"accesscontrol")

    def may_claim(self, path: str) -> bool:
        return may_claim(path)

    def claims(self, path: str, head: bytes) -> bool:
        return manifest_head(probe_view(head)) or helm_values(path)

    def claims_content(self, head: bytes) -> bool:
        return manifest_head(probe_view(head))

    def extract(self, files: list[SourceFile], workspace: Workspace) -> Extraction:
        from corslint.sources.kubernetes.manifests import ManifestFile

        extraction = Extraction()
        for source_file in sorted(files, key=lambda f: f.path):
            try:
                ManifestFile(source_file, workspace, extraction).read(self.worth_parsing)
            except Exception as exc:  # one file's bug must not hide the others
                extraction.problems.append(internal_error(source_file.path, "Kubernetes", self.name, exc))
            finally:
                source_file.release()
        return extraction
