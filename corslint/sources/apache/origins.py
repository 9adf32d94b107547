"""Apache source, origin layer: what an `Access-Control-Allow-Origin` header value admits.

Reads literal values, `%{VAR}e` fed by `SetEnvIf[NoCase] Origin regex VAR=$0`, `expr=%{req:Origin}` and the `env=`,
`expr=` and `<If>` conditions that gate an echoed Origin.
"""

from __future__ import annotations

import re
from typing import Optional

from corslint import origins
from corslint.lazy_regex import lazy
from corslint.model import MatchMode, OriginKind, OriginRule, Provenance, Related
from corslint.sources.apache.headers import EnvDefinition, Sent

_ENV_REF = lazy(r"%\{([^}]+)\}e")
_BACKREF = lazy(r"^\$([0-9])$")
_EXPR_ORIGIN = lazy(r"%\{\s*(?:req|http|req_novary)\s*:\s*origin\s*\}|%\{\s*HTTP:Origin\s*\}", re.IGNORECASE)
_REFLECT_EXPR = lazy(r"^\s*" + _EXPR_ORIGIN.pattern + r"\s*$", re.IGNORECASE)
_COMPARE = lazy(r"\s*(=~|==|-in)\s*", re.IGNORECASE)
_STRING = lazy(r"'([^']*)'|\"([^\"]*)\"")
_ALL = frozenset({".*", ".+", "(.*)", "(.+)", "^.*$", "^.+$", "^(.*)$", "^(.+)$"})
HTTP_ORIGIN_ASSUMPTION = (
    "`%{HTTP_ORIGIN}e` reads the environment; Apache puts the request's Origin there as HTTP_ORIGIN when a CGI, PHP "
    "or SSI handler builds its environment, so script responses echo any origin (for plain files it is empty)"
)
SETENVIF_NOTE = (
    "SetEnvIf searches the Origin unanchored, but only the matched part ($0) is copied into the header, so a browser "
    "accepts only origins the regex matches in full"
)


def origin_rules(sent: Sent, env: dict[str, list[EnvDefinition]], gates: list[str]) -> list[OriginRule]:
    directive = sent.directive
    value = directive.value.strip()
    prov = directive.prov(directive.value_index)
    if sent.edited:
        return [OriginRule(OriginKind.UNKNOWN, value, prov, note="rewritten by a later `Header edit`")]
    request_data = not_an_origin(value)
    if request_data:
        return [OriginRule(OriginKind.UNKNOWN, value, prov, note="filled from the request", request_data=request_data)]
    if value.lower().startswith("expr="):
        if _REFLECT_EXPR.match(value[5:]):
            return _gated(prov, value, env, _conditions(directive.condition, gates), "")
        return [OriginRule(OriginKind.UNKNOWN, value, prov, note="an ap_expr value corslint does not evaluate")]
    match = _ENV_REF.fullmatch(value)
    if match is not None:
        return _from_env(match.group(1), prov, env, _conditions(directive.condition, gates))
    if "%{" in value or re.search(r"%[tDlib]", value):
        return [OriginRule(OriginKind.UNKNOWN, value, prov, note="a mod_headers format corslint does not evaluate")]
    return [literal_rule(value, prov)]


# `expr=%{HTTP_HOST}`, `expr=%{REQUEST_URI}`, `expr=%{HTTP:Referer}`, `%{HTTP_REFERER}e`: request data that is never
# an Origin; `%{Host}i` is mod_headers' `%i`, the server's idle percentage (`i=97`): mod_headers has no request-header
# format, whatever the braces name
_REQUEST_VALUE = lazy(
    r"(?i)^(?:(?P<idle>%(?:\{[^{}]*\})?i)|(?:expr=\s*)?%\{(?:(?:HTTP:|req:|http:)?(?P<header>host|referer)"
    r"|(?P<var>HTTP_HOST|HTTP_REFERER|REQUEST_URI))\}e?)$"
)
_REQUEST_KIND = {"host": "host", "http_host": "host", "referer": "referer", "http_referer": "referer", "request_uri": "path"}


