"""Renders policies as `corslint show` prints them: a readable table or JSON of the model, for debugging findings."""

from __future__ import annotations

from enum import Enum
from typing import Any, Optional, Sequence

from corslint.layers.links import Layers, RequestPath
from corslint.layers.paths import combined
from corslint.model import CorsPolicy, ListKind, ListSetting, OriginKind, OriginRule, Provenance, Setting, State
from corslint.records import fields, is_record


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if is_record(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(_plain(v) for v in value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def policies_as_json(policies: Sequence[CorsPolicy], layers: Optional[Layers] = None) -> dict[str, Any]:
    document: dict[str, Any] = {"policies": [_plain(policy) for policy in policies]}
    if layers is not None:
        document["paths"] = [_path_json(path) for path in layers.paths]
        document["unlinked"] = [
            {"proxy": _where(item.proxy), "upstream": _plain(item.upstream), "reason": item.reason} for item in layers.unlinked
        ]
    return document


def _where(policy: CorsPolicy) -> dict[str, Any]:
    return {"path": policy.location.path, "line": policy.location.line, "scope": policy.scope, "source": policy.source}


def _path_json(path: RequestPath) -> dict[str, Any]:
    return {
        "proxy": _where(path.proxy),
        "upstream": _plain(path.upstream),
        "application": {"service": path.service, "folder": path.folder, "scopes": [_where(app) for app in path.apps]},
        "steps": [_plain(step) for step in path.steps],
        "assumed": path.assumed,
        "headers": [
            {"name": name, "proxy": proxy, "application": app, "browser_receives": outcome}
            for name, proxy, app, outcome in combined(path)
        ],
    }


def layers_as_table(layers: Optional[Layers]) -> str:
    """The linked request paths (proxy scope -> application, why, the combined headers) and the upstreams left unlinked."""
    if layers is None or not (layers.paths or layers.unlinked):
        return ""
    blocks = []
    for path in layers.paths:
        loc = path.proxy.location
        target = path.upstream.subject or path.upstream.detail
        lines = [f"{loc.path}:{loc.line}  {path.proxy.scope}  --{path.upstream.detail} {target}-->  {path.service} ({path.folder})"]
        lines.extend(f"  {'why' if i == 0 else '':<15} {step.note}  ({step.location.path}:{step.location.line})" for i, step in enumerate(path.steps))
        if path.assumed:
            lines.append(f"  {'assumed':<15} {path.assumed}")
        scopes = [f"{app.location.path}:{app.location.line}  {app.scope}  [{app.source}]" for app in path.apps] or ["no CORS settings found there"]
        lines.extend(f"  {'application' if i == 0 else '':<15} {text}" for i, text in enumerate(scopes))
        for name, proxy, app, outcome in combined(path):
            lines.append(f"  {name}: proxy {proxy}; application {app}; browser receives {outcome}")
        blocks.append("\n".join(lines))
    for item in layers.unlinked:
        loc = item.proxy.location
        target = item.upstream.subject or item.upstream.detail
        blocks.append(f"{loc.path}:{loc.line}  {item.proxy.scope}  --{item.upstream.detail} {target}-->  not linked: {item.reason}")
    return "Request paths across layers\n\n" + "\n\n".join(blocks)


def _at(prov: Optional[Provenance]) -> str:
    if prov is None:
        return ""
    loc = prov.location
    return f"  ({loc.path}:{loc.line})"


def _origin(rule: OriginRule) -> str:
    if rule.kind is OriginKind.PATTERN:
        case = "case-insensitive" if rule.ignore_case else "case-sensitive"
        detail = f"pattern  {rule.value}  [{rule.mode.value if rule.mode else '?'}, {rule.dialect or '?'}, {case}]"
    elif rule.kind is OriginKind.ANY:
        detail = "any      *"
    else:
        detail = f"{rule.kind.value:<8} {rule.value}"
    if rule.env_fallback:
        detail += f"  (fallback while ${rule.env_fallback} is unset)"
    if rule.development:
        detail += f"  (development only: `{rule.development}`)"
    if rule.note:
        detail += f"  -- {rule.note}"
    return detail + _at(rule.prov)


def _setting(setting: Setting) -> str:
    if setting.state is State.ABSENT:
        return "-"
    if setting.state is State.UNKNOWN:
        return "unknown (computed)" + _at(setting.prov)
    suffix = " (library default)" if setting.default else ""
    return f"{setting.value}{suffix}{_at(setting.prov)}"


def _list(setting: ListSetting) -> str:
    if setting.kind is ListKind.ABSENT:
        return "-"
    if setting.kind in (ListKind.EXPLICIT, ListKind.DEFAULT):
        label = ", ".join(setting.items) or "(empty)"
        if setting.kind is ListKind.DEFAULT:
            label += " (library default)"
        return label + _at(setting.prov)
    return setting.kind.value + _at(setting.prov)


def policies_as_table(policies: Sequence[CorsPolicy]) -> str:
    if not policies:
        return "No CORS policies found."
    blocks = []
    for policy in policies:
        loc = policy.location
        lines = [f"{loc.path}:{loc.line}  {policy.scope}  [{policy.source}]"]
        origins = [_origin(rule) for rule in policy.origins] or ["-"]
        lines.append(f"  origins         {origins[0]}")
        lines.extend(f"                  {text}" for text in origins[1:])
        rows = [
            ("credentials", _setting(policy.credentials)),
            ("methods", _list(policy.methods)),
            ("allow-headers", _list(policy.allow_headers)),
            ("expose-headers", _list(policy.expose_headers)),
            ("max-age", _setting(policy.max_age)),
            ("vary-origin", _setting(policy.vary_origin)),
            ("private-network", _setting(policy.private_network)),
        ]
        preflight = policy.preflight
        pf = preflight.kind.value
        if preflight.status:
            pf += f" ({preflight.status})"
        if preflight.note:
            pf += f" -- {preflight.note}"
        rows.append(("preflight", pf + _at(preflight.prov)))
        for fact in policy.delivery:
            rows.append(("delivery", f"{fact.kind.value} {fact.header}{_at(fact.prov)}"))
        for fact in policy.wiring:
            rows.append(("wiring", f"{fact.kind} {fact.subject} {fact.detail}".rstrip() + _at(fact.prov)))
        flags = [name for name, on in (("static-assets", policy.static_assets), ("development", policy.development)) if on]
        if policy.condition:
            flags.append(f"only when {policy.condition}")
        if policy.registered_if:
            flags.append(f"registered only if {policy.registered_if}")
        if flags:
            rows.append(("notes", ", ".join(flags)))
        lines.extend(f"  {name:<15} {value}" for name, value in rows)
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
