"""Go and Jinja template tags (`{{ … }}`, `{% … %}`, `{# … #}`) made harmless before a configuration is read, every
line and column kept: templates are never rendered, so what a tag would produce is unknown."""

from __future__ import annotations

from corslint.lazy_regex import lazy

TEMPLATE_TAG = lazy(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}")
# the placeholder a tag among other text becomes: `$tpl___…` in nginx (a variable), the same text in YAML
TEMPLATE_VARIABLE = "tpl"


def has_templates(text: str) -> bool:
    return "{{" in text or "{%" in text


def neutralise_templates(text: str) -> str:
    """A line holding only tags (control flow) becomes blank; a tag among other text becomes the placeholder
    `$tpl___…` of the tag's length, so a value it provides reads as unknown, not as text."""
    lines = text.splitlines(keepends=True)
    for index, line in enumerate(lines):
        if "{" not in line or TEMPLATE_TAG.search(line) is None:
            continue
        if not TEMPLATE_TAG.sub("", line).strip():
            lines[index] = TEMPLATE_TAG.sub(lambda m: " " * len(m.group()), line)
        else:
            lines[index] = TEMPLATE_TAG.sub(lambda m: "$" + TEMPLATE_VARIABLE.ljust(len(m.group()) - 1, "_"), line)
    return "".join(lines)


def is_placeholder(text: str) -> bool:
    """Does the text hold what a template tag would have produced?"""
    return "$" + TEMPLATE_VARIABLE in text
