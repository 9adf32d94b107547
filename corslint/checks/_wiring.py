"""Shared by the framework-wiring rules (5xx): reading the WiringFacts sources state (their kinds live in the model)."""

from __future__ import annotations

from typing import Iterator

from corslint.model import CorsPolicy, WiringFact


def facts(policy: CorsPolicy, *kinds: str) -> Iterator[WiringFact]:
    for fact in policy.wiring:
        if fact.kind in kinds:
            yield fact
