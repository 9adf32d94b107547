"""Reasoning about origin strings and origin regexes, shared by every origin rule and every source.

Parses configured origins (`strings`), classifies hosts (`hosts`), and analyses origin patterns with bounded work
(`analysis`): which origin the author meant, and which concrete origins an attacker can obtain that the pattern also
accepts. Patterns are translated from their dialect (`dialects`), matched by `re` or a step-bounded automaton
(`matcher`, over the parse trees of `regex_tree`), sampled (`samples`) and remembered in bounded tables (`memo`);
`allowlist` compares them with a project's list of origins. The public names are importable from here;
they resolve on first use (PEP 562), so a run imports only the modules whose names its rules touch: a file with no
origin pattern never loads the matcher.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from corslint.lazy_exports import lazy_exports

_HOME: dict[str, str] = {
    "in_allowlist": "allowlist",
    "pattern_outside_allowlist": "allowlist",
    "analyze_pattern": "analysis",
    "pattern_accepts": "analysis",
    "SHARED_HOST_SUFFIXES": "hosts",
    "hsts_preloaded": "hosts",
    "is_local_host": "hosts",
    "is_private_host": "hosts",
    "shared_host_suffix": "hosts",
    "ACCEPT_STEPS": "report",
    "ANALYSIS_STEPS": "report",
    "ANY_WHY": "report",
    "ATTACKER": "report",
    "ATTACKER_HOST_WHY": "report",
    "BACKTRACK_LIMIT": "report",
    "BUDGET_ERROR": "report",
    "DIALECTS": "report",
    "DOT_WHY": "report",
    "FALLBACK_SAMPLES": "report",
    "FALLBACK_STEPS": "report",
    "GEN_CAP": "report",
    "MAX_GROUP_DEPTH": "report",
    "MAX_PATTERN_CHARS": "report",
    "MAX_PROGRAM": "report",
    "NO_DOT_WHY": "report",
    "NULL_WHY": "report",
    "SCHEME_WHY": "report",
    "SUFFIX_WHY": "report",
    "UNRELATED_WHY": "report",
    "Bypass": "report",
    "PatternReport": "report",
    "BAD_HOST": "strings",
    "BAD_PORT": "strings",
    "DEFAULT_PORTS": "strings",
    "EMPTY": "strings",
    "NO_HOST": "strings",
    "NO_SCHEME": "strings",
    "PATH": "strings",
    "QUERY": "strings",
    "SEVERAL": "strings",
    "SLASH": "strings",
    "UPPER": "strings",
    "USERINFO": "strings",
    "WILDCARD": "strings",
    "ParsedOrigin": "strings",
    "parse_origin": "strings",
    "split_origin_list": "strings",
}

__all__ = [
    "ACCEPT_STEPS", "ANALYSIS_STEPS", "ANY_WHY", "ATTACKER", "ATTACKER_HOST_WHY", "BACKTRACK_LIMIT", "BAD_HOST",
    "BAD_PORT", "BUDGET_ERROR", "DEFAULT_PORTS", "DIALECTS", "DOT_WHY", "EMPTY", "FALLBACK_SAMPLES", "FALLBACK_STEPS",
    "GEN_CAP", "MAX_GROUP_DEPTH", "MAX_PATTERN_CHARS", "MAX_PROGRAM", "NO_DOT_WHY", "NO_HOST", "NO_SCHEME", "NULL_WHY",
    "PATH", "QUERY", "SCHEME_WHY", "SEVERAL", "SHARED_HOST_SUFFIXES", "SLASH", "SUFFIX_WHY", "UNRELATED_WHY", "UPPER",
    "USERINFO", "WILDCARD", "Bypass", "ParsedOrigin", "PatternReport", "analyze_pattern", "in_allowlist",
    "hsts_preloaded", "is_local_host", "is_private_host", "parse_origin", "pattern_accepts", "pattern_outside_allowlist",
    "shared_host_suffix", "split_origin_list",
]


__getattr__, __dir__ = lazy_exports(__name__, _HOME)


if TYPE_CHECKING:
    from corslint.origins.allowlist import in_allowlist, pattern_outside_allowlist
    from corslint.origins.analysis import analyze_pattern, pattern_accepts
    from corslint.origins.hosts import (
        SHARED_HOST_SUFFIXES,
        hsts_preloaded,
        is_local_host,
        is_private_host,
        shared_host_suffix,
    )
    from corslint.origins.report import (
        ACCEPT_STEPS,
        ANALYSIS_STEPS,
        ANY_WHY,
        ATTACKER,
        ATTACKER_HOST_WHY,
        BACKTRACK_LIMIT,
        BUDGET_ERROR,
        DIALECTS,
        DOT_WHY,
        FALLBACK_SAMPLES,
        FALLBACK_STEPS,
        GEN_CAP,
        MAX_GROUP_DEPTH,
        MAX_PATTERN_CHARS,
        MAX_PROGRAM,
        NO_DOT_WHY,
        NULL_WHY,
        SCHEME_WHY,
        SUFFIX_WHY,
        UNRELATED_WHY,
        Bypass,
        PatternReport,
    )
    from corslint.origins.strings import (
        BAD_HOST,
        BAD_PORT,
        DEFAULT_PORTS,
        EMPTY,
        NO_HOST,
        NO_SCHEME,
        PATH,
        QUERY,
        SEVERAL,
        SLASH,
        UPPER,
        USERINFO,
        WILDCARD,
        ParsedOrigin,
        parse_origin,
        split_origin_list,
    )
