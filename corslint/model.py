"""The normalized CORS model: what a browser would receive from one scope, every value with its provenance.

Sources build these objects and state facts only; checks read them and never open files.
"""

from __future__ import annotations

from enum import Enum
from typing import Generic, Optional, TypeVar

from corslint.records import field, record

T = TypeVar("T")


@record(frozen=True, order=True)
class Location:
    """A place in a scanned file. Lines and columns are 1-based; column 0 means unknown; `end_column` is exclusive."""

    path: str
    line: int
    column: int = 0
    end_line: int = 0
    end_column: int = 0


@record(frozen=True)
class Related:
    """A second place that explains a value: where it was defined, inherited from or mapped."""

    location: Location
    note: str


@record(frozen=True)
class Provenance:
    """Where a value came from: the exact location, its raw text and the scope path around it."""

    location: Location
    raw: str = ""
    context: str = ""
    related: tuple[Related, ...] = ()

    def with_related(self, *extra: Related) -> "Provenance":
        return Provenance(self.location, self.raw, self.context, self.related + tuple(extra))


class State(str, Enum):
    """Tri-state of a configured value."""

    KNOWN = "known"
    UNKNOWN = "unknown"  # set, but computed in a way corslint cannot read
    ABSENT = "absent"  # not set at all


@record(frozen=True)
class Setting(Generic[T]):
    """A scalar setting (credentials, max-age, vary, private network) in one of the three states.

    `default` is True when the value is the library's default rather than written by the user;
    `prov` then points at the place that enabled the library.
    """

    state: State = State.ABSENT
    value: Optional[T] = None
    prov: Optional[Provenance] = None
    default: bool = False

    @staticmethod
    def known(value: T, prov: Optional[Provenance], *, default: bool = False) -> "Setting[T]":
        return Setting(State.KNOWN, value, prov, default)

    @staticmethod
    def unknown(prov: Optional[Provenance]) -> "Setting[T]":
        return Setting(State.UNKNOWN, None, prov)

    @property
    def is_known(self) -> bool:
        return self.state is State.KNOWN

    def is_true(self) -> bool:
        return self.state is State.KNOWN and self.value is True


ABSENT: Setting = Setting()


class OriginKind(str, Enum):
    ANY = "any"  # literal `*` sent (or "allow all" that the library sends as `*`)
    EXACT = "exact"  # one configured origin string, compared literally
    PATTERN = "pattern"  # a regex/glob; matching origins are echoed back
    REFLECT = "reflect"  # the request Origin is echoed without validation
    NULL = "null"  # the literal origin `null`
    UNKNOWN = "unknown"  # computed in a way corslint cannot read


class MatchMode(str, Enum):
    """How a framework applies an origin regex to the Origin string."""

    SEARCH = "search"  # unanchored: PCRE/JS RegExp.test/Go MatchString/SetEnvIf
    MATCH = "match"  # anchored at the start only: Python re.match
    FULLMATCH = "fullmatch"  # anchored at both ends: Python re.fullmatch
    GLOB = "glob"  # `*.example.com`-style wildcard as a source defines it
    SCHEME_HOST = "scheme-host"  # an exact entry compared by scheme and host[:port] only (django-cors-headers)


@record(frozen=True)
class OriginRule:
    """One way an origin becomes trusted.

    For PATTERN, `value` is the pattern text as written, `dialect` the regex flavour
    (pcre, python, js, go, ere) and `mode`/`ignore_case` how the framework applies it.
    `exposure` says what the response carries when the rule matches: the literal value,
    `*`, or the request's own Origin.
    """

    kind: OriginKind
    value: str
    prov: Provenance
    mode: Optional[MatchMode] = None
    ignore_case: bool = False
    dialect: str = ""
    note: str = ""  # how the source reached this rule, for `corslint show` and messages
    assumption: str = ""  # what corslint had to assume (lowers confidence, said in messages)
    # non-empty when this rule is only a fallback used while an environment variable is unset
    env_fallback: str = ""
    # the condition (`if settings.DEBUG`, `NODE_ENV !== 'production'`) under which alone this rule is written
    development: str = ""
    # the condition under which alone this rule applies when it only covers static assets (`Content-Type ~*font/`)
    static_assets: str = ""
    # True when the configuration asks for every origin (`*`) and the library implements it by echoing the Origin
    allow_all: bool = False
    # the request data the value is when it is never an origin: "host" (Host header, no scheme), "path" (the
    # request URI), "referer" (a URL with a path); "" otherwise
    request_data: str = ""
    # True when Access-Control-Allow-Origin carries this value only for requests whose Origin it admits, and
    # other requests get none (an nginx `map $http_origin` with an empty default, flask-cors's lone origin)
    only_on_match: bool = False
    # True when the rule is what an origin callback lets through, and a refused origin gets no CORS header at all
    # (npm `cors`, @koa/cors: the callback's `false` skips the middleware)
    by_callback: bool = False
    # the value as written when the platform rejects it and falls back to this rule (ingress-nginx's `*` for an
    # origin list that fails its validation)
    invalid_fallback: str = ""

    @property
    def display(self) -> str:
        return "*" if self.kind is OriginKind.ANY else self.value


