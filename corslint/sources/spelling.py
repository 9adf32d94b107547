"""Which known setting name an unknown one most likely misspells, for the sources that report typos."""

from __future__ import annotations

from typing import Iterable


def close_name(name: str, known: Iterable[str], cutoff: float = 0.75) -> str:
    """The known name `name` most likely misspells: close as a string, then sharing the most words
    (`CORS_ORIGIN_ALLOW_HEADER` means `CORS_ALLOW_HEADERS`, not `CORS_ORIGIN_ALLOW_ALL`)."""
    import difflib

    found = difflib.get_close_matches(name, list(known), n=5, cutoff=cutoff)
    if not found:
        return ""
    words = _words(name)
    return max(found, key=lambda candidate: (_shared_words(words, _words(candidate)), -found.index(candidate)))


def _words(name: str) -> list[str]:
    return [word for word in name.lower().replace("-", "_").split("_") if word]


def _shared_words(words: list[str], other: list[str]) -> int:
    """Words of `other` that match one of `words` (a typo or a plural still matches), minus those that match none."""
    import difflib

    matched = sum(1 for word in other if difflib.get_close_matches(word, words, n=1, cutoff=0.8))
    return matched - (len(other) - matched)
