"""Which policies answer a request: nginx's location choice (`=`, longest prefix, `^~`, regexes in order), a path
setting's prefix elsewhere, and the `if` branches of the chosen place."""

from __future__ import annotations

import fnmatch
import re
from typing import Optional

from corslint.checks._http_helpers import is_preflight_answer
from corslint.model import CorsPolicy
from corslint.records import field, record

_MAX_REGEX = 500


@record
class Place:
    """A place that answers the request: its main policy (None when only branches set CORS there) and the policies of
    its `if` branches, the OPTIONS answer among them; `unsure` says why the choice of this place is uncertain."""

    main: Optional[CorsPolicy]
    branches: list[CorsPolicy] = field(default_factory=list)
    unsure: str = ""

    @property
    def policy(self) -> CorsPolicy:
        return self.main or self.branches[0]

    @property
    def preflight_branch(self) -> Optional[CorsPolicy]:
        return next((b for b in self.branches if is_preflight_answer(b)), None)

    @property
    def other_branches(self) -> list[CorsPolicy]:
        return [b for b in self.branches if not is_preflight_answer(b)]


def places(policies: list[CorsPolicy], path: str, host: str) -> list[Place]:
    """The places that would answer `path` (on `host`, when given), one per configuration that sets CORS."""
    relevant = [p for p in policies if (p.has_cors or p.preflight.headers) and not p.gates]
    found: list[Place] = []
    # every nginx place takes part in the location choice: one without CORS headers (its own add_header dropped the
    # inherited ones, a proxy_hide_header) still answers the requests it matches
    nginx = [p for p in policies if p.source == "nginx" and not p.gates]
    for server, members in _servers(nginx, host).items():
        place = _nginx_place(members, path)
        if place is not None:
            found.append(place)
    others = [p for p in relevant if p.source != "nginx" and _path_applies(p, path)]
    for policy in _innermost_sections(_nearest_htaccess(others, path)):
        found.append(Place(policy, unsure=_unsure(policy)))
    return found


def _unsure(policy: CorsPolicy) -> str:
    if policy.path_match == "directory":
        return f"which URL paths the folder `{policy.paths[0]}` serves depends on DocumentRoot and Alias"
    if policy.path_match == "route-mounted":
        return f"the route `{policy.paths[0]}` is a router's: where the router is mounted decides which paths it answers"
    return ""


def _htaccess_chain(policy: CorsPolicy) -> list[str]:
    """The .htaccess files whose directives a policy merges, outermost first ([] for other files)."""
    if policy.source != "apache":
        return []
    return [label for label in policy.scope.split(" > ") if label.lower().endswith("htaccess")]


def _nearest_htaccess(policies: list[CorsPolicy], path: str) -> list[CorsPolicy]:
    """Apache reads the .htaccess of the requested folder and its parents: of a chain of nested .htaccess files
    (the outermost taken as the document root), only the file-wide policy of the deepest one on `path` answers."""
    chains = {id(p): _htaccess_chain(p) for p in policies}
    on_path: dict[str, list[CorsPolicy]] = {}
    for policy in policies:
        chain = chains[id(policy)]
        if chain and not policy.paths and _folder_holds(chain, path):
            on_path.setdefault(chain[0], []).append(policy)
    deepest = {id(max(members, key=lambda p: len(chains[id(p)]))) for members in on_path.values()}
    drop = {id(p) for members in on_path.values() for p in members} - deepest
    return [p for p in policies if id(p) not in drop and (not chains[id(p)] or _folder_holds(chains[id(p)], path))]


def _innermost_sections(policies: list[CorsPolicy]) -> list[CorsPolicy]:
    """Of Apache sections nested in one another that all match, the innermost answers: its directives are the merge
    of every enclosing one. A section under a condition (<If>) answers only when it holds, so it replaces nothing."""
    def inside(inner: CorsPolicy, outer: CorsPolicy) -> bool:
        return (inner is not outer and inner.source == outer.source == "apache" and not inner.condition
                and inner.location.path == outer.location.path and inner.scope.startswith(outer.scope + " > "))

    return [p for p in policies if not any(inside(q, p) for q in policies)]


def _folder_holds(chain: list[str], path: str) -> bool:
    """Does the folder of the chain's last .htaccess, relative to the first one's, hold the URL `path`?"""
    root = chain[0].rpartition("/")[0]
    folder = chain[-1].rpartition("/")[0]
    relative = folder[len(root):].strip("/") if folder.startswith(root) else folder
    return not relative or path.lstrip("/").startswith(relative + "/")


