"""The rule interface every check implements, and the context checks receive."""

from __future__ import annotations

from typing import Any, ClassVar, Iterable, Iterator, Optional

from corslint.findings import Confidence, Finding, Severity
from corslint.model import CorsPolicy, Provenance, Related
from corslint.records import field, record

ALL_SOURCES: frozenset[str] = frozenset({"*"})


@record(frozen=True)
class Option:
    """A per-rule option: its type name (str, int, bool, list[str]), default and help text."""

    type: str
    default: Any
    help: str


@record
class RuleContext:
    """What a check may know besides the policy: shared facts from the configuration and its own options."""

    trusted_origins: tuple[str, ...] = ()
    public_paths: tuple[str, ...] = ()
    options: dict[str, Any] = field(default_factory=dict)
    # the request paths across layers (`corslint.layers.links.Layers`), when the policy is on one; None otherwise
    layers: Any = None

    def option(self, name: str, default: Any = None) -> Any:
        return self.options.get(name, default)

    def paths_of(self, policy: CorsPolicy) -> list:
        """The linked request paths `policy` is on (as the proxy or an application scope); [] when none."""
        return self.layers.of(policy) if self.layers is not None else []


class Rule:
    """Base class of a check. Subclasses set the class attributes and implement `check`.

    Meta rules (`policy_rule = False`) are produced by the engine itself (parse errors,
    suppression problems); they are registered so they can be selected and documented.
    """

    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]
    severity: ClassVar[Severity]
    confidence: ClassVar[Confidence] = Confidence.HIGH
    sources: ClassVar[frozenset[str]] = ALL_SOURCES
    # sources whose products make the finding impossible, though `sources` takes them in
    never_on: ClassVar[frozenset[str]] = frozenset()
    options: ClassVar[dict[str, Option]] = {}
    security_severity: ClassVar[Optional[float]] = None
    tags: ClassVar[tuple[str, ...]] = ("security",)
    policy_rule: ClassVar[bool] = True
    default_enabled: ClassVar[bool] = True

    def applies_to(self, source: str) -> bool:
        return source not in self.never_on and ("*" in self.sources or source in self.sources)

    def check(self, policy: CorsPolicy, ctx: RuleContext) -> Iterable[Finding]:
        return ()

    def finding(
        self,
        policy: CorsPolicy,
        prov: Optional[Provenance],
        message: str,
        *,
        severity: Optional[Severity] = None,
        confidence: Optional[Confidence] = None,
        hint: str = "",
        related: Iterable[Related] = (),
    ) -> Finding:
        location = prov.location if prov else policy.location
        context = (prov.context if prov and prov.context else policy.scope)
        return Finding(
            code=self.code,
            name=self.name,
            severity=severity or self.severity,
            message=message,
            location=location,
            source=policy.source,
            context=context,
            confidence=confidence or self.confidence,
            hint=hint,
            related=(tuple(prov.related) if prov else ()) + tuple(related),
            raw=prov.raw if prov else "",
        )


SHOWN_LIMIT = 120


def shown(value: str, limit: int = SHOWN_LIMIT) -> str:
    """A configured value as messages quote it: whole when short, else its start and its length (a 100 KB line stays one)."""
    if len(value) <= limit:
        return value
    return f"{value[: limit - 1]}… ({len(value)} characters)"


def where(prov: Optional[Provenance]) -> str:
    """A short 'from …' phrase naming where a value came from, for messages."""
    if prov is None:
        return "the library default"
    return f"`{shown(prov.raw)}`" if prov.raw else f"line {prov.location.line}"


RuleIterator = Iterator[Finding]
