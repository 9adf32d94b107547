"""Rule selection: codes, names, prefixes, ALL, ruff's specificity order, unknown selectors."""

from __future__ import annotations

import pytest

from corslint.findings import Severity
from corslint.rule import Rule
from corslint.selection import SelectionError, code_for, enabled_codes, resolve, specificity


def make_rule(code: str, name: str, *, default_enabled: bool = True, aliases: tuple[str, ...] = ()) -> type[Rule]:
    attrs = {"code": code, "name": name, "summary": f"{name}.", "severity": Severity.WARNING,
             "default_enabled": default_enabled, "aliases": aliases}
    return type(name.title().replace("-", ""), (Rule,), attrs)


RULES = [
    make_rule("CORS001", "parse-error"),
    make_rule("CORS002", "unused-suppression"),
    make_rule("CORS101", "credentialed-wildcard-origin"),
    make_rule("CORS102", "reflected-origin", aliases=("origin-reflection",)),
    make_rule("CORS103", "wildcard-origin"),
    make_rule("CORS110", "null-origin-allowed"),
    make_rule("CORS201", "preflight-not-handled"),
    make_rule("CORS901", "origin-not-allowlisted", default_enabled=False),
    make_rule("ACME101", "acme-too-many-origins"),
]
DEFAULT = {"CORS001", "CORS002", "CORS101", "CORS102", "CORS103", "CORS110", "CORS201", "ACME101"}


@pytest.mark.parametrize(
    "selector,expected",
    [
        ("CORS101", {"CORS101"}),
        ("cors101", {"CORS101"}),
        ("credentialed-wildcard-origin", {"CORS101"}),
        ("Reflected-Origin", {"CORS102"}),
        ("origin-reflection", {"CORS102"}),
        ("CORS1", {"CORS101", "CORS102", "CORS103", "CORS110"}),
        ("CORS10", {"CORS101", "CORS102", "CORS103"}),
        ("CORS11", {"CORS110"}),
        ("CORS0", {"CORS001", "CORS002"}),
        ("CORS9", {"CORS901"}),
        ("CORS", DEFAULT - {"ACME101"} | {"CORS901"}),
        ("ACME", {"ACME101"}),
        ("ALL", DEFAULT | {"CORS901"}),
        ("all", DEFAULT | {"CORS901"}),
        (" CORS103 ", {"CORS103"}),
    ],
)
def test_resolve(selector: str, expected: set[str]) -> None:
    assert resolve(selector, RULES) == expected


@pytest.mark.parametrize(
    "selector,message",
    [
        ("CORS999", "unknown rule or prefix 'CORS999' (did you mean 'CORS901'?)"),
        ("CORS3", "unknown rule or prefix 'CORS3' (did you mean 'CORS103'?)"),
        ("COR", "unknown rule or prefix 'COR' (did you mean 'CORS'?)"),
        ("CORS1011", "unknown rule or prefix 'CORS1011' (did you mean 'CORS101'?)"),
        ("reflected-origins", "unknown rule or prefix 'reflected-origins' (did you mean 'reflected-origin'?)"),
        ("wildcard", "unknown rule or prefix 'wildcard' (did you mean 'wildcard-origin'?)"),
        ("zzz", "unknown rule or prefix 'zzz'"),
        ("", "unknown rule or prefix ''"),
    ],
)
def test_resolve_unknown(selector: str, message: str) -> None:
    with pytest.raises(SelectionError) as info:
        resolve(selector, RULES)
    assert str(info.value) == message


def test_code_for_accepts_exact_code_or_name_only() -> None:
    assert code_for("CORS103", RULES) == "CORS103"
    assert code_for("WILDCARD-ORIGIN", RULES) == "CORS103"
    assert code_for("origin-reflection", RULES) == "CORS102"
    assert code_for("CORS1", RULES) is None
    assert code_for("ALL", RULES) is None
    assert code_for("CORS999", RULES) is None


def test_specificity_order() -> None:
    levels = [specificity(s, RULES) for s in ("ALL", "CORS", "CORS1", "CORS10", "CORS101", "reflected-origin")]
    assert levels == [0, 1, 2, 3, 100, 100]


@pytest.mark.parametrize(
    "kwargs,expected",
    [
        ({}, DEFAULT),
        ({"select": ("CORS1",)}, {"CORS101", "CORS102", "CORS103", "CORS110"}),
        ({"select": ("CORS1",), "ignore": ("CORS103",)}, {"CORS101", "CORS102", "CORS110"}),
        ({"select": ("CORS101",), "ignore": ("CORS1",)}, {"CORS101"}),
        ({"select": ("CORS1",), "ignore": ("CORS1",)}, set()),
        ({"select": ("CORS101",), "ignore": ("credentialed-wildcard-origin",)}, set()),
        ({"select": ("ALL",), "ignore": ("CORS0", "ACME")}, {"CORS101", "CORS102", "CORS103", "CORS110", "CORS201", "CORS901"}),
        ({"extend_select": ("CORS901",)}, DEFAULT | {"CORS901"}),
        ({"ignore": ("CORS1", "ACME101")}, {"CORS001", "CORS002", "CORS201"}),
        ({"ignore": ("CORS",), "extend_select": ("CORS10",)}, {"CORS101", "CORS102", "CORS103", "ACME101"}),
        ({"select": ("reflected-origin",), "extend_select": ("wildcard-origin",)}, {"CORS102", "CORS103"}),
        ({"select": ("CORS101",), "auto_enabled": {"CORS901"}}, {"CORS101"}),
        ({"auto_enabled": {"CORS901"}}, DEFAULT | {"CORS901"}),
        ({"auto_enabled": {"CORS901"}, "ignore": ("CORS9",)}, DEFAULT),
        ({"auto_enabled": {"CORS901"}, "ignore": ("ALL",), "extend_select": ("CORS201",)}, {"CORS201"}),
        ({"auto_enabled": {"NOPE001"}}, DEFAULT),
    ],
)
def test_enabled_codes(kwargs: dict, expected: set[str]) -> None:
    assert enabled_codes(RULES, **kwargs) == expected


def test_enabled_codes_rejects_unknown_selectors() -> None:
    with pytest.raises(SelectionError, match=r"^unknown rule or prefix 'CORS77' \(did you mean 'CORS901'\?\)$"):
        enabled_codes(RULES, ignore=("CORS77",))
    with pytest.raises(SelectionError, match="did you mean 'wildcard-origin'"):
        enabled_codes(RULES, select=("wildcard-orign",))
