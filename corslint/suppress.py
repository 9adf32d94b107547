"""Inline suppressions: parse `corslint: ignore[...]`, `disable`/`enable` and `file-ignore` comments and apply them.

Reports unusable directives as CORS003 and directives that suppressed nothing as CORS002.
"""

from __future__ import annotations

import re
from typing import Iterable, Optional, Sequence

from corslint.findings import Finding, Severity
from corslint.lazy_regex import lazy
from corslint.model import Comment, Location
from corslint.records import field, record
from corslint.rule import Rule
from corslint.selection import SelectionError, code_for, resolve, suggestion

UNUSED = ("CORS002", "unused-suppression", Severity.INFO)
INVALID = ("CORS003", "invalid-suppression", Severity.WARNING)
META_CODES = frozenset({UNUSED[0], INVALID[0]})
VERBS = ("ignore", "disable", "enable", "file-ignore")
END_OF_FILE = 10**9

_DIRECTIVE_RE = lazy(r"(?<![\w-])corslint:", re.IGNORECASE)
_VERB_RE = lazy(r"[A-Za-z][A-Za-z0-9_-]*")
_REASON_MARKERS = ("--", "\u2014", "\u2013")
_EXPECTED = "expected ignore[...], disable[...], enable[...] or file-ignore[...]"


@record
class Directive:
    """One parsed `corslint:` comment. `codes` are the usable rule codes in written order.

    `problems` are CORS003 messages; `inert` means it suppresses nothing at all.
    """

    verb: str = ""
    codes: tuple[str, ...] = ()
    reason: str = ""
    problems: list[str] = field(default_factory=list)
    inert: bool = False


def _suggest_verb(word: str) -> Optional[str]:
    import difflib

    close = difflib.get_close_matches(word.lower(), VERBS, n=1, cutoff=0.6)
    return close[0] if close else None


def _strip_markers(text: str) -> str:
    body = text.strip()
    if body.endswith("*/"):
        body = body[:-2].rstrip()
    return body


def _split_reason(tail: str) -> str:
    text = tail.strip()
    for marker in _REASON_MARKERS:
        if text.startswith(marker):
            return text[len(marker) :].strip()
    return text


def _item_problem(item: str, rules: Sequence[type[Rule]]) -> str:
    if re.search(r"\s", item):
        return f"rules in the list must be separated by commas: '{item}'; this comment suppresses nothing for it"
    try:
        resolve(item, rules)
        return f"'{item}' is a prefix; name each rule by its code or name; this comment suppresses nothing for it"
    except SelectionError:
        pass
    hint = suggestion(item, rules)
    more = f" (did you mean {hint}?)" if hint else ""
    return f"unknown rule '{item}'{more}; this comment suppresses nothing for it"


def _read_codes(verb: str, inner: str, rules: Sequence[type[Rule]], directive: Directive) -> None:
    items = [item.strip() for item in inner.split(",") if item.strip()]
    if not items:
        directive.problems.append(f"empty rule list in 'corslint: {verb}[]'; name the rules (there is no blanket form)")
        directive.inert = True
        return
    codes: dict[str, None] = {}
    for item in items:
        code = code_for(item, rules)
        if code is None:
            directive.problems.append(_item_problem(item, rules))
        elif code in META_CODES and verb != "file-ignore":
            directive.problems.append(
                f"{code} can only be suppressed with 'corslint: file-ignore[{code}]'; this comment suppresses nothing for it"
            )
        else:
            codes[code] = None
    directive.codes = tuple(codes)


def _invalid(message: str, verb: str = "") -> Directive:
    return Directive(verb=verb, problems=[message], inert=True)


