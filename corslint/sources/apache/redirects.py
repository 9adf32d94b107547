"""Apache source, the answers httpd makes itself before any handler: mod_alias `Redirect`/`RedirectMatch` and the
`RewriteRule … [R=3xx]` rules that apply unconditionally, for every method."""

from __future__ import annotations

import re
from typing import Optional

from corslint.lazy_regex import lazy
from corslint.model import FixedAnswer, Provenance
from corslint.sources.apache.scopes import Entry, Scope
from corslint.sources.apache.tree import Node

_ALIAS_STATUS = {"permanent": 301, "temp": 302, "seeother": 303, "gone": 410}
_REDIRECTS = frozenset({"redirect", "redirectmatch", "redirectpermanent", "redirecttemp"})
_STATUS = lazy(r"^R(?:edirect)?(?:=(\d{3}|\w+))?$", re.IGNORECASE)


def rule_flags(words: list[str]) -> list[str]:
    """A RewriteRule's flags: `[R=301,L]` as ["R=301", "L"]."""
    return [flag.strip() for flag in words[2].strip("[]").split(",")] if len(words) > 2 else []


def rule_status(flags: list[str]) -> Optional[int]:
    """The status a RewriteRule's flags end the request with (R, R=301, F, G), None when they do not."""
    for flag in flags:
        upper = flag.upper()
        if upper == "F":
            return 403
        if upper == "G":
            return 410
        match = _STATUS.match(flag)
        if match is not None:
            code = match.group(1) or "302"
            return int(code) if code.isdigit() and len(code) <= 3 else {"permanent": 301, "temp": 302, "seeother": 303}.get(code.lower(), 302)
    return None


def fixed_answers(scope: Scope, rewrite_rules: list[Entry]) -> list[FixedAnswer]:
    """The scope's unconditional redirects, in the order httpd tries them; `rewrite_rules` are the rewrite entries
    that run for the scope (RewriteEngine, RewriteCond, RewriteRule)."""
    return _rewrites(scope, rewrite_rules) + alias_answers(scope)


def alias_answers(scope: Scope) -> list[FixedAnswer]:
    """mod_alias's redirects that apply to the scope, outside any <If>."""
    answers: list[FixedAnswer] = []
    for part in scope.chain():
        if part.kind == "if":
            continue
        for entry in part.own:
            if entry.node.key in _REDIRECTS:
                answer = _alias(entry.node, entry.context)
                if answer is not None:
                    answers.append(answer)
    return answers


def _alias(node: Node, context: str) -> Optional[FixedAnswer]:
    words = list(node.words)
    key = node.key
    status = 301 if key == "redirectpermanent" else 302
    if key in ("redirect", "redirectmatch") and words and (words[0].lower() in _ALIAS_STATUS or words[0].isdigit()):
        first = words.pop(0).lower()
        status = _ALIAS_STATUS.get(first) or int(first[:3])
    prov = Provenance(node.location(), node.raw, context)
    redirect = 300 <= status < 400
    if redirect and not words:
        return None
    target = words[-1] if redirect else ""
    pattern_words = words[:-1] if redirect else words
    pattern = pattern_words[0] if pattern_words else ""
    if key == "redirectmatch":
        return FixedAnswer(status, target, prov, "regex", pattern) if pattern else None
    # `Redirect URL` inside a <Location> answers every path of the section
    return FixedAnswer(status, target, prov, "prefix" if pattern else "", pattern)


def _rewrites(scope: Scope, entries: list[Entry]) -> list[FixedAnswer]:
    """Leading RewriteRules with an R=3xx flag and no RewriteCond: every request they match is redirected; the first
    rule of any other kind ends what can be told without running mod_rewrite."""
    engine = False
    found: list[FixedAnswer] = []
    relative = scope.kind == "htaccess" or any(part.node is not None and part.node.key == "directory" for part in scope.chain())
    for entry in entries:
        node = entry.node
        if node.key == "rewriteengine":
            engine = bool(node.words) and node.words[0].lower() == "on"
            continue
        if node.key != "rewriterule":
            if node.key == "rewritecond":
                break
            continue
        words = node.words
        status = rule_status(rule_flags(words))
        if not engine or len(words) < 2 or status is None or not 300 <= status < 400 or words[0].startswith("!"):
            break
        found.append(FixedAnswer(status, words[1], Provenance(node.location(), node.raw, entry.context), "regex", words[0], relative))
    return found
