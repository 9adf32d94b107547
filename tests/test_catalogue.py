"""The catalogue is documentation and test corpus at once: every example runs through the real pipeline."""

from __future__ import annotations

from pathlib import Path

import pytest

from corslint.catalogue import load_page, page_codes
from corslint.registry import load
from conftest import lint_tree

RULES = load(plugins=False).rules
SOURCES = load(plugins=False).sources
CASES = [
    pytest.param(code, index, id=f"{code}-{example.kind}{index}")
    for code in page_codes()
    for index, example in enumerate(load_page(code).examples)  # type: ignore[union-attr]
]


def test_every_rule_has_a_page_and_every_page_a_rule() -> None:
    assert sorted(rule.code for rule in RULES) == page_codes()


def test_readme_rule_table_matches_the_rules() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    rows = [line for line in readme.splitlines() if line.startswith("| [CORS")]
    expected = [
        f"| [{rule.code}](rules/{rule.code}-{rule.name}.md) | `{rule.name}` | {rule.severity.value}{'' if rule.default_enabled else ' (off by default)'} | {rule.summary} |"
        for rule in sorted(RULES, key=lambda r: r.code)
    ]
    assert rows == expected


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_page_matches_rule(rule) -> None:
    page = load_page(rule.code)
    assert page is not None
    assert (page.code, page.name) == (rule.code, rule.name)
    assert page.summary == rule.summary
    for section in ("Why this is a problem", "How to fix", "Problematic configuration", "Correct configuration",
                    "Options", "When it is safe to ignore", "References"):
        assert page.sections.get(section, "").strip(), f"{rule.code}: section {section!r} is missing or empty"
    assert len(page.first_paragraph("Why this is a problem")) <= 1024


@pytest.mark.parametrize("rule", [r for r in RULES if r.policy_rule], ids=lambda r: r.code)
def test_page_has_bad_and_good_examples_per_source(rule) -> None:
    page = load_page(rule.code)
    for source in SOURCES:
        if not source.states_policies or not any(rule().applies_to(label) for label in source.labels()):
            continue
        kinds = {ex.kind for ex in page.examples if ex.lang in source.example_langs}
        assert kinds == {"bad", "good"}, f"{rule.code}: needs a bad and a good example in {source.example_langs}"


@pytest.mark.parametrize("code,index", CASES)
def test_example(code: str, index: int, tmp_path: Path) -> None:
    example = load_page(code).examples[index]  # type: ignore[union-attr]
    target = tmp_path / example.filename
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(example.code, encoding="utf-8")
    for name, text in example.companions:
        companion = tmp_path / name
        companion.parent.mkdir(parents=True, exist_ok=True)
        companion.write_text(text, encoding="utf-8")
    settings = dict(example.config)
    settings["select"] = [code]
    result = lint_tree(tmp_path, settings)
    got = sorted((f.location.line, f.code) for f in result.findings if f.code == code)
    if example.kind == "bad":
        expected = example.expected()
        assert expected, "a bad example must mark its findings with expect[...]"
        assert got == expected, "\n".join(f"{f.location.line}: {f.code} {f.message}" for f in result.findings)
    else:
        assert got == [], "\n".join(f"{f.location.line}: {f.code} {f.message}" for f in result.findings)