def parse_directive(text: str, rules: Sequence[type[Rule]], *, require_reason: bool = False) -> Optional[Directive]:
    """Parse a comment's text; None when it holds no `corslint:` directive."""
    body = _strip_markers(text)
    match = _DIRECTIVE_RE.search(body)
    if match is None:
        return None
    rest = body[match.end() :].lstrip()
    verb_match = _VERB_RE.match(rest)
    if verb_match is None:
        return _invalid(f"missing directive after 'corslint:'; {_EXPECTED}")
    verb = verb_match.group(0).lower()
    if verb not in VERBS:
        close = _suggest_verb(verb)
        more = f" (did you mean '{close}'?)" if close else ""
        return _invalid(f"unknown directive '{verb_match.group(0)}'{more}; {_EXPECTED}")
    after = rest[verb_match.end() :].lstrip()
    if not after.startswith("["):
        return _invalid(f"'corslint: {verb}' needs a rule list such as {verb}[CORS101]; there is no blanket form", verb)
    close_at = after.find("]")
    if close_at == -1:
        return _invalid(f"unbalanced brackets in 'corslint: {verb}[': the rule list is never closed with ']'", verb)
    if "[" in after[1:close_at]:
        return _invalid(f"unbalanced brackets in 'corslint: {verb}[...]': '[' inside the rule list", verb)
    tail = after[close_at + 1 :].strip()
    if tail.startswith("]"):
        return _invalid(f"unbalanced brackets in 'corslint: {verb}[...]': a stray ']' after the rule list", verb)
    directive = Directive(verb=verb, reason=_split_reason(tail))
    _read_codes(verb, after[1:close_at], rules, directive)
    if require_reason and verb != "enable" and not directive.reason and not directive.inert:
        directive.problems.append(
            f"missing reason: require-suppression-reason is on, so write 'corslint: {verb}[...] -- why'; "
            "this comment suppresses nothing"
        )
        directive.inert = True
    return directive


@record
class _Range:
    """One code suppressed over lines `start`..`end` (inclusive) of one file, on behalf of a directive."""

    index: int
    code: str
    start: int
    end: int


@record
class _Entry:
    comment: Comment
    directive: Directive
    ranges: list[_Range] = field(default_factory=list)
    used: set[str] = field(default_factory=set)
    closed_by: dict[str, int] = field(default_factory=dict)


def _sorted_comments(comments: Iterable[Comment]) -> list[Comment]:
    return sorted(comments, key=lambda c: (c.path, c.line, c.column, c.text))


def _build_ranges(entries: list[_Entry]) -> None:
    """Turn directives of one file into line ranges; pair each `enable` with the innermost open `disable`."""
    open_: dict[str, list[int]] = {}
    for index, entry in enumerate(entries):
        directive, comment = entry.directive, entry.comment
        if directive.verb == "ignore" and not directive.inert:
            start, end = sorted(comment.covers)
            entry.ranges.extend(_Range(index, code, start, end) for code in directive.codes)
        elif directive.verb == "file-ignore" and not directive.inert:
            entry.ranges.extend(_Range(index, code, 0, END_OF_FILE) for code in directive.codes)
        elif directive.verb == "disable":
            for code in directive.codes:
                open_.setdefault(code, []).append(index)
        elif directive.verb == "enable":
            _close(entries, index, open_)
    for code, stack in open_.items():
        for index in stack:
            _add_range(entries[index], index, code, END_OF_FILE)


def _close(entries: list[_Entry], index: int, open_: dict[str, list[int]]) -> None:
    entry = entries[index]
    for code in entry.directive.codes:
        stack = open_.get(code)
        if not stack:
            entry.directive.problems.append(
                f"'enable[{code}]' has no matching 'disable[{code}]' above it; this comment does nothing for it"
            )
            continue
        opener = stack.pop()
        _add_range(entries[opener], opener, code, entry.comment.line)
        entries[opener].closed_by[code] = entry.comment.line


def _add_range(entry: _Entry, index: int, code: str, end: int) -> None:
    if not entry.directive.inert:
        entry.ranges.append(_Range(index, code, entry.comment.line, end))


def _meta(kind: tuple[str, str, Severity], comment: Comment, message: str, hint: str) -> Finding:
    code, name, severity = kind
    return Finding(
        code=code,
        name=name,
        severity=severity,
        message=message,
        location=Location(comment.path, comment.line, comment.column),
        source=comment.source,
        hint=hint,
        raw=comment.text,
    )


