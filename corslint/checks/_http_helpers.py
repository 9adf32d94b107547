"""Fetch-standard facts (safelisted and forbidden methods/headers) and model helpers shared by the
preflight, method/header, delivery and private-network checks."""

from __future__ import annotations

import re
from typing import Iterable, Optional, Sequence

from corslint.lazy_regex import lazy
from corslint.rule import shown
from corslint.model import CorsPolicy, HeaderEmission, ListKind, ListSetting, Provenance, Related

ACAO = "Access-Control-Allow-Origin"
ACAC = "Access-Control-Allow-Credentials"
ACAM = "Access-Control-Allow-Methods"
ACAH = "Access-Control-Allow-Headers"
ACEH = "Access-Control-Expose-Headers"
MAX_AGE = "Access-Control-Max-Age"
ACAPN = "Access-Control-Allow-Private-Network"

# Fetch: CORS-safelisted method.
SAFELISTED_METHODS = frozenset({"GET", "HEAD", "POST"})
# Fetch: forbidden methods, never sent by fetch()/XHR.
FORBIDDEN_METHODS = frozenset({"CONNECT", "TRACE", "TRACK"})
# Fetch: CORS-safelisted request-header names, minus Content-Type: listing Content-Type in
# Access-Control-Allow-Headers only makes sense for non-form bodies such as JSON, which preflight.
SAFELISTED_REQUEST_HEADERS = frozenset({"accept", "accept-language", "content-language", "range"})
# Fetch: forbidden request-header names; scripts cannot set them, so listing them needs no preflight.
FORBIDDEN_REQUEST_HEADERS = frozenset(
    {
        "accept-charset", "accept-encoding", "access-control-request-headers",
        "access-control-request-method", "connection", "content-length", "cookie", "cookie2",
        "date", "dnt", "expect", "host", "keep-alive", "origin", "referer", "set-cookie", "te",
        "trailer", "transfer-encoding", "upgrade", "via",
    }
)
FORBIDDEN_REQUEST_HEADER_PREFIXES = ("proxy-", "sec-")

NGINX_SUCCESS_STATUSES = "200, 201, 204, 206, 301, 302, 303, 304, 307 and 308"

# policy labels of application frameworks (as opposed to servers such as nginx and Apache)
APPLICATION_SOURCES = frozenset(
    {
        "express", "fastify", "koa", "nestjs", "socketio", "apollo", "node", "flask", "django", "fastapi", "starlette",
        "flask-handler", "django-view", "nestjs-handler",
    }
)

LIBRARY_NAMES = {
    "express": "npm `cors`",
    "fastify": "@fastify/cors",
    "koa": "@koa/cors",
    "nestjs": "NestJS `enableCors`",
    "flask": "flask-cors",
    "django": "django-cors-headers",
    "fastapi": "Starlette `CORSMiddleware`",
    "starlette": "Starlette `CORSMiddleware`",
    "node": "a Node handler",
    "nestjs-handler": "a NestJS `@Header` decorator",
    "flask-handler": "a Flask handler",
    "django-view": "a Django view",
    "socketio": "socket.io's `cors` option",
    "apollo": "Apollo Server's `cors` option",
    "ingress-nginx": "ingress-nginx",
    "traefik": "Traefik",
    "istio": "Istio (Envoy)",
}

# the gateways and ingress controllers whose CORS settings are declared in Kubernetes resources
PLATFORM_SOURCES = frozenset({"ingress-nginx", "istio", "traefik"})
# every source but those: for the rules whose findings the platforms' own preflight answers and header handling rule
# out (they answer every preflight themselves, set each header once, and know no Private Network Access)
SERVER_AND_APPLICATION_SOURCES = APPLICATION_SOURCES | {"nginx", "apache"}

_OPTIONS_TEST_RE = lazy(r"(?<![\w$])OPTIONS(?!\w)", re.I)




def quoted(prov: Provenance) -> str:
    """Where a value came from, as messages name it: its raw text (shortened when long) or its line."""
    return f"`{shown(prov.raw)}`" if prov.raw else f"line {prov.location.line}"


# forks a source recognises: their policies keep the original's label, and their scope starts with the fork's name
FORKS = ("django-cors-middleware",)


def library_name(source: str, scope: str = "") -> str:
    fork = next((name for name in FORKS if scope.startswith(name + " ")), None)
    return fork or LIBRARY_NAMES.get(source, f"the {source} CORS library")


def describe(prov: Optional[Provenance], source: str = "", *, default: bool = False) -> str:
    """How to name where a value came from in a message: the quoted raw text or the library default."""
    if default or prov is None:
        return f"the {library_name(source)} default" if source else "the library default"
    return quoted(prov)


def place(prov: Provenance, seen_from: str = "") -> str:
    """A related place in a message: its raw text and line, and its file when that is not `seen_from`."""
    if not prov.raw:
        return quoted(prov)
    path = prov.location.path
    where = f"{path}, line" if seen_from and path != seen_from else "line"
    return f"{quoted(prov)} ({where} {prov.location.line})"


