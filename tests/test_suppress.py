"""Inline suppressions: the directive grammar, ranges, unused and invalid directives (CORS002/CORS003)."""

from __future__ import annotations

import random

import pytest

from corslint.findings import Finding, Severity
from corslint.model import Comment, Location
from corslint.rule import Rule
from corslint.suppress import Directive, apply_suppressions, parse_directive


def make_rule(code: str, name: str) -> type[Rule]:
    attrs = {"code": code, "name": name, "summary": f"{name}.", "severity": Severity.ERROR}
    return type(name.title().replace("-", ""), (Rule,), attrs)


RULES = [
    make_rule("CORS001", "parse-error"),
    make_rule("CORS002", "unused-suppression"),
    make_rule("CORS003", "invalid-suppression"),
    make_rule("CORS101", "credentialed-wildcard-origin"),
    make_rule("CORS102", "reflected-origin"),
    make_rule("CORS103", "wildcard-origin"),
    make_rule("CORS109", "null-origin-allowed"),
]
ENABLED = {rule.code for rule in RULES}
EXPECTED = "expected ignore[...], disable[...], enable[...] or file-ignore[...]"


def comment(line: int, text: str, *, covers: tuple[int, int] | None = None, own_line: bool = True,
            path: str = "nginx.conf", column: int = 9) -> Comment:
    span = covers if covers is not None else ((line + 1, line + 1) if own_line else (line, line))
    return Comment(path=path, line=line, column=column, text=text, own_line=own_line, covers=span, source="nginx")


def finding(code: str, line: int, path: str = "nginx.conf") -> Finding:
    name = next(rule.name for rule in RULES if rule.code == code)
    return Finding(code=code, name=name, severity=Severity.ERROR, message=f"{name} here", location=Location(path, line, 5),
                   source="nginx", raw="add_header Access-Control-Allow-Origin *")


def run(findings: list[Finding], comments: list[Comment], *, enabled: set[str] = ENABLED, require_reason: bool = False):
    kept, meta = apply_suppressions(findings, comments, rules=RULES, enabled=enabled, require_reason=require_reason)
    return [(f.code, f.location.line) for f in kept], [(f.code, f.location.line, f.message) for f in meta]


# ---------------------------------------------------------------- grammar


@pytest.mark.parametrize(
    "text,verb,codes,reason",
    [
        ("corslint: ignore[CORS101, reflected-origin] -- partner API", "ignore", ("CORS101", "CORS102"), "partner API"),
        (" corslint: ignore[CORS101]", "ignore", ("CORS101",), ""),
        ("# corslint: ignore[cors101]", "ignore", ("CORS101",), ""),
        ("// corslint: file-ignore[Wildcard-Origin] \u2014 legacy vhost", "file-ignore", ("CORS103",), "legacy vhost"),
        ("/* corslint: disable[CORS101,CORS102,] */", "disable", ("CORS101", "CORS102"), ""),
        ("*/ corslint: enable[CORS101] -- done */", "enable", ("CORS101",), "done"),
        ("CORSLINT: IGNORE[CORS101]", "ignore", ("CORS101",), ""),
        ("corslint:ignore [ CORS101 ]", "ignore", ("CORS101",), ""),
        ("corslint: ignore[CORS101] partner API", "ignore", ("CORS101",), "partner API"),
        ("TODO: corslint: ignore[CORS101] -- until v2", "ignore", ("CORS101",), "until v2"),
        ("corslint: ignore[CORS101, credentialed-wildcard-origin]", "ignore", ("CORS101",), ""),
        ("corslint: file-ignore[CORS002, CORS003]", "file-ignore", ("CORS002", "CORS003"), ""),
        ("corslint: ignore[CORS103] -- public; see corslint: docs", "ignore", ("CORS103",), "public; see corslint: docs"),
    ],
)
def test_valid_directives(text: str, verb: str, codes: tuple[str, ...], reason: str) -> None:
    assert parse_directive(text, RULES) == Directive(verb=verb, codes=codes, reason=reason)


