"""Python source, django-cors-headers: a settings module (recognised by its setting names) becomes one policy,
with the library defaults, old setting names, likely typos and the MIDDLEWARE / INSTALLED_APPS wiring."""

from __future__ import annotations

from typing import Callable, Optional

from corslint.model import DEPRECATED_OPTION, MIDDLEWARE_ORDER, NOT_INSTALLED, UNKNOWN_OPTION
from corslint.model import (
    CorsPolicy,
    Location,
    MatchMode,
    OriginKind,
    OriginRule,
    Preflight,
    PreflightKind,
    Provenance,
    Setting,
    WiringFact,
)
from corslint.sources.python.common import OriginBuilder, bool_setting, close_name, list_setting, scalar_setting
from corslint.sources.python.flask import OPTIONS as FLASK_OPTIONS
from corslint.sources.python.values import DJANGO_DEFAULT_HEADERS, DJANGO_DEFAULT_METHODS, ModuleEnv, Val

SOURCE = "django"
CORS_MIDDLEWARE = "corsheaders.middleware.CorsMiddleware"
OLD_NAMES = {
    "CORS_ORIGIN_WHITELIST": "CORS_ALLOWED_ORIGINS",
    "CORS_ORIGIN_REGEX_WHITELIST": "CORS_ALLOWED_ORIGIN_REGEXES",
    "CORS_ORIGIN_ALLOW_ALL": "CORS_ALLOW_ALL_ORIGINS",
}
SETTINGS = frozenset(
    {
        "CORS_ALLOWED_ORIGINS", "CORS_ALLOWED_ORIGIN_REGEXES", "CORS_ALLOW_ALL_ORIGINS", "CORS_ALLOW_CREDENTIALS",
        "CORS_ALLOW_METHODS", "CORS_ALLOW_HEADERS", "CORS_EXPOSE_HEADERS", "CORS_PREFLIGHT_MAX_AGE",
        "CORS_URLS_REGEX", "CORS_ALLOW_PRIVATE_NETWORK",
    }
)
FLASK_KEYS = frozenset("CORS_" + option.upper() for option in FLASK_OPTIONS)
# middleware that can answer before CorsMiddleware when listed above it (cors-semantics §2.4)
RESPONDING_MIDDLEWARE = {
    "django.middleware.common.CommonMiddleware": "redirects (APPEND_SLASH, PREPEND_WWW)",
    "whitenoise.middleware.WhiteNoiseMiddleware": "static files",
    "django.middleware.cache.FetchFromCacheMiddleware": "cached responses",
}
ALLOW_ALL_REFLECT = (
    "django-cors-headers echoes the request origin when CORS_ALLOW_ALL_ORIGINS meets CORS_ALLOW_CREDENTIALS"
)


class DjangoOrigins(OriginBuilder):
    def __init__(self, regexes: bool, fork: bool = False) -> None:
        self.regexes = regexes
        self.fork = fork

    def string(self, text: str, prov: Provenance) -> list[OriginRule]:
        if self.regexes:
            return [self.pattern(text, prov)]
        if self.fork and "://" not in text:
            # django-cors-middleware compares the Origin's host[:port] with the entry, whatever the scheme
            note = "django-cors-middleware compares host[:port] only, so both schemes match"
            return [OriginRule(OriginKind.EXACT, f"{scheme}://{text}", prov, note=note) for scheme in ("https", "http")]
        return [OriginRule(OriginKind.EXACT, text, prov, MatchMode.SCHEME_HOST,
                           note="django-cors-headers compares only the scheme and host[:port] of each entry")]

    def pattern(self, text: str, prov: Provenance) -> OriginRule:
        return OriginRule(OriginKind.PATTERN, text, prov, MatchMode.MATCH, False, "python",
                          note="django-cors-headers applies CORS_ALLOWED_ORIGIN_REGEXES with re.match")


def is_django_settings(env: ModuleEnv) -> bool:
    """Known django-cors-headers names, a near miss of one (not a flask-cors config key), or CorsMiddleware listed."""
    names = set(env.names)
    if names & (SETTINGS | set(OLD_NAMES)):
        return True
    if any(_typo(name) for name in names):
        return True
    middleware = env.names.get("MIDDLEWARE")
    return middleware is not None and any(item.text() == CORS_MIDDLEWARE for item in middleware.items())


def _typo(name: str) -> bool:
    return name.startswith("CORS_") and name not in FLASK_KEYS and bool(close_name(name, SETTINGS | set(OLD_NAMES)))


