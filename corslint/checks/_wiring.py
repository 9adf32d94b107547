"""Shared by the framework-wiring rules (5xx): the WiringFact kinds sources state, and how rules read them."""

from __future__ import annotations

from typing import Iterator

from corslint.model import CorsPolicy, WiringFact

MIDDLEWARE_ORDER = "middleware-order"  # the CORS middleware runs after something that can answer first
NOT_INSTALLED = "not-installed"  # the CORS middleware/app is configured but not registered
DEPRECATED_OPTION = "deprecated-option"  # subject = old name, replacement = current name
UNKNOWN_OPTION = "unknown-option"  # subject = the name, replacement = the likely intended name or ""
VULNERABLE_VERSION = "vulnerable-version"  # subject = "package==version", detail = advisories, replacement = fixed version


def facts(policy: CorsPolicy, *kinds: str) -> Iterator[WiringFact]:
    for fact in policy.wiring:
        if fact.kind in kinds:
            yield fact