@pytest.mark.parametrize(
    "text",
    ["", "corslint ignore[CORS101]", "checked by corslint in CI", "mycorslint: ignore[CORS101]", "pre-corslint: x",
     "noqa: CORS101"],
)
def test_not_a_directive(text: str) -> None:
    assert parse_directive(text, RULES) is None


UNKNOWN_999 = "unknown rule 'CORS999' (did you mean CORS109?); this comment suppresses nothing for it"


@pytest.mark.parametrize(
    "text,codes,problem",
    [
        ("corslint: ignore", (), "'corslint: ignore' needs a rule list such as ignore[CORS101]; there is no blanket form"),
        ("corslint: ignore -- everything  # expect[CORS003]", (),
         "'corslint: ignore' needs a rule list such as ignore[CORS101]; there is no blanket form"),
        ("corslint: disable CORS101", (), "'corslint: disable' needs a rule list such as disable[CORS101]; there is no blanket form"),
        ("corslint: ignore[]", (), "empty rule list in 'corslint: ignore[]'; name the rules (there is no blanket form)"),
        ("corslint: file-ignore[ , ]", (), "empty rule list in 'corslint: file-ignore[]'; name the rules (there is no blanket form)"),
        ("corslint: ignore[CORS101", (), "unbalanced brackets in 'corslint: ignore[': the rule list is never closed with ']'"),
        ("corslint: ignore[[CORS101]", (), "unbalanced brackets in 'corslint: ignore[...]': '[' inside the rule list"),
        ("corslint: ignore[CORS101]]", (), "unbalanced brackets in 'corslint: ignore[...]': a stray ']' after the rule list"),
        ("corslint: ignroe[CORS101]", (), f"unknown directive 'ignroe' (did you mean 'ignore'?); {EXPECTED}"),
        ("corslint: disabel[CORS101]", (), f"unknown directive 'disabel' (did you mean 'disable'?); {EXPECTED}"),
        ("corslint: noqa", (), f"unknown directive 'noqa'; {EXPECTED}"),
        ("corslint:", (), f"missing directive after 'corslint:'; {EXPECTED}"),
        ("corslint: [CORS101]", (), f"missing directive after 'corslint:'; {EXPECTED}"),
        ("corslint: ignore[CORS999] -- no such rule", (), UNKNOWN_999),
        ("corslint: ignore[CORS999, CORS101]", ("CORS101",), UNKNOWN_999),
        ("corslint: ignore[reflected-orign]", (),
         "unknown rule 'reflected-orign' (did you mean reflected-origin?); this comment suppresses nothing for it"),
        ("corslint: ignore[qwerty]", (), "unknown rule 'qwerty'; this comment suppresses nothing for it"),
        ("corslint: ignore[CORS1]", (), "'CORS1' is a prefix; name each rule by its code or name; this comment suppresses nothing for it"),
        ("corslint: ignore[ALL]", (), "'ALL' is a prefix; name each rule by its code or name; this comment suppresses nothing for it"),
        ("corslint: ignore[CORS101 CORS102]", (),
         "rules in the list must be separated by commas: 'CORS101 CORS102'; this comment suppresses nothing for it"),
        ("corslint: ignore[CORS002, CORS101]", ("CORS101",),
         "CORS002 can only be suppressed with 'corslint: file-ignore[CORS002]'; this comment suppresses nothing for it"),
        ("corslint: disable[invalid-suppression]", (),
         "CORS003 can only be suppressed with 'corslint: file-ignore[CORS003]'; this comment suppresses nothing for it"),
    ],
)
def test_malformed_directives(text: str, codes: tuple[str, ...], problem: str) -> None:
    directive = parse_directive(text, RULES)
    assert directive is not None
    assert directive.problems == [problem]
    assert directive.codes == codes


@pytest.mark.parametrize(
    "text,problems",
    [
        ("corslint: ignore[CORS101]", ["missing reason: require-suppression-reason is on, so write "
                                       "'corslint: ignore[...] -- why'; this comment suppresses nothing"]),
        ("corslint: file-ignore[CORS101] --", ["missing reason: require-suppression-reason is on, so write "
                                               "'corslint: file-ignore[...] -- why'; this comment suppresses nothing"]),
        ("corslint: ignore[CORS101] -- partner API", []),
        ("corslint: ignore[CORS101] partner API", []),
        ("corslint: enable[CORS101]", []),
    ],
)
def test_require_reason(text: str, problems: list[str]) -> None:
    directive = parse_directive(text, RULES, require_reason=True)
    assert directive is not None
    assert directive.problems == problems
    assert directive.inert is bool(problems)