def is_cors_header(name: str) -> bool:
    return name.lower().startswith("access-control-")


def is_preflight_answer(policy: CorsPolicy) -> bool:
    """True when the scope is itself the OPTIONS answer (nginx `if ($request_method = OPTIONS)`, Apache `<If>`, an outer `@cross_origin`)."""
    if policy.preflight_only:
        return True
    condition = policy.condition
    return bool(_OPTIONS_TEST_RE.search(condition)) and "!=" not in condition and "!~" not in condition


def main_emissions(policy: CorsPolicy) -> list[HeaderEmission]:
    """Headers of the actual (non-preflight) response path: none when the whole scope is the OPTIONS answer."""
    return [] if is_preflight_answer(policy) else list(policy.emissions)


def first_emission(emissions: Iterable[HeaderEmission], name: str) -> Optional[HeaderEmission]:
    low = name.lower()
    return next((e for e in emissions if e.name.lower() == low), None)


def anchor_prov(policy: CorsPolicy) -> Optional[Provenance]:
    """The place that makes the scope a CORS scope: its Allow-Origin header, another CORS header, or an origin rule."""
    emissions = main_emissions(policy)
    emission = first_emission(emissions, ACAO) or next((e for e in emissions if is_cors_header(e.name)), None)
    if emission is not None:
        return emission.prov
    if policy.origins:
        return policy.origins[0].prov
    return None


def split_list(value: str) -> list[str]:
    """The names of a comma-separated header value, without quotes or blanks."""
    return [part.strip().strip("'\"").strip() for part in value.split(",") if part.strip().strip("'\"").strip()]


def has_star(setting: ListSetting) -> bool:
    return setting.kind is ListKind.ANY or any(item.strip() == "*" for item in setting.items)


def _listed(setting: ListSetting) -> Sequence[str]:
    if setting.kind in (ListKind.EXPLICIT, ListKind.DEFAULT):
        return setting.items
    return ()


def preflighted_methods(setting: ListSetting) -> list[str]:
    """Listed methods a browser sends only after a preflight (OPTIONS itself is ignored: it is cargo-cult listing)."""
    found: list[str] = []
    for item in _listed(setting):
        method = item.strip().upper()
        if method and method not in SAFELISTED_METHODS | {"OPTIONS", "*"} and method not in found:
            found.append(method)
    return found


def is_forbidden_request_header(name: str) -> bool:
    low = name.lower()
    return low in FORBIDDEN_REQUEST_HEADERS or low.startswith(FORBIDDEN_REQUEST_HEADER_PREFIXES)


def preflighted_headers(setting: ListSetting) -> list[str]:
    """Listed request headers whose use makes a browser preflight (Content-Type included, see above)."""
    found: list[str] = []
    for item in _listed(setting):
        name = item.strip()
        low = name.lower()
        if not name or name == "*" or low in SAFELISTED_REQUEST_HEADERS or is_forbidden_request_header(name):
            continue
        if low not in (f.lower() for f in found):
            found.append(name)
    return found


def methods_need_preflight(setting: ListSetting) -> Optional[str]:
    """A phrase saying why these Allow-Methods imply preflighted requests, or None."""
    if setting.kind is ListKind.ANY or (setting.kind is not ListKind.REFLECT and has_star(setting)):
        return "every method (`*`)"
    if setting.kind is ListKind.REFLECT:
        return "whatever method the preflight asks for (reflected)"
    methods = preflighted_methods(setting)
    if methods:
        return f"method{'s' if len(methods) > 1 else ''} {', '.join(methods)}"
    return None


def headers_need_preflight(setting: ListSetting) -> Optional[str]:
    """A phrase saying why these Allow-Headers imply preflighted requests, or None."""
    if setting.kind is ListKind.ANY or (setting.kind is not ListKind.REFLECT and has_star(setting)):
        return "any request header (`*`)"
    if setting.kind is ListKind.REFLECT:
        return "whatever request headers the preflight asks for (reflected)"
    headers = preflighted_headers(setting)
    if headers:
        return f"request header{'s' if len(headers) > 1 else ''} {', '.join(headers)}"
    return None


def related(prov: Optional[Provenance], note: str, *, unless: Optional[Provenance] = None) -> tuple[Related, ...]:
    """A one-element Related tuple for `prov`, or nothing when it is absent or the same place as `unless`."""
    if prov is None or (unless is not None and unless.location == prov.location):
        return ()
    return (Related(prov.location, note),)


def header_hint(policy: CorsPolicy, header: str, value: str) -> str:
    """How to write one always-sent header in the policy's own configuration language."""
    if policy.source == "nginx":
        return f"add_header {header} {value} always;"
    if policy.source == "apache":
        return f'Header always {"merge" if header == "Vary" else "set"} {header} "{value.strip(chr(34))}"'
    return f"send `{header}: {value}`"
