"""Development guards: conditions such as `if DEBUG:` or `NODE_ENV !== 'production'` whose branch runs only in
development, and the places of a file they guard, so sources can mark the origins trusted there as development-only."""

from __future__ import annotations

import re
from typing import Iterable, NamedTuple

from corslint.lazy_regex import lazy
from corslint.model import CorsPolicy, Location
from corslint.records import replace

_MAX_CONDITION = 200
_QUOTES = "'\"`"
# a name or attribute that is true only in development: DEBUG, settings.DEBUG, app.debug, isDev, __DEV__, env.DEV
_DEV_FLAG = lazy(r"^(?:[\w.]*\.)?(?:debug|dev|is_?dev(?:elopment)?|__dev__|development|is_?debug|local|is_?local)$", re.I)
_PROD_FLAG = lazy(r"^(?:[\w.]*\.)?(?:is_?prod(?:uction)?|prod(?:uction)?|is_?live)$", re.I)
# something naming the environment: NODE_ENV, process.env.NODE_ENV, app.env, os.environ.get("FLASK_ENV"), ENVIRONMENT
_ENV_NAME = lazy(r"(?:^|[.\[(\"'])(?:node_env|flask_env|django_env|app_env|env|environment|stage|mode)\b", re.I)
_DEV_VALUES = frozenset({"development", "dev", "local", "debug", "test", "testing"})
_PROD_VALUES = frozenset({"production", "prod", "live"})
_COMPARE = lazy(r"^(.+?)\s*(===|!==|==|!=|\bis not\b|\bis\b)\s*(.+)$")


class Guarded(NamedTuple):
    """A stretch of a file that runs only in development, and the condition that says so."""

    start: tuple[int, int]
    end: tuple[int, int]
    condition: str


def runs_only_in_development(condition: str, holds: bool) -> bool:
    """True when the branch taken when `condition` is `holds` runs only in a development environment."""
    says = _development(condition.strip())
    return says is not None and says == holds


def _development(text: str) -> bool | None:
    """True: the condition holds only in development; False: only outside development; None: cannot tell."""
    if not text or len(text) > _MAX_CONDITION:
        return None
    text = _strip_parens(text)
    for prefix in ("!", "not "):
        if text.startswith(prefix):
            inner = _development(text[len(prefix):])
            return None if inner is None else not inner
    if " and " in text or " or " in text or "&&" in text or "||" in text:
        return None
    if _DEV_FLAG.match(text):
        return True
    if _PROD_FLAG.match(text):
        return False
    match = _COMPARE.match(text)
    if match is None:
        return None
    left, op, right = (part.strip() for part in match.groups())
    value, name = (right, left) if _quoted(right) else (left, right)
    if not _quoted(value) or not _ENV_NAME.search(name):
        return None
    word = value[1:-1].strip().lower()
    equal = op in ("===", "==", "is")
    if word in _DEV_VALUES:
        return equal
    if word in _PROD_VALUES:
        return not equal
    return None


def _quoted(text: str) -> bool:
    return len(text) >= 2 and text[0] in _QUOTES and text[-1] == text[0]


def _strip_parens(text: str) -> str:
    while text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]):
        text = text[1:-1].strip()
    return text


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def inside(location: Location, guarded: Iterable[Guarded]) -> str:
    """The condition of the first guarded stretch holding `location`, or ""."""
    point = (location.line, location.column)
    for stretch in guarded:
        if stretch.start <= point <= stretch.end:
            return stretch.condition
    return ""


def mark_development(policies: Iterable[CorsPolicy], guarded_in: dict[str, list[Guarded]]) -> None:
    """Mark the origin rules written inside development-only stretches (per file path) with their condition."""
    for policy in policies:
        marked = []
        for rule in policy.origins:
            stretches = guarded_in.get(rule.prov.location.path)
            condition = inside(rule.prov.location, stretches) if stretches else ""
            marked.append(replace(rule, development=condition) if condition and not rule.development else rule)
        policy.origins = marked