# ---------------------------------------------------------------- ranges


def test_trailing_comment_covers_its_statement() -> None:
    kept, meta = run(
        [finding("CORS102", 4), finding("CORS101", 4), finding("CORS102", 5)],
        [comment(4, " corslint: ignore[CORS102] -- partner API", own_line=False)],
    )
    assert kept == [("CORS101", 4), ("CORS102", 5)]
    assert meta == []


def test_own_line_comment_covers_the_next_statement_range() -> None:
    findings = [finding("CORS103", 4), finding("CORS103", 5), finding("CORS103", 8), finding("CORS103", 9)]
    kept, meta = run(findings, [comment(4, "corslint: ignore[wildcard-origin]", covers=(5, 8))])
    assert kept == [("CORS103", 4), ("CORS103", 9)]
    assert meta == []


def test_same_line_in_another_file_is_not_suppressed() -> None:
    kept, _ = run([finding("CORS102", 4, path="other.conf")], [comment(4, "corslint: ignore[CORS102]", own_line=False)])
    assert kept == [("CORS102", 4)]


def test_disable_enable_range_is_inclusive() -> None:
    findings = [finding("CORS101", line) for line in (1, 2, 5, 10, 11)] + [finding("CORS102", 5)]
    comments = [comment(2, "corslint: disable[CORS101] -- legacy block"), comment(10, "corslint: enable[CORS101]")]
    kept, meta = run(findings, comments)
    assert kept == [("CORS101", 1), ("CORS101", 11), ("CORS102", 5)]
    assert meta == []


def test_unclosed_disable_runs_to_end_of_file() -> None:
    kept, meta = run([finding("CORS101", 1), finding("CORS101", 900)], [comment(3, "corslint: disable[CORS101]")])
    assert kept == [("CORS101", 1)]
    assert meta == []


def test_enable_closes_only_its_codes() -> None:
    comments = [comment(2, "corslint: disable[CORS101, CORS102]"), comment(5, "corslint: enable[CORS101]")]
    kept, _ = run([finding("CORS101", 7), finding("CORS102", 7)], comments)
    assert kept == [("CORS101", 7)]


def test_nested_disables_pair_with_the_innermost() -> None:
    comments = [
        comment(2, "corslint: disable[CORS101]"),
        comment(4, "corslint: disable[CORS101]"),
        comment(6, "corslint: enable[CORS101]"),
        comment(8, "corslint: enable[CORS101]"),
    ]
    kept, meta = run([finding("CORS101", 5), finding("CORS101", 7), finding("CORS101", 9)], comments)
    assert kept == [("CORS101", 9)]
    assert meta == []
    kept, meta = run([finding("CORS101", 7)], comments)
    assert kept == []
    assert meta == [("CORS002", 4, "unused suppression: no CORS101 (credentialed-wildcard-origin) finding between here "
                                    "and its enable on line 6; remove the comment")]


def test_enable_without_disable_is_invalid() -> None:
    comments = [comment(2, "corslint: disable[CORS101]"), comment(5, "corslint: enable[CORS101, CORS102]")]
    kept, meta = run([finding("CORS101", 3)], comments)
    assert kept == []
    assert meta == [("CORS003", 5, "'enable[CORS102]' has no matching 'disable[CORS102]' above it; this comment does nothing for it")]


def test_enable_in_another_file_does_not_close() -> None:
    comments = [comment(2, "corslint: disable[CORS101]"), comment(5, "corslint: enable[CORS101]", path="b.conf")]
    kept, meta = run([finding("CORS101", 9)], comments)
    assert kept == []
    assert meta == [("CORS003", 5, "'enable[CORS101]' has no matching 'disable[CORS101]' above it; this comment does nothing for it")]


