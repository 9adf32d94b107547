"""The rule pages' "Observed on the real servers" section: what the real server or framework sent to each bad example
of the page, as the differential suite saw it. `CORSLINT_UPDATE_OBSERVED=1` writes it; otherwise the suite checks
that every page still says what the servers do. Never written by hand."""

from __future__ import annotations

import os
import re
from pathlib import Path

from real_servers import ATTACKER, CORS_NAMES, TRUSTED, http_request

RULES_DIR = Path(__file__).resolve().parents[2] / "rules"
HEADING = "## Observed on the real servers"
INTRO = (
    "What the real server or framework sent to this page's bad examples, each run on 127.0.0.1 by the differential "
    "suite (`tests/differential/`), which writes this section and checks it on every run: the status and the CORS "
    "headers, as sent."
)
_TABLE_HEAD = "| Example | Server | Request | Status | CORS headers sent |\n|---|---|---|---|---|"
# what each row asks: the attacker's credentialed read, and a preflight for a write with a token
PROBES = (
    ("credentialed GET from `" + ATTACKER + "`", "GET", {"Origin": ATTACKER}),
    ("preflight for PUT with `Authorization` from `" + TRUSTED + "`", "OPTIONS",
     {"Origin": TRUSTED, "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "authorization"}),
)
KINDS = ("nginx", "apache", "js", "python")
STALE = "the rule pages' observed section differs from what the servers sent: run CORSLINT_UPDATE_OBSERVED=1 pytest tests/differential"
UPDATE = os.environ.get("CORSLINT_UPDATE_OBSERVED") == "1"


def observe(port: int, path: str, example: str, server: str) -> list[str]:
    """The table rows for one bad example: each probe's status and CORS headers, in the order the server sent them."""
    rows = []
    for what, method, headers in PROBES:
        status, got = http_request(port, method, path, headers)
        sent = [f"`{name}: {_steady(value)}`" for name, value in got if name.lower() in CORS_NAMES]
        rows.append(f"| {example} | {server} | {what} | {status} | {', '.join(sent) or 'none'} |")
    return rows


def _steady(value: str) -> str:
    """The value as sent, but mod_headers' idle percentage (`i=97`, what `%{Origin}i` sends) without its number, which
    follows the machine's load."""
    return re.sub(r"^i=\d+$", "i=<idle percentage>", value)


_LANG = {"nginx": "nginx", "apache": "Apache", "js": "JavaScript", "python": "Python"}


def bad_label(code: str, index: int) -> str:
    """"nginx bad example 2": the page's example, numbered among the bad ones of its language; "" for a good one."""
    from corslint.catalogue import load_page

    page = load_page(code)
    example = page.examples[index] if page else None
    if example is None or example.kind != "bad":
        return ""
    number = sum(1 for e in page.examples[:index + 1] if e.kind == "bad" and e.lang == example.lang)  # type: ignore[union-attr]
    return f"{_LANG.get(example.lang, example.lang)} bad example {number} (`{example.filename}`)"


def _block(kind: str, rows: list[str]) -> str:
    return f"<!-- observed:{kind} -->\n{_TABLE_HEAD}\n" + "\n".join(rows) + f"\n<!-- /observed:{kind} -->\n"


def _page(code: str) -> Path:
    return next(RULES_DIR.glob(f"{code}-*.md"))


def _with_block(text: str, kind: str, rows: list[str]) -> str:
    """The page with this kind's table in its observed section (the section made or dropped as needed); the tables
    keep one order (KINDS), whichever test writes first."""
    own = re.compile(rf"<!-- observed:{re.escape(kind)} -->\n.*?<!-- /observed:{re.escape(kind)} -->\n\n?", re.S)
    text = own.sub("", text.rstrip("\n") + "\n\n").rstrip("\n") + "\n"
    if HEADING not in text and rows:
        text += f"\n{HEADING}\n\n{INTRO}\n"
    if rows:
        at = len(text)
        for later in KINDS[KINDS.index(kind) + 1:]:
            start = text.find(f"<!-- observed:{later} -->")
            if start >= 0:
                at = min(at, start)
        before = text[:at].rstrip("\n") + "\n\n"
        after = text[at:]
        text = before + _block(kind, rows) + ("\n" + after if after else "")
    if HEADING in text and "<!-- observed:" not in text:
        text = text[:text.index("\n" + HEADING)]
    return text.rstrip("\n") + "\n"


def settle(kind: str, rows_by_code: dict[str, list[str]], codes: list[str]) -> list[str]:
    """Write (update mode) or check every page's rows of this kind; the pages that disagree with the servers."""
    stale = []
    for code in codes:
        path = _page(code)
        text = path.read_text(encoding="utf-8")
        wanted = _with_block(text, kind, rows_by_code.get(code, []))
        if wanted != text:
            if UPDATE:
                path.write_text(wanted, encoding="utf-8")
            else:
                stale.append(code)
    return stale


def pages_available() -> bool:
    """The rule pages are in the checkout (not only packaged): the section can be checked."""
    return RULES_DIR.is_dir()