def _where_unused(entry: _Entry, code: str) -> str:
    verb = entry.directive.verb
    if verb == "file-ignore":
        return "in this file"
    if verb == "disable":
        end = entry.closed_by.get(code)
        return f"between here and its enable on line {end}" if end else "from here to the end of the file"
    start, end = sorted(entry.comment.covers)
    return f"on line {start}" if start == end else f"on lines {start}-{end}"


def _unused_findings(entry: _Entry, enabled: set[str], rules: Sequence[type[Rule]]) -> list[Finding]:
    directive = entry.directive
    if directive.inert or directive.verb == "enable":
        return []
    unused = [code for code in directive.codes if code not in entry.used and code in enabled and code != UNUSED[0]]
    if not unused:
        return []
    names = {rule.code: rule.name for rule in rules}
    shown = " or ".join(f"{code} ({names.get(code, code)})" for code in unused)
    everything_unused = not entry.used and len(unused) == len(directive.codes) and not directive.problems
    if everything_unused:
        advice = "remove the comment"
    else:
        advice = "remove them from the list" if len(unused) > 1 else "remove it from the list"
    places = {_where_unused(entry, code) for code in unused}
    where = places.pop() if len(places) == 1 else "where it applies"
    message = f"unused suppression: no {shown} finding {where}; {advice}"
    return [_meta(UNUSED, entry.comment, message, "Delete stale suppressions so they cannot hide future findings.")]


def _invalid_findings(entry: _Entry) -> list[Finding]:
    hint = "Write `corslint: ignore[CORS101, reflected-origin] -- reason` with codes or names from `corslint rules`."
    return [_meta(INVALID, entry.comment, problem, hint) for problem in entry.directive.problems]


def _covering(ranges: dict[str, list[_Range]], finding: Finding) -> list[_Range]:
    line = finding.location.line
    return [r for r in ranges.get(finding.location.path, ()) if r.code == finding.code and r.start <= line <= r.end]


def _drop_suppressed(
    findings: Iterable[Finding], ranges: dict[str, list[_Range]], entries: dict[str, list[_Entry]]
) -> list[Finding]:
    kept = []
    for finding in findings:
        hits = _covering(ranges, finding)
        for hit in hits:
            entries[finding.location.path][hit.index].used.add(hit.code)
        if not hits:
            kept.append(finding)
    return kept


def apply_suppressions(
    findings: list[Finding],
    comments: list[Comment],
    *,
    rules: Sequence[type[Rule]],
    enabled: set[str],
    require_reason: bool = False,
) -> tuple[list[Finding], list[Finding]]:
    """Drop the findings that directives suppress; return (kept findings, CORS002/CORS003 findings).

    A finding is suppressed when a usable directive in its file names its code and its line lies in
    the directive's range; every directive covering it counts as used. CORS002/CORS003 findings can
    only be suppressed by `file-ignore`. CORS002 is reported only for codes in `enabled`, and never
    for `CORS002` itself (it cannot judge its own use). Kept findings keep their order; meta findings
    are sorted.
    """
    entries: dict[str, list[_Entry]] = {}
    for comment in _sorted_comments(comments):
        directive = parse_directive(comment.text, rules, require_reason=require_reason)
        if directive is not None:
            entries.setdefault(comment.path, []).append(_Entry(comment, directive))
    ranges: dict[str, list[_Range]] = {}
    meta_ranges: dict[str, list[_Range]] = {}
    for path, file_entries in entries.items():
        _build_ranges(file_entries)
        all_ranges = [r for entry in file_entries for r in entry.ranges]
        ranges[path] = [r for r in all_ranges if r.code not in META_CODES]
        meta_ranges[path] = [
            r for r in all_ranges if r.code in META_CODES and file_entries[r.index].directive.verb == "file-ignore"
        ]
    kept = _drop_suppressed(findings, ranges, entries)
    invalid = [f for file_entries in entries.values() for entry in file_entries for f in _invalid_findings(entry)]
    meta = _drop_suppressed(invalid, meta_ranges, entries)
    unused = [f for file_entries in entries.values() for entry in file_entries for f in _unused_findings(entry, enabled, rules)]
    meta += _drop_suppressed(unused, meta_ranges, entries)
    meta.sort(key=lambda f: f.sort_key)
    return kept, meta