def test_file_ignore_covers_the_whole_file_only() -> None:
    findings = [finding("CORS103", 1), finding("CORS103", 40), finding("CORS103", 1, path="b.conf"), finding("CORS101", 2)]
    kept, meta = run(findings, [comment(20, "corslint: file-ignore[CORS103] -- static assets only")])
    assert kept == [("CORS103", 1), ("CORS101", 2)]
    assert meta == []


# ---------------------------------------------------------------- unused and invalid directives


def test_unused_code_in_a_list() -> None:
    kept, meta = run([finding("CORS102", 5)], [comment(4, "corslint: ignore[CORS101, CORS102]")])
    assert kept == []
    assert meta == [("CORS002", 4, "unused suppression: no CORS101 (credentialed-wildcard-origin) finding on line 5; "
                                    "remove it from the list")]
    _, meta = run([finding("CORS103", 5)], [comment(4, "corslint: ignore[CORS101, CORS102, CORS103]")])
    assert meta == [("CORS002", 4, "unused suppression: no CORS101 (credentialed-wildcard-origin) or CORS102 "
                                    "(reflected-origin) finding on line 5; remove them from the list")]


def test_unused_whole_comment() -> None:
    kept, meta = run([finding("CORS103", 9)], [comment(4, "corslint: ignore[CORS103, CORS102]", covers=(5, 7))])
    assert kept == [("CORS103", 9)]
    assert meta == [("CORS002", 4, "unused suppression: no CORS103 (wildcard-origin) or CORS102 (reflected-origin) finding "
                                    "on lines 5-7; remove the comment")]


def test_unused_file_ignore_and_disable() -> None:
    comments = [comment(1, "corslint: file-ignore[CORS109]"), comment(3, "corslint: disable[CORS101]")]
    _, meta = run([], comments)
    assert meta == [
        ("CORS002", 1, "unused suppression: no CORS109 (null-origin-allowed) finding in this file; remove the comment"),
        ("CORS002", 3, "unused suppression: no CORS101 (credentialed-wildcard-origin) finding from here to the end of "
                       "the file; remove the comment"),
    ]


def test_unused_is_only_reported_for_enabled_codes() -> None:
    comments = [comment(4, "corslint: ignore[CORS101, CORS102]")]
    _, meta = run([], comments, enabled={"CORS002", "CORS003", "CORS102"})
    assert meta == [("CORS002", 4, "unused suppression: no CORS102 (reflected-origin) finding on line 5; remove it from the list")]
    _, meta = run([], comments, enabled={"CORS002", "CORS003", "CORS103"})
    assert meta == []


def test_meta_finding_shape_and_stable_fingerprint() -> None:
    text = " corslint: ignore[CORS999] -- no such rule"
    _, first = apply_suppressions([], [comment(3, text, column=9)], rules=RULES, enabled=ENABLED)
    _, moved = apply_suppressions([], [comment(30, text, column=9)], rules=RULES, enabled=ENABLED)
    (meta,) = first
    assert (meta.code, meta.name, meta.severity) == ("CORS003", "invalid-suppression", Severity.WARNING)
    assert meta.location == Location("nginx.conf", 3, 9)
    assert (meta.source, meta.raw, meta.message) == ("nginx", text, UNKNOWN_999)
    assert meta.fingerprint() == moved[0].fingerprint()
    _, unused = apply_suppressions([], [comment(3, "corslint: ignore[CORS101]")], rules=RULES, enabled=ENABLED)
    assert (unused[0].code, unused[0].name, unused[0].severity) == ("CORS002", "unused-suppression", Severity.INFO)


def test_unknown_code_does_not_stop_the_others() -> None:
    kept, meta = run([finding("CORS101", 5)], [comment(4, "corslint: ignore[CORS999, CORS101] -- reason")])
    assert kept == []
    assert meta == [("CORS003", 4, UNKNOWN_999)]


def test_every_problem_is_reported() -> None:
    _, meta = run([], [comment(4, "corslint: ignore[CORS999, CORS1, credentialed-wildcard-origin]")])
    assert meta == [
        ("CORS002", 4, "unused suppression: no CORS101 (credentialed-wildcard-origin) finding on line 5; remove it from the list"),
        ("CORS003", 4, "'CORS1' is a prefix; name each rule by its code or name; this comment suppresses nothing for it"),
        ("CORS003", 4, UNKNOWN_999),
    ]