def extract_django(env: ModuleEnv, fork_pin: Callable[[], Optional[Location]] = lambda: None) -> Optional[CorsPolicy]:
    if not is_django_settings(env):
        return None
    fork = fork_pin() if set(env.names) & set(OLD_NAMES) else None
    library = "django-cors-middleware" if fork else "django-cors-headers"
    context = f"{library} settings {env.mod.path}"
    facts: list[WiringFact] = []
    values: dict[str, tuple[Val, Provenance]] = {}
    for name in sorted(env.names, key=lambda n: _line(env, n)):
        if not name.startswith("CORS_"):
            continue
        prov = env.setting_prov(name, context)
        if prov is None:
            continue
        if fork is not None and (name in OLD_NAMES or name in NEW_NAMES):
            _under_fork(env, name, prov, fork, facts, values)
        elif name in OLD_NAMES:
            new = OLD_NAMES[name]
            detail = f"{new} is also set and wins" if new in env.names else ""
            facts.append(WiringFact(DEPRECATED_OPTION, prov, detail, name, new))
            if new not in env.names:
                values[new] = (env.names[name], prov)
        elif name in SETTINGS:
            values[name] = (env.names[name], prov)
        elif name not in FLASK_KEYS:
            guess = close_name(name, SETTINGS | set(OLD_NAMES))
            if guess:
                facts.append(WiringFact(UNKNOWN_OPTION, prov, "", name, OLD_NAMES.get(guess, guess)))
    anchor = _anchor(env, values, context) or (facts[0].prov if facts else None)
    if anchor is None:
        return None
    facts.extend(_wiring(env, context, bool(values)))
    return _policy(env, context, values, anchor, facts, fork is not None)


NEW_NAMES = {new: old for old, new in OLD_NAMES.items()}
FORK_NOTE = "django-cors-middleware (pinned at {pin}) reads only the old names"


def _under_fork(
    env: ModuleEnv, name: str, prov: Provenance, fork: Location, facts: list[WiringFact],
    values: dict[str, tuple[Val, Provenance]],
) -> None:
    """django-cors-middleware, a fork of django-cors-headers 2.x, reads the old names and ignores the new ones."""
    if name in OLD_NAMES:
        values[OLD_NAMES[name]] = (env.names[name], prov)
        return
    pin = f"{fork.path}:{fork.line}"
    facts.append(WiringFact(UNKNOWN_OPTION, prov, FORK_NOTE.format(pin=pin), name, NEW_NAMES[name]))


def _line(env: ModuleEnv, name: str) -> tuple[str, int]:
    found = env.statements.get(name)
    return (found[0].path, found[1].lineno) if found else ("", 0)


def _anchor(env: ModuleEnv, values: dict[str, tuple[Val, Provenance]], context: str) -> Optional[Provenance]:
    if values:
        return min((prov for _, prov in values.values()), key=lambda p: (p.location.path != env.mod.path, p.location.line))
    return env.setting_prov("MIDDLEWARE", context)


def _policy(
    env: ModuleEnv, context: str, values: dict[str, tuple[Val, Provenance]], anchor: Provenance, facts: list[WiringFact],
    fork: bool = False,
) -> CorsPolicy:
    def get(name: str) -> tuple[Optional[Val], Optional[Provenance]]:
        found = values.get(name)
        return found if found else (None, None)

    creds_val, creds_prov = get("CORS_ALLOW_CREDENTIALS")
    credentials = bool_setting(creds_val, creds_prov, False, anchor)
    methods, methods_prov = get("CORS_ALLOW_METHODS")
    headers, headers_prov = get("CORS_ALLOW_HEADERS")
    expose, expose_prov = get("CORS_EXPOSE_HEADERS")
    max_age, max_age_prov = get("CORS_PREFLIGHT_MAX_AGE")
    private, private_prov = get("CORS_ALLOW_PRIVATE_NETWORK")
    urls, _ = get("CORS_URLS_REGEX")
    return CorsPolicy(
        source=SOURCE,
        scope=context,
        location=anchor.location,
        origins=_origins(values, credentials, context, fork),
        credentials=credentials,
        methods=list_setting(methods, methods_prov, default=DJANGO_DEFAULT_METHODS, default_prov=anchor),
        allow_headers=list_setting(headers, headers_prov, default=DJANGO_DEFAULT_HEADERS, default_prov=anchor),
        expose_headers=list_setting(expose, expose_prov),
        max_age=_max_age(max_age, max_age_prov, anchor),
        vary_origin=Setting.known(True, anchor, default=True),
        private_network=bool_setting(private, private_prov, False, anchor),
        preflight=Preflight(PreflightKind.LIBRARY, anchor, note="CorsMiddleware answers preflights before the views run"),
        wiring=facts,
        paths=(urls.text(),) if urls is not None and urls.text() else (),
    )


