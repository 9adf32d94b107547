"""Which policies answer a request: nginx's location choice (`=`, longest prefix, `^~`, regexes in order), a path
setting's prefix elsewhere, and the `if` branches of the chosen place."""

from __future__ import annotations

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
    for policy in relevant:
        if policy.source != "nginx" and _path_applies(policy, path):
            found.append(Place(policy))
    return found


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
    """A library scope with path settings (flask-cors resources, `app.use('/api', cors())`): their prefix holds `path`."""
    from corslint.layers.paths import covers

    return not policy.paths or any(covers(pattern, path) for pattern in policy.paths)
