"""Reads the rule catalogue (rules/*.md, packaged as corslint/_catalogue): pages, sections and their examples."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

from corslint.lazy_regex import lazy
from corslint.records import field, record

LANG_FILENAMES = {
    "nginx": "nginx.conf",
    "apache": ".htaccess",
    "js": "app.js",
    "ts": "app.ts",
    "python": "app.py",
}

_FENCE_RE = lazy(r"^```([^\n`]*)\n(.*?)^```[ \t]*$", re.S | re.M)
_SECTION_RE = lazy(r"^## +(.+?)\s*$", re.M)
_TITLE_RE = lazy(r"^# +([A-Z]{3,}[0-9]{3})\s*[·:-]\s*([a-z0-9-]+)\s*$", re.M)
_MARK_RE = lazy(r"expect(-next)?\[([A-Z0-9, ]+)\]")


def catalogue_dir() -> Optional[Path]:
    """The packaged catalogue when installed, else `rules/` beside the package (a source checkout)."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_catalogue", here.parent / "rules"):
        if candidate.is_dir():
            return candidate
    return None


@lru_cache(maxsize=1)
def _pages() -> dict[str, Path]:
    folder = catalogue_dir()
    if folder is None:
        return {}
    pages: dict[str, Path] = {}
    for path in sorted(folder.glob("*.md")):
        code = path.stem.split("-", 1)[0]
        if re.fullmatch(r"[A-Z]{3,}[0-9]{3}", code):
            pages[code] = path
    return pages


def page_codes() -> list[str]:
    return sorted(_pages())


def page_text(code: str) -> Optional[str]:
    path = _pages().get(code.upper())
    return path.read_text(encoding="utf-8") if path else None


@record
class Example:
    lang: str
    kind: str  # "bad" or "good" ("with" for a companion file while the page is parsed)
    filename: str
    code: str
    config: dict[str, Any] = field(default_factory=dict)
    line: int = 0  # line of the fence in the page
    # the other files of a multi-file example (`lang with file=PATH` fences just before it): (path, text)
    companions: tuple[tuple[str, str], ...] = ()

    def expected(self) -> list[tuple[int, str]]:
        """(line, code) pairs from `expect[...]` markers; `expect-next` points at the following line."""
        marks: list[tuple[int, str]] = []
        for number, text in enumerate(self.code.splitlines(), start=1):
            for match in _MARK_RE.finditer(text):
                target = number + 1 if match.group(1) else number
                marks.extend((target, code.strip()) for code in match.group(2).split(",") if code.strip())
        return sorted(marks)


@record
class Page:
    code: str
    name: str
    summary: str
    sections: dict[str, str]
    examples: list[Example]

    def first_paragraph(self, section: str) -> str:
        body = self.sections.get(section, "").strip()
        return body.split("\n\n", 1)[0].replace("\n", " ").strip()


def parse_page(text: str) -> Page:
    title = _TITLE_RE.search(text)
    code, name = (title.group(1), title.group(2)) if title else ("", "")
    after_title = text[title.end():] if title else text
    first_section = _SECTION_RE.search(after_title)
    intro = after_title[: first_section.start()] if first_section else after_title
    summary = intro.strip().split("\n\n", 1)[0].replace("\n", " ").strip()
    sections: dict[str, str] = {}
    heads = list(_SECTION_RE.finditer(text))
    for index, head in enumerate(heads):
        end = heads[index + 1].start() if index + 1 < len(heads) else len(text)
        sections[head.group(1)] = text[head.end():end].strip("\n")
    examples = []
    companions: list[tuple[str, str]] = []
    for fence in _FENCE_RE.finditer(text):
        example = _parse_fence(fence.group(1).strip(), fence.group(2), text[: fence.start()].count("\n") + 1)
        if example is None:
            continue
        if example.kind == "with":
            companions.append((example.filename, example.code))
            continue
        example.companions = tuple(companions)
        companions = []
        examples.append(example)
    return Page(code, name, summary, sections, examples)


def _parse_fence(info: str, body: str, line: int) -> Optional[Example]:
    parts = info.split(None, 2)
    if len(parts) < 2 or parts[1] not in ("bad", "good", "with"):
        return None
    lang, kind = parts[0], parts[1]
    filename = LANG_FILENAMES.get(lang, f"example.{lang}")
    config: dict[str, Any] = {}
    rest = parts[2] if len(parts) > 2 else ""
    while rest:
        key, _, value = rest.partition("=")
        key = key.strip()
        if key == "config":
            config = json.loads(value)
            break
        token, _, rest = value.partition(" ")
        if key == "file":
            filename = token
        rest = rest.strip()
    return Example(lang, kind, filename, body, config, line)


def load_page(code: str) -> Optional[Page]:
    text = page_text(code)
    return parse_page(text) if text is not None else None