class ListKind(str, Enum):
    EXPLICIT = "explicit"
    ANY = "any"  # `*`
    REFLECT = "reflect"  # the request's Access-Control-Request-* echoed back
    DEFAULT = "default"  # the library default, spelled out in `items`
    UNKNOWN = "unknown"
    ABSENT = "absent"


@record(frozen=True)
class ListSetting:
    """Allow-Methods, Allow-Headers or Expose-Headers."""

    kind: ListKind = ListKind.ABSENT
    items: tuple[str, ...] = ()
    prov: Optional[Provenance] = None
    # provenance of each item when known (same order as `items`), for precise columns
    item_provs: tuple[Provenance, ...] = ()
    # True when the value is the library's default rather than written by the user (`prov` is the library's call)
    default: bool = False
    # True when the configuration asks for every method or header (`*`) and the library sends them all by name
    expanded_star: bool = False

    @property
    def present(self) -> bool:
        return self.kind is not ListKind.ABSENT

    def contains(self, name: str) -> bool:
        low = name.lower()
        return any(item.lower() == low for item in self.items)

    def prov_of(self, name: str) -> Optional[Provenance]:
        low = name.lower()
        for item, prov in zip(self.items, self.item_provs):
            if item.lower() == low:
                return prov
        return self.prov


ABSENT_LIST = ListSetting()


@record(frozen=True)
class HeaderEmission:
    """One `Access-Control-*`/`Vary` header as configured on a response path."""

    name: str  # canonical case, e.g. Access-Control-Allow-Origin
    value: str  # raw value text
    prov: Provenance
    always: Optional[bool] = None  # sent on error statuses too; None when the source has no such notion
    conditional: bool = False  # only under a condition (if, env=, expr=)
    action: str = "set"  # set / add / append / merge / replace
    # True when a value the backend (a proxied application, a script) sends for this header stays next to this one:
    # Apache `add`/`append`, and the `always` table, which never replaces the backend's headers (Apache 2.4, run)
    beside_backend: bool = False
    # True when the header goes out only on responses whose Allow-Origin value is set: Apache `env=VAR` with VAR set
    # only by the `SetEnvIf Origin` lines that also give Allow-Origin its value
    with_allowed_origin: bool = False
    # True when the value is an expression the code computes (JavaScript, Python), not a literal; the servers' own
    # variables (`$http_origin`, `%{VAR}e`) are read from the value itself
    computed: bool = False
    # True when the header is set only on the answer to OPTIONS (inside an `if (req.method === 'OPTIONS')` branch)
    options_only: bool = False


class PreflightKind(str, Enum):
    ANSWERED = "answered"  # this configuration answers OPTIONS itself
    DELEGATED = "delegated"  # OPTIONS goes to an upstream/app corslint cannot see
    LIBRARY = "library"  # a CORS library answers preflights
    NOT_HANDLED = "not-handled"  # nothing answers it with CORS headers
    UNKNOWN = "unknown"


@record(frozen=True)
class Preflight:
    kind: PreflightKind = PreflightKind.UNKNOWN
    prov: Optional[Provenance] = None
    # the headers present on the OPTIONS answer, when this configuration writes them itself
    headers: tuple[HeaderEmission, ...] = ()
    status: Optional[int] = None
    note: str = ""
    # True when the configuration adds its headers and hands OPTIONS on (`next()`): the status is what answers after
    passes_on: bool = False

    def header(self, name: str) -> Optional[HeaderEmission]:
        low = name.lower()
        for emission in self.headers:
            if emission.name.lower() == low:
                return emission
        return None


@record(frozen=True)
class FixedAnswer:
    """A status the configuration itself answers requests of the scope with, whatever their method (nginx `return
    301 /new/`, Apache `Redirect`, `RewriteRule … [R=301]`): for the paths `pattern` matches (`match` "prefix", a
    URL-path prefix as mod_alias tests it; "regex", searched in the path; "" every path of the scope), with the
    redirect target as written (`$1`, `$request_uri` left in; "" when the status is not a redirect)."""

    status: int
    target: str
    prov: Provenance
    match: str = ""
    pattern: str = ""
    # the path the pattern is tested on starts without its `/` (a RewriteRule in .htaccess or <Directory>)
    relative: bool = False

    @property
    def redirects(self) -> bool:
        return 300 <= self.status < 400 and bool(self.target)