def not_an_origin(value: str) -> str:
    """"host", "path" or "referer" when the header value is that piece of the request, "idle" for mod_headers' idle
    percentage, else ""."""
    match = _REQUEST_VALUE.match(value.strip().strip('"'))
    if match is None:
        return ""
    if match.group("idle"):
        return "idle"
    return _REQUEST_KIND[(match.group("header") or match.group("var")).lower()]


def literal_rule(value: str, prov: Provenance, note: str = "") -> OriginRule:
    if value == "*":
        return OriginRule(OriginKind.ANY, "*", prov, note=note)
    if value == "null":
        return OriginRule(OriginKind.NULL, "null", prov, note=note)
    return OriginRule(OriginKind.EXACT, value, prov, note=note)


def _conditions(condition: str, gates: list[str]) -> list[str]:
    return ([condition] if condition else []) + gates


def _from_env(variable: str, prov: Provenance, env: dict[str, list[EnvDefinition]], gates: list[str]) -> list[OriginRule]:
    definitions = env.get(variable, [])
    if not definitions:
        if variable.upper() == "HTTP_ORIGIN":
            return _gated(prov, f"%{{{variable}}}e", env, gates, HTTP_ORIGIN_ASSUMPTION)
        note = f"the variable {variable} is not set in the scanned configuration"
        return [OriginRule(OriginKind.UNKNOWN, f"%{{{variable}}}e", prov, note=note)]
    related = Related(prov.location, f"copied into Access-Control-Allow-Origin by `{prov.raw}`")
    rules = []
    for definition in definitions:
        rules.append(_from_definition(definition, prov, related))
    return rules


def _from_definition(definition: EnvDefinition, header: Provenance, related: Related) -> OriginRule:
    prov = definition.prov(header.context).with_related(related)
    backref = _BACKREF.match(definition.value)
    if not definition.on_origin:
        if definition.attribute or "$" in definition.value:
            note = f"{definition.variable} is set by `{definition.node.raw}`, which does not test Origin"
            return OriginRule(OriginKind.UNKNOWN, definition.value, prov, note=note)
        return literal_rule(definition.value, prov, note=f"set by `{definition.node.raw}`")
    if backref is None:
        if "$" in definition.value:
            note = f"`{definition.node.raw}` builds the value from parts of the match"
            return OriginRule(OriginKind.UNKNOWN, definition.value, prov, note=note)
        return literal_rule(definition.value, prov, note=f"set when the Origin matches `{definition.regex}`")
    return _echoed_match(definition, int(backref.group(1)), prov)


def _echoed_match(definition: EnvDefinition, group: int, prov: Provenance) -> OriginRule:
    """A `$N` copy of the matched Origin: only origins the copied part equals in full can pass the browser's check."""
    regex = definition.regex
    pattern = regex
    if group > 0:
        span = capture_group(regex, group)
        if span is None:
            note = f"`${group}` names no capture group of `{regex}`, so the variable is empty"
            return OriginRule(OriginKind.UNKNOWN, definition.value, prov, note=note)
        if not _spans_body(regex, span):
            note = f"only capture group {group} of `{regex}`, a part of the Origin, is copied into the header"
            return OriginRule(OriginKind.UNKNOWN, definition.value, prov, note=note)
    if _accepts_all(pattern, definition.ignore_case):
        return OriginRule(OriginKind.REFLECT, definition.value, prov, note=f"`{definition.node.raw}` copies any Origin")
    return OriginRule(
        OriginKind.PATTERN, pattern, prov, MatchMode.FULLMATCH, definition.ignore_case, "pcre",
        note=SETENVIF_NOTE,
    )


def _accepts_all(pattern: str, ignore_case: bool) -> bool:
    if pattern.strip() in _ALL:
        return True
    report = origins.analyze_pattern(pattern, dialect="pcre", mode=MatchMode.FULLMATCH, ignore_case=ignore_case)
    return report.ok and report.accepts_any


def _gated(prov: Provenance, value: str, env: dict[str, list[EnvDefinition]], gates: list[str], assumption: str) -> list[OriginRule]:
    """An echoed request Origin, restricted by the first gate that tests the Origin (else unrestricted: REFLECT)."""
    for gate in gates:
        rules = _gate_rules(gate, prov, env, assumption)
        if rules is not None:
            return rules
    note = "the request's Origin is copied without a check"
    if gates:
        note += f" (the condition {' and '.join(f'`{g}`' for g in gates)} does not test Origin)"
    return [OriginRule(OriginKind.REFLECT, value, prov, note=note, assumption=assumption)]