def test_malformed_directive_suppresses_nothing() -> None:
    kept, meta = run([finding("CORS101", 5)], [comment(4, "corslint: ignore -- all of it")])
    assert kept == [("CORS101", 5)]
    assert [code for code, _, _ in meta] == ["CORS003"]


def test_require_reason_makes_reasonless_directives_inert() -> None:
    missing = "missing reason: require-suppression-reason is on, so write 'corslint: ignore[...] -- why'; this comment suppresses nothing"
    kept, meta = run([finding("CORS101", 5), finding("CORS102", 8)],
                     [comment(4, "corslint: ignore[CORS101]"), comment(7, "corslint: ignore[CORS102] -- partner API")],
                     require_reason=True)
    assert kept == [("CORS101", 5)]
    assert meta == [("CORS003", 4, missing)]


def test_require_reason_disable_still_pairs_with_its_enable() -> None:
    comments = [comment(2, "corslint: disable[CORS101]"), comment(6, "corslint: enable[CORS101]")]
    kept, meta = run([finding("CORS101", 4)], comments, require_reason=True)
    assert kept == [("CORS101", 4)]
    assert meta == [("CORS003", 2, "missing reason: require-suppression-reason is on, so write "
                                    "'corslint: disable[...] -- why'; this comment suppresses nothing")]


def test_meta_findings_only_yield_to_file_ignore() -> None:
    comments = [
        comment(1, "corslint: file-ignore[CORS003] -- generated file"),
        comment(4, "corslint: ignroe[CORS101]"),
        comment(6, "corslint: ignore[CORS101]"),
    ]
    _, meta = run([], comments)
    assert meta == [("CORS002", 6, "unused suppression: no CORS101 (credentialed-wildcard-origin) finding on line 7; "
                                    "remove the comment")]
    _, meta = run([], comments + [comment(2, "corslint: file-ignore[CORS002]")])
    assert meta == []


def test_unused_file_ignore_of_meta_codes() -> None:
    _, meta = run([], [comment(1, "corslint: file-ignore[CORS003]")])
    assert meta == [("CORS002", 1, "unused suppression: no CORS003 (invalid-suppression) finding in this file; "
                                   "remove the comment")]
    _, meta = run([], [comment(1, "corslint: file-ignore[CORS002, CORS003]")])
    assert meta == []


def test_names_and_codes_are_interchangeable() -> None:
    comments = [comment(4, "corslint: ignore[Reflected-Origin, CORS101]", own_line=False)]
    kept, meta = run([finding("CORS102", 4), finding("CORS101", 4)], comments)
    assert (kept, meta) == ([], [])


def test_prose_mentioning_corslint_is_ignored() -> None:
    kept, meta = run([finding("CORS101", 5)], [comment(4, "checked by corslint nightly; ignore[CORS101] here")])
    assert (kept, meta) == ([("CORS101", 5)], [])


def test_output_is_deterministic() -> None:
    comments = [
        comment(4, "corslint: ignore[CORS101, CORS999]"),
        comment(9, "corslint: disable[CORS103]"),
        comment(2, "corslint: ignore[CORS102]", path="b.conf"),
        comment(12, "corslint: enable[CORS109]"),
    ]
    findings = [finding("CORS103", 10), finding("CORS101", 1), finding("CORS102", 3, path="b.conf")]
    expected = apply_suppressions(findings, comments, rules=RULES, enabled=ENABLED)
    shuffled = comments[:]
    random.Random(7).shuffle(shuffled)
    assert apply_suppressions(findings, shuffled, rules=RULES, enabled=ENABLED) == expected
    assert [(f.location.path, f.location.line, f.code) for f in expected[1]] == [
        ("nginx.conf", 4, "CORS002"), ("nginx.conf", 4, "CORS003"), ("nginx.conf", 12, "CORS003"),
    ]
    assert [(f.code, f.location.line) for f in expected[0]] == [("CORS101", 1)]