class DeliveryKind(str, Enum):
    DROPPED_INHERITED = "dropped-inherited"  # an inner level discards the outer CORS headers
    DUPLICATE = "duplicate"  # the same header twice on one response path
    IN_IF = "in-if"  # nginx: set inside `if`
    # some error responses are produced outside the layer that adds the CORS headers (Starlette's 500)
    ERRORS_OUTSIDE = "errors-outside"


@record(frozen=True)
class DeliveryFact:
    kind: DeliveryKind
    header: str
    prov: Provenance
    detail: str = ""
    # False when no OPTIONS request reaches that place (nginx `if ($request_method = POST)`), so it answers no preflight
    reaches_preflight: bool = True


# WiringFact kinds: what sources state about a framework's wiring, and the 5xx rules read
MIDDLEWARE_ORDER = "middleware-order"  # the CORS middleware runs after something that can answer first
NOT_INSTALLED = "not-installed"  # the CORS middleware/app is configured but not registered
DEPRECATED_OPTION = "deprecated-option"  # subject = old name, replacement = current name
UNKNOWN_OPTION = "unknown-option"  # subject = the name, replacement = the likely intended name or ""
ROUTE_METHOD = "route-method"  # subject = a method a route of the same app serves, detail = the route
VULNERABLE_VERSION = "vulnerable-version"  # subject = "package==version", detail = advisories, replacement = fixed version


@record(frozen=True)
class WiringFact:
    """A framework fact: middleware order, a missing registration, an unknown or renamed option."""

    kind: str  # one of the kinds above
    prov: Provenance
    detail: str = ""
    subject: str = ""  # the option or component concerned
    replacement: str = ""  # renamed-to, or the suggested spelling
    # for an `upstream` fact naming a server group (nginx `upstream NAME { server ...; }`): the group's addresses
    servers: tuple[str, ...] = ()
    # for a `middleware-order` fact of a JavaScript app: the routes registered first, each as "METHOD /path"
    routes: tuple[str, ...] = ()


@record
class CorsPolicy:
    """Everything a browser would receive from one scope."""

    source: str  # source kind: nginx, apache, express, flask, django, fastapi, ...
    scope: str  # human context path, e.g. `server api.example.com > location /v1/`
    location: Location  # where the scope starts
    origins: list[OriginRule] = field(default_factory=list)
    credentials: Setting = ABSENT
    methods: ListSetting = ABSENT_LIST
    allow_headers: ListSetting = ABSENT_LIST
    expose_headers: ListSetting = ABSENT_LIST
    max_age: Setting = ABSENT
    vary_origin: Setting = ABSENT
    private_network: Setting = ABSENT
    preflight: Preflight = field(default_factory=Preflight)
    emissions: list[HeaderEmission] = field(default_factory=list)
    delivery: list[DeliveryFact] = field(default_factory=list)
    wiring: list[WiringFact] = field(default_factory=list)
    # URL paths or file patterns this scope covers (location /fonts/, <FilesMatch "\.woff2?$">)
    paths: tuple[str, ...] = ()
    # How `paths` are matched: "" a URL path prefix or route pattern (nginx `location`, Apache <Location>, a library's
    # path setting); "route" one route as the framework matches it (`app.get('/api/items/:id')`); "route-mounted" a
    # router's route under a mount point not known (`router.get('/items')`); "regex" a regex searched in the URL path
    # (<LocationMatch>); "file" a wildcard and "file-regex" a regex for the requested file's name (<Files>,
    # <FilesMatch>); "directory" a folder on disk (<Directory>) whose URL paths are not known; "directory-url" the URL
    # path prefixes a <Directory> folder is served at (by its server's DocumentRoot and Alias)
    path_match: str = ""
    # True when the scope only serves static assets (fonts, images) where `*` is the intended setup
    static_assets: bool = False
    # True when the configuration is marked as development (file name, env, DEBUG)
    development: bool = False
    # True when the scope's headers go out only on answers to OPTIONS (preflight) requests
    preflight_only: bool = False
    # What answers the scope's requests: "static" (the server itself: files, `return`), "upstream", or "" (unknown)
    content: str = ""
    # A condition under which this whole scope applies (nginx `if`, Apache <If>), "" if unconditional
    condition: str = ""
    # The condition of the `if` a CORS library is registered under (`if app.config.get("USE_CORS"):`), when the
    # registration is not unconditional code; "" otherwise. Not a request condition: it holds or not for the process.
    registered_if: str = ""
    # Origin tests that decide what the server does (reject with 403, set a flag) rather than what
    # Access-Control-Allow-Origin says: `if ($http_origin !~ '^https://app\.example\.com$') { return 403; }`.
    # Each rule is the set of origins the test singles out; the origin rules judge their patterns.
    gates: list[OriginRule] = field(default_factory=list)
    # What the configuration itself answers requests here with, before any handler or upstream (a redirect, most often)
    answers: list[FixedAnswer] = field(default_factory=list)

    @property
    def has_cors(self) -> bool:
        return bool(self.origins) or any(e.name.lower().startswith("access-control-") for e in self.emissions)

    def origin_kinds(self) -> set[OriginKind]:
        return {rule.kind for rule in self.origins}

    def credentials_on(self) -> bool:
        return self.credentials.is_true()


