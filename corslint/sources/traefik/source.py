"""The Traefik `Source`: claims a file provider's dynamic configuration (YAML or TOML, any name, by its `http`
section) and reads each file through `dynamic` (imported lazily)."""

from __future__ import annotations

from typing import ClassVar

from corslint.model import Extraction, Location, ParseProblem
from corslint.sources.base import Source, decode, internal_error, probe_view
from corslint.sources.traefik.names import dynamic_head, may_claim
from corslint.workspace import SourceFile, Workspace


class TraefikSource(Source):
    name = "traefik"
    example_langs = ("toml",)
    probe_words: ClassVar[tuple[bytes, ...]] = (b"accesscontrol", b"addvaryheader")

    def may_claim(self, path: str) -> bool:
        return may_claim(path)

    def claims(self, path: str, head: bytes) -> bool:
        return dynamic_head(path, probe_view(head))

    def extract(self, files: list[SourceFile], workspace: Workspace) -> Extraction:
        from corslint.sources.traefik.dynamic import read

        extraction = Extraction()
        for source_file in sorted(files, key=lambda f: f.path):
            try:
                data = source_file.read()
                if not self.worth_parsing(data) and b"\x00" not in data[:8192]:
                    continue
                text, error = decode(data)
                if error is not None:
                    extraction.problems.append(ParseProblem(Location(source_file.path, 1, 1), error, self.name))
                    continue
                read(source_file.path, text, extraction)
            except OSError as exc:
                extraction.skipped[source_file.path] = f"cannot read file: {exc.strerror or exc}"
            except Exception as exc:  # one file's bug must not hide the others
                extraction.problems.append(internal_error(source_file.path, "Traefik", self.name, exc))
            finally:
                source_file.release()
        return extraction