def _max_age(val: Optional[Val], prov: Optional[Provenance], anchor: Provenance) -> Setting:
    if val is not None and val.known and not val.value:
        return Setting()
    return scalar_setting(val, prov, 86400, anchor)


def _origins(values: dict[str, tuple[Val, Provenance]], credentials: Setting, context: str, fork: bool = False) -> list[OriginRule]:
    rules: list[OriginRule] = []
    allow_all = values.get("CORS_ALLOW_ALL_ORIGINS")
    if allow_all is not None:
        val, prov = allow_all
        if val.env or not val.known:
            rules.append(OriginRule(OriginKind.UNKNOWN, prov.raw, prov, note="CORS_ALLOW_ALL_ORIGINS cannot be read"))
        elif val.value or _debug_only(prov):
            # `CORS_ALLOW_ALL_ORIGINS = DEBUG`: every origin while debugging, the allowlist below otherwise
            development = "DEBUG" if _debug_only(prov) else ""
            if credentials.is_true():
                rules.append(OriginRule(OriginKind.REFLECT, prov.raw, prov, note=ALLOW_ALL_REFLECT, development=development))
            else:
                rules.append(OriginRule(OriginKind.ANY, "*", prov, note="CORS_ALLOW_ALL_ORIGINS sends `*`", development=development))
            if not development:
                return rules
    for name, regexes in (("CORS_ALLOWED_ORIGINS", False), ("CORS_ALLOWED_ORIGIN_REGEXES", True)):
        found = values.get(name)
        if found is not None:
            rules.extend(DjangoOrigins(regexes, fork)(found[0], context, found[1]))
    return rules


def _debug_only(prov: Provenance) -> bool:
    """`CORS_ALLOW_ALL_ORIGINS = DEBUG` (or `settings.DEBUG`): on exactly when the project runs in debug mode."""
    value = prov.raw.partition("=")[2].strip()
    return value in ("DEBUG", "settings.DEBUG")


def _wiring(env: ModuleEnv, context: str, configured: bool) -> list[WiringFact]:
    """CORS501 facts; nothing when MIDDLEWARE / INSTALLED_APPS are not in view or cannot be read."""
    facts: list[WiringFact] = []
    middleware = env.names.get("MIDDLEWARE")
    if middleware is not None and middleware.is_list:
        prov = env.setting_prov("MIDDLEWARE", context)
        names = [item.text() for item in middleware.value]
        if CORS_MIDDLEWARE not in names:
            if configured and prov is not None and all(n is not None for n in names):
                facts.append(WiringFact(NOT_INSTALLED, prov, "MIDDLEWARE does not list it, so no response gets CORS headers", f"`{CORS_MIDDLEWARE}` in MIDDLEWARE"))
        else:
            facts.extend(_order(middleware.value, names, context))
    apps = env.names.get("INSTALLED_APPS")
    if configured and apps is not None and apps.is_list and all(item.text() for item in apps.value):
        listed = [item.text() for item in apps.value]
        if not any(app in ("corsheaders", "corsheaders.apps.CorsHeadersAppConfig") for app in listed):
            prov = env.setting_prov("INSTALLED_APPS", context)
            if prov is not None:
                facts.append(WiringFact(NOT_INSTALLED, prov, "INSTALLED_APPS does not list it, so its system checks never run", '`"corsheaders"` in INSTALLED_APPS'))
    return facts


def _order(items: list[Val], names: list[Optional[str]], context: str) -> list[WiringFact]:
    position = names.index(CORS_MIDDLEWARE)
    cors_prov = items[position].prov(context)
    for index, name in enumerate(names[:position]):
        if name in RESPONDING_MIDDLEWARE:
            earlier = items[index].prov(context)
            line = earlier.location.line if earlier else 0
            detail = (
                f"`{CORS_MIDDLEWARE}` is listed after `{name}` (line {line}), which can answer first with "
                f"{RESPONDING_MIDDLEWARE[name]}"
            )
            if cors_prov is not None:
                return [WiringFact(MIDDLEWARE_ORDER, cors_prov, detail, CORS_MIDDLEWARE)]
    return []