@record(frozen=True)
class Service:
    """How a process is started, from a deployment file: a docker-compose service, a Dockerfile, a Procfile line.

    `folder` is the tree folder (display path, "." for the root) holding the code the process runs, "" when it is
    not built from the tree (a compose service with only an `image`). `ports` are the ports the process listens on
    inside its container, each as (port, provenance); `command` is what starts it, as written.
    """

    kind: str  # compose, dockerfile, procfile, wsgi (a mod_wsgi script: `name` is its file name)
    name: str  # the service name (compose), the process type (Procfile), "" for a Dockerfile
    prov: Provenance
    folder: str = ""
    aliases: tuple[str, ...] = ()  # container_name, hostname, network aliases
    ports: tuple[tuple[int, Provenance], ...] = ()
    command: str = ""
    command_prov: Optional[Provenance] = None
    dockerfile: str = ""  # the Dockerfile a compose service builds with (display path), when in the tree
    # True when the service shares the host's network (compose `network_mode: host`)
    host_network: bool = False
    # tree paths (display paths) that a compose service bind-mounts (`./nginx/site.conf:/etc/nginx/conf.d/...`)
    mounts: tuple[str, ...] = ()
    # compose `links`: (service, the alias it has for this service) — `"api_srv:api.net"` names `api_srv` `api.net`
    links: tuple[tuple[str, str], ...] = ()
    # environment variables the process gets, as written (compose `environment`, Dockerfile `ENV`): (name, value, where)
    env: tuple[tuple[str, str, Provenance], ...] = ()
    # True when a compose `env_file` may set more variables (or override these) from a file corslint does not read
    env_file: bool = False


@record(frozen=True)
class Listener:
    """An application in the tree listens on this port: `app.listen(3000)`, `uvicorn.run(app, port=8000)`,
    `app.run()` (Flask's default 5000). `assumed` says what had to be assumed (an environment fallback)."""

    path: str
    port: int
    prov: Provenance
    framework: str
    assumed: str = ""


@record(frozen=True)
class ParseProblem:
    """A file of a supported kind that could not be read or parsed (becomes CORS001)."""

    location: Location
    message: str
    source: str
    code: str = "CORS001"  # CORS004 for an include whose target is not in the tree


@record(frozen=True)
class Comment:
    """A comment in a scanned file, for suppression directives.

    `own_line` is True when nothing but the comment stands on its line; `covers` is the
    line range of the statement the comment annotates (the next statement for an own-line
    comment, the statement it trails otherwise).
    """

    path: str
    line: int
    column: int
    text: str
    own_line: bool
    covers: tuple[int, int]
    source: str = ""


@record
class Extraction:
    """What one source produced from its files."""

    policies: list[CorsPolicy] = field(default_factory=list)
    problems: list[ParseProblem] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    # files that were analysed (as a root or included); for file-wide suppressions and `show`
    files: set[str] = field(default_factory=set)
    # files skipped on purpose, with the reason (size limit, outside the tree, ...)
    skipped: dict[str, str] = field(default_factory=dict)
    # deployment facts (how processes start) and application listen ports, for links across layers
    services: list[Service] = field(default_factory=list)
    listeners: list[Listener] = field(default_factory=list)

    def merge(self, other: "Extraction") -> None:
        self.policies.extend(other.policies)
        self.problems.extend(other.problems)
        self.comments.extend(other.comments)
        self.files |= other.files
        self.skipped.update(other.skipped)
        self.services.extend(other.services)
        self.listeners.extend(other.listeners)