def _gate_rules(gate: str, prov: Provenance, env: dict[str, list[EnvDefinition]], assumption: str) -> Optional[list[OriginRule]]:
    low = gate.lower()
    if low.startswith("env="):
        variable = gate[4:]
        if variable.startswith("!"):
            return None
        definitions = [d for d in env.get(variable, []) if d.on_origin]
        related = Related(prov.location, f"the Origin is echoed by `{prov.raw}` when {variable} is set")
        return [
            OriginRule(
                OriginKind.PATTERN, d.regex, d.prov(prov.context).with_related(related), MatchMode.SEARCH,
                d.ignore_case, "pcre", note=f"`{d.node.raw}` sets {variable}; SetEnvIf searches unanchored",
                assumption=assumption,
            )
            for d in definitions
        ] or None
    expression = gate[5:] if low.startswith("expr=") else gate
    return _expression_rules(expression, prov, assumption)


def _expression_rules(expression: str, prov: Provenance, assumption: str) -> Optional[list[OriginRule]]:
    """Origin tests in an ap_expr: `%{HTTP:Origin} =~ /re/`, `== 'origin'`, `-in {'a', 'b'}`."""
    found = _EXPR_ORIGIN.search(expression)
    if found is None:
        return None
    rest = expression[found.end() :]
    compare = _COMPARE.match(rest)
    if compare is None:
        return None
    operand = rest[compare.end() :]
    note = f"the <If>/expr condition `{expression.strip()}` decides which Origin is echoed"
    if compare.group(1) == "=~":
        parsed = _regex_literal(operand)
        if parsed is None:
            return None
        regex, flags = parsed
        return [OriginRule(OriginKind.PATTERN, regex, prov, MatchMode.SEARCH, "i" in flags, "pcre", note=note, assumption=assumption)]
    if compare.group(1) == "==":
        match = _STRING.match(operand)
        return [literal_rule(match.group(1) or match.group(2) or "", prov, note)] if match else None
    body = operand[operand.find("{") + 1 : operand.find("}")] if "{" in operand else ""
    strings = [m.group(1) if m.group(1) is not None else m.group(2) for m in _STRING.finditer(body)]
    return [literal_rule(text, prov, note) for text in strings] or None


def _regex_literal(text: str) -> Optional[tuple[str, str]]:
    """`/re/flags` or `m#re#flags` -> (re, flags)."""
    text = text.lstrip()
    if text.startswith("m") and len(text) > 1 and not text[1].isalnum():
        text = text[1:]
    if not text or text[0].isalnum() or text[0].isspace():
        return None
    delimiter = text[0]
    index = 1
    while index < len(text) and text[index] != delimiter:
        index += 2 if text[index] == "\\" else 1
    if index >= len(text):
        return None
    flags = re.match(r"[a-z]*", text[index + 1 :])
    return text[1:index], flags.group(0) if flags else ""


def capture_group(regex: str, number: int) -> Optional[tuple[int, int]]:
    """(start, end) of the body of capture group `number` in a PCRE pattern, or None."""
    count = 0
    stack: list[tuple[int, bool]] = []
    index = 0
    in_class = False
    while index < len(regex):
        char = regex[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            if regex[index + 1 : index + 2] == "]":
                index += 1
        elif char == "(":
            capturing = not regex.startswith("(?", index) or regex.startswith(("(?<", "(?P<", "(?'"), index) and not regex.startswith(("(?<=", "(?<!"), index)
            if capturing:
                count += 1
            stack.append((index, capturing and count == number))
        elif char == ")" and stack:
            start, wanted = stack.pop()
            if wanted:
                body = regex.find(">", start) + 1 if regex.startswith(("(?<", "(?P<"), start) else start + 1
                return body, index
        index += 1
    return None


def _spans_body(regex: str, span: tuple[int, int]) -> bool:
    """True when the group is the whole pattern apart from `^`/`$` anchors."""
    head = regex[: span[0] - 1]
    tail = regex[span[1] + 1 :]
    return head in ("", "^") and tail in ("", "$")
