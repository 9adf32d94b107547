"""What a pattern analysis returns, its work limits and the explanations it gives."""

from __future__ import annotations

from typing import Optional

from corslint.records import record

MAX_PATTERN_CHARS = 8192
MAX_GROUP_DEPTH = 64
MAX_PROGRAM = 6000
ANALYSIS_STEPS = 150_000
ACCEPT_STEPS = 40_000
FALLBACK_STEPS = 100_000
FALLBACK_SAMPLES = 8
BACKTRACK_LIMIT = 1_000_000
GEN_CAP = 32
DIALECTS = ("pcre", "python", "js", "go", "ere")
ATTACKER = "attacker.test"
BUDGET_ERROR = "too complex to analyse within the budget"

SUFFIX_WHY = "the pattern is not anchored at the end, so a host that merely starts with the trusted one matches"
NO_DOT_WHY = "nothing requires a dot before the trusted domain, so a host that merely ends with it matches"
DOT_WHY = "an unescaped `.` matches any character, not only a dot"
ANY_WHY = "the pattern accepts every origin"
UNRELATED_WHY = "the pattern accepts hosts unrelated to the trusted one"
SCHEME_WHY = "the scheme is not pinned, so the plain-http origin matches and anyone on the network path can act as it"
NULL_WHY = "the pattern also matches the origin `null`, which sandboxed iframes and file: pages send"
OPEN_SUFFIX_WHY = "the pattern accepts every domain under `.{suffix}`, and anyone can register one"
ATTACKER_HOST_WHY = "the pattern accepts a host under a domain anyone can register"
KIND_ORDER = ("any-origin", "suffix", "no-dot-boundary", "unescaped-dot", "null", "scheme")


@record(frozen=True)
class Bypass:
    """A concrete origin an attacker can obtain that the pattern accepts, and why."""

    kind: str
    origin: str
    explanation: str


@record(frozen=True)
class PatternReport:
    """What an origin pattern accepts, as far as corslint could tell within its work budget.

    `exhausted` means the exact analysis ran out of budget. Then `ok` is False and `error` says why, unless the
    cheap fallback probe found bypasses: `ok` is True, `error` still names the budget, `bypasses` holds only origins
    the bounded matcher definitely accepted, and the other fields stay at their cautious defaults (nothing intended,
    no wildcard or shared host, no plain http or local origin). The same probe runs when the exact analysis finishes
    without finding any origin the pattern spells and accepts (`intended` None, no bypass); then `exhausted` stays
    False.
    """

    ok: bool
    error: str
    intended: Optional[str]
    bypasses: tuple[Bypass, ...]
    accepts_any: bool
    accepts_null: bool
    subdomain_wildcard: Optional[str]
    shared_host: Optional[str]
    accepts_http: bool
    accepts_local: bool
    exhausted: bool


def failed_report(error: str, *, exhausted: bool) -> PatternReport:
    return PatternReport(
        ok=False, error=error, intended=None, bypasses=(), accepts_any=False, accepts_null=False,
        subdomain_wildcard=None, shared_host=None, accepts_http=False, accepts_local=False, exhausted=exhausted,
    )


class Exhausted(Exception):
    """The work budget ran out."""


class Refused(Exception):
    """The pattern cannot be analysed; `exhausted` tells whether that is for complexity."""

    def __init__(self, message: str, *, exhausted: bool) -> None:
        super().__init__(message)
        self.exhausted = exhausted