def _server_key(policy: CorsPolicy) -> str:
    """The file and `server` a policy belongs to (its scope up to the first `location`)."""
    return policy.location.path + "|" + policy.scope.split(" > location")[0].split(" > if")[0]


def _servers(policies: list[CorsPolicy], host: str) -> dict[str, list[CorsPolicy]]:
    grouped: dict[str, list[CorsPolicy]] = {}
    for policy in policies:
        grouped.setdefault(_server_key(policy), []).append(policy)
    if host:
        named = {key: members for key, members in grouped.items() if f"server {host}" in key or f" {host}" in key.split("|", 1)[1]}
        return named or grouped
    return grouped


def _nginx_place(members: list[CorsPolicy], path: str) -> Optional[Place]:
    by_location: dict[str, Place] = {}
    for policy in members:
        key = policy.paths[0] if policy.paths else ""
        place = by_location.setdefault(key, Place(None))
        if policy.condition:
            place.branches.append(policy)
        elif place.main is None:
            place.main = policy
    chosen = _choose(list(by_location), path)
    if chosen is None:
        return None
    return by_location[chosen]


def _choose(locations: list[str], path: str) -> Optional[str]:
    """nginx's choice: an exact `=` match; else the longest prefix, unless it is `^~`, then regexes in order."""
    prefixes: list[tuple[int, str, bool]] = []
    for key in locations:
        words = key.split()
        if not words:
            continue
        modifier, value = (words[0], words[-1]) if len(words) > 1 else ("", words[0])
        if modifier == "=" and value == path:
            return key
        if modifier in ("", "^~") and path.startswith(value):
            prefixes.append((len(value), key, modifier == "^~"))
    longest = max(prefixes, default=None)
    if longest is not None and longest[2]:
        return longest[1]
    for key in locations:
        words = key.split()
        if len(words) > 1 and words[0] in ("~", "~*") and len(words[-1]) <= _MAX_REGEX:
            try:
                if re.search(words[-1], path, re.IGNORECASE if words[0] == "~*" else 0):
                    return key
            except re.error:
                continue
    if longest is not None:
        return longest[1]
    return "" if "" in locations else None


def _path_applies(policy: CorsPolicy, path: str) -> bool:
    """Does the scope's path setting hold `path`: a prefix or route (flask-cors resources, `app.use('/api', cors())`,
    <Location>), a regex (<LocationMatch>), the requested file's name (<Files>, <FilesMatch>)? A <Directory> may."""
    from corslint.layers.paths import covers

    if not policy.paths or policy.path_match == "directory":
        return True
    name = path.rstrip("/").rpartition("/")[2]
    if policy.path_match == "route":
        return any(route_matches(pattern, path) for pattern in policy.paths)
    if policy.path_match == "route-mounted":
        return any(_route_tail(pattern, path) for pattern in policy.paths)
    if policy.path_match == "file":
        return any(fnmatch.fnmatchcase(name, pattern) for pattern in policy.paths)
    if policy.path_match in ("regex", "file-regex"):
        subject = name if policy.path_match == "file-regex" else path
        return any(_searches(pattern, subject) for pattern in policy.paths)
    return any(covers(pattern, path) for pattern in policy.paths)


def route_matches(route: str, path: str) -> bool:
    """A framework's match of one route: the whole path, a `:name` (Express) or `<name>` (Flask) segment standing for
    any one segment, `*` the rest."""
    wanted = [part for part in route.strip("/").split("/")]
    given = [part for part in path.strip("/").split("/")]
    for index, part in enumerate(wanted):
        if part.startswith("*") or part.startswith("{*"):
            return True
        if index >= len(given) or not (part.startswith((":", "<")) or part == given[index]):
            return False
    return len(given) == len(wanted)


def _route_tail(route: str, path: str) -> bool:
    """A router's route mounted somewhere: does it match the end of `path` (or, with a prefix, its start)?"""
    segments = [part for part in path.strip("/").split("/")]
    return any(route_matches(route, "/" + "/".join(segments[start:])) for start in range(len(segments)))


def _searches(pattern: str, subject: str) -> bool:
    if len(pattern) > _MAX_REGEX:
        return False
    try:
        return re.search(pattern.strip("\"'"), subject) is not None
    except re.error:
        return False
