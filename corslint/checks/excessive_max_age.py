"""CORS203: Access-Control-Max-Age above what browsers honour, or not a non-negative integer."""

from __future__ import annotations

from typing import Iterator, Optional

from corslint.checks._http_helpers import describe, header_hint
from corslint.findings import Finding, Severity
from corslint.lazy_regex import lazy
from corslint.model import CorsPolicy
from corslint.rule import ALL_SOURCES, Rule, RuleContext

CHROMIUM_CAP = 7200
FIREFOX_CAP = 86400
_DIGITS_RE = lazy(r"[0-9]+")
_MAX_DIGITS = 18


class ExcessiveMaxAge(Rule):
    code = "CORS203"
    name = "excessive-max-age"
    summary = (
        "Access-Control-Max-Age is above what browsers honour (Chromium caps it at 7200 s, Firefox at "
        "86400 s) or is not a non-negative integer, so browsers do not cache the preflight as intended."
    )
    severity = Severity.INFO
    tags = ("performance",)
    sources = ALL_SOURCES

    def check(self, policy: CorsPolicy, ctx: RuleContext) -> Iterator[Finding]:
        setting = policy.max_age
        if not setting.is_known or setting.value is None or setting.default:
            return  # a library's own default is not the user's choice to revisit
        origin = describe(setting.prov, policy.source, default=setting.default)
        seconds = parse_max_age(setting.value)
        hint = header_hint(policy, "Access-Control-Max-Age", str(CHROMIUM_CAP))
        if seconds is None:
            message = (
                f"Access-Control-Max-Age `{setting.value}` (from {origin}) is not a non-negative integer number of "
                "seconds, so browsers do not cache the preflight at all: Chromium treats an unparsable or negative "
                "value as 0 and Firefox disables caching for any non-digit. Every preflighted request then costs an "
                f"extra OPTIONS round trip; write plain seconds, at most {CHROMIUM_CAP}."
            )
            yield self.finding(policy, setting.prov, message, hint=hint)
        elif seconds > CHROMIUM_CAP:
            yield self.finding(policy, setting.prov, _too_long(seconds, origin), hint=hint)


def parse_max_age(value: object) -> Optional[int]:
    """Seconds as browsers read them, or None when a browser would not cache at all."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    text = str(value).strip().strip("'\"").strip()
    if not _DIGITS_RE.fullmatch(text):
        return None
    # a number of more digits than any cap is above every cap (and int() refuses a 4,300-digit string)
    return int(text) if len(text) <= _MAX_DIGITS else 10**_MAX_DIGITS


def _too_long(seconds: int, origin: str) -> str:
    if seconds > FIREFOX_CAP:
        effect = (
            f"above what any browser honours: Chromium caches a preflight for at most {CHROMIUM_CAP} s (2 h) and "
            f"Firefox for at most {FIREFOX_CAP} s (24 h), so the effective value is {CHROMIUM_CAP} s in Chromium "
            f"and {FIREFOX_CAP} s in Firefox"
        )
    else:
        effect = (
            f"above Chromium's cap: Chromium caches a preflight for at most {CHROMIUM_CAP} s (2 h), so the effective "
            f"value there is {CHROMIUM_CAP} s (Firefox honours up to {FIREFOX_CAP} s)"
        )
    return (
        f"Access-Control-Max-Age {seconds} (from {origin}) is {effect}. Use {CHROMIUM_CAP} or less so the "
        "configuration says what browsers really do."
    )
