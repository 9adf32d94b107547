"""Rule selection: turn `select`/`extend-select`/`ignore` selectors (codes, names, prefixes, ALL) into rule codes.

Follows ruff: a more specific selector beats a less specific one; on a tie, `ignore` wins.
"""

from __future__ import annotations

from typing import Iterable, Optional, Sequence

from corslint.lazy_regex import lazy
from corslint.rule import Rule

ALL = "ALL"
_PREFIX_RE = lazy(r"^([A-Z]+)([0-9]*)$")
_EXACT = 100


class SelectionError(Exception):
    """A selector names no rule and no prefix of one."""


def _names(rule: type[Rule]) -> tuple[str, ...]:
    return (rule.name.lower(), *(alias.lower() for alias in getattr(rule, "aliases", ())))


def code_for(name_or_code: str, rules: Sequence[type[Rule]]) -> Optional[str]:
    """The code of the rule with exactly this code or name (case-insensitive, aliases included), else None."""
    text = name_or_code.strip()
    upper, lower = text.upper(), text.lower()
    for rule in rules:
        if rule.code == upper or lower in _names(rule):
            return rule.code
    return None


def suggestion(text: str, rules: Sequence[type[Rule]]) -> Optional[str]:
    """The rule code, name or code prefix (`CORS`) closest to a misspelt `text`, if any is close enough."""
    by_key: dict[str, str] = {}
    wants_prefix = not any(char.isdigit() for char in text)
    for rule in rules:
        letters = _PREFIX_RE.match(rule.code)
        if letters and wants_prefix:
            by_key[letters.group(1).lower()] = letters.group(1)
        by_key[rule.code.lower()] = rule.code
        by_key[rule.name.lower()] = rule.name
    import difflib

    close = difflib.get_close_matches(text.strip().lower(), list(by_key), n=1, cutoff=0.6)
    return by_key[close[0]] if close else None


def _prefix_codes(selector: str, rules: Sequence[type[Rule]]) -> set[str]:
    match = _PREFIX_RE.match(selector)
    if not match:
        return set()
    letters = match.group(1)
    return {
        rule.code
        for rule in rules
        if rule.code.startswith(selector) and _PREFIX_RE.match(rule.code).group(1) == letters  # type: ignore[union-attr]
    }


def resolve(selector: str, rules: Sequence[type[Rule]]) -> set[str]:
    """The codes a selector stands for: a code, a name (any case), a code prefix (`CORS1`, `CORS`) or `ALL`.

    Raises SelectionError, with a suggestion, when it matches nothing.
    """
    text = selector.strip()
    if text.upper() == ALL:
        return {rule.code for rule in rules}
    exact = code_for(text, rules)
    if exact is not None:
        return {exact}
    codes = _prefix_codes(text.upper(), rules)
    if codes:
        return codes
    hint = suggestion(text, rules)
    more = f" (did you mean '{hint}'?)" if hint else ""
    raise SelectionError(f"unknown rule or prefix '{text}'{more}")


def specificity(selector: str, rules: Sequence[type[Rule]]) -> int:
    """ALL = 0, letters-only prefix = 1, each further digit +1; an exact code or name ranks highest."""
    text = selector.strip()
    if text.upper() == ALL:
        return 0
    if code_for(text, rules) is not None:
        return _EXACT
    match = _PREFIX_RE.match(text.upper())
    return 1 + len(match.group(2)) if match else _EXACT


def enabled_codes(
    rules: Sequence[type[Rule]],
    *,
    select: Iterable[str] = (),
    extend_select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    auto_enabled: Optional[set[str]] = None,
) -> set[str]:
    """The codes enabled by a selection, with ruff's semantics.

    The start set is `select`, or every rule with `default_enabled` when `select` is empty;
    `extend_select` adds to it and `ignore` removes from it. Selectors are applied from the least
    specific (`ALL`, then `CORS`, `CORS1`, `CORS10`) to the most specific (a code or name); at each
    level selections are added before ignores are removed, so `ignore = ["CORS1"]` with
    `select = ["CORS101"]` keeps CORS101, `ignore = ["CORS101"]` with `select = ["CORS1"]` drops it,
    and the same selector in both is ignored. `auto_enabled` codes (CORS901 when `trusted-origins` is
    set) join the default set only: an explicit `select` decides alone, and any matching `ignore` removes them.
    Raises SelectionError for an unknown selector.
    """
    select, extend_select, ignore = tuple(select), tuple(extend_select), tuple(ignore)
    known = {rule.code for rule in rules}
    enabled = set() if select else {rule.code for rule in rules if getattr(rule, "default_enabled", True)}
    if not select:
        enabled |= {code for code in (auto_enabled or set()) if code in known}
    steps: list[tuple[int, int, set[str]]] = []
    for selector in select + extend_select:
        steps.append((specificity(selector, rules), 0, resolve(selector, rules)))
    for selector in ignore:
        steps.append((specificity(selector, rules), 1, resolve(selector, rules)))
    for _, is_ignore, codes in sorted(steps, key=lambda step: (step[0], step[1])):
        if is_ignore:
            enabled -= codes
        else:
            enabled |= codes
    return enabled
