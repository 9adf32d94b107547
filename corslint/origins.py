"""Reasoning about origin strings and origin regexes, shared by every origin rule and every source.

Parses configured origins, classifies hosts, and analyses origin patterns with bounded work: which origin the author
meant, and which concrete origins an attacker can obtain that the pattern also accepts.
"""

from __future__ import annotations

import ipaddress
import math
import re
import threading
import warnings
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Any, Callable, Hashable, Iterable, Iterator, NamedTuple, Optional, Sequence, TypeVar, Union

from corslint.model import MatchMode

try:
    from re import _constants as _sre, _parser as _sre_parse
except ImportError:  # Python 3.10
    import sre_constants as _sre
    import sre_parse as _sre_parse

# ---------------------------------------------------------------------------------------------------------------
# Origin strings
# ---------------------------------------------------------------------------------------------------------------

DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
SEVERAL = "contains several origins"
NO_SCHEME = "has no scheme"
WILDCARD = "uses a literal `*` wildcard"
UPPER = "has upper-case letters"
PATH = "has a path"
SLASH = "has a trailing slash"
QUERY = "has a query or fragment"
USERINFO = "has user information"
NO_HOST = "has no host"
BAD_HOST = "has an invalid host"
BAD_PORT = "has an invalid port"
EMPTY = "is empty"

_SEPARATORS = re.compile(r"[\s,]+")
_HOST_CHARS = re.compile(r"[A-Za-z0-9._~%!$&'()+;=-]+")


@dataclass(frozen=True)
class ParsedOrigin:
    """A configured origin value split into parts, with every reason it can never equal a browser Origin."""

    text: str
    scheme: str
    host: str
    port: Optional[int]
    problems: tuple[str, ...]


def split_origin_list(text: str) -> list[str]:
    """Items of a comma- or space-separated list of origins."""
    return [item for item in _SEPARATORS.split(text.strip()) if item]


def parse_origin(text: str) -> ParsedOrigin:
    """Parse a configured origin; never raises. `null` and `*` come back without problems."""
    stripped = text.strip()
    if stripped in ("null", "*"):
        return ParsedOrigin(text, "", stripped, None, ())
    items = split_origin_list(stripped)
    if not items:
        return ParsedOrigin(text, "", "", None, (EMPTY,))
    if len(items) > 1:
        first = _parse_single(items[0])
        return ParsedOrigin(text, first.scheme, first.host, first.port, (SEVERAL,))
    single = _parse_single(items[0])
    return ParsedOrigin(text, single.scheme, single.host, single.port, single.problems)


def _parse_single(text: str) -> ParsedOrigin:
    problems: list[str] = []
    scheme, sep, rest = text.partition("://")
    if not sep:
        scheme, rest = "", text
        problems.append(NO_SCHEME)
    authority, tail = _split_authority(rest)
    if "@" in authority:
        problems.append(USERINFO)
        authority = authority.rpartition("@")[2]
    host, port_text = _split_host_port(authority)
    port, port_problems = _port(port_text, scheme.lower())
    problems += port_problems
    problems += _host_problems(host)
    if scheme != scheme.lower() or host != host.lower():
        problems.append(UPPER)
    problems += _tail_problems(tail)
    order = (SEVERAL, NO_SCHEME, WILDCARD, UPPER, NO_HOST, BAD_HOST, USERINFO, BAD_PORT)
    ranked = sorted(dict.fromkeys(problems), key=lambda p: order.index(p) if p in order else len(order))
    return ParsedOrigin(text, scheme, host, port, tuple(ranked))


def _split_authority(rest: str) -> tuple[str, str]:
    cut = min((i for i in (rest.find("/"), rest.find("?"), rest.find("#")) if i >= 0), default=len(rest))
    return rest[:cut], rest[cut:]


def _split_host_port(authority: str) -> tuple[str, Optional[str]]:
    if authority.startswith("["):
        end = authority.find("]")
        if end < 0:
            return authority, None
        host, after = authority[: end + 1], authority[end + 1 :]
        return host, after[1:] if after.startswith(":") else (after or None)
    host, sep, port = authority.rpartition(":")
    if not sep:
        return authority, None
    return host, port


def _port(text: Optional[str], scheme: str) -> tuple[Optional[int], list[str]]:
    if text is None:
        return None, []
    if not text.isdigit() or not text.isascii() or int(text) > 65535:
        return None, [BAD_PORT]
    port = int(text)
    if DEFAULT_PORTS.get(scheme) == port:
        return port, [f"spells out the default port :{port}"]
    return port, []


def _host_problems(host: str) -> list[str]:
    if not host:
        return [NO_HOST]
    if "*" in host:
        return [WILDCARD]
    if host.startswith("["):
        return [] if _ip(host) is not None else [BAD_HOST]
    if not _HOST_CHARS.fullmatch(host) or ".." in host or host.startswith("."):
        return [BAD_HOST]
    return []


def _tail_problems(tail: str) -> list[str]:
    path, _, _ = tail.partition("?")
    path = path.partition("#")[0]
    found = []
    if path == "/":
        found.append(SLASH)
    elif path:
        found.append(PATH)
    if "?" in tail or "#" in tail:
        found.append(QUERY)
    return found


# ---------------------------------------------------------------------------------------------------------------
# Hosts
# ---------------------------------------------------------------------------------------------------------------

SHARED_HOST_SUFFIXES: tuple[str, ...] = (
    "github.io", "githubusercontent.com", "github.dev", "gitlab.io", "bitbucket.io",
    "vercel.app", "now.sh", "netlify.app", "herokuapp.com", "onrender.com", "fly.dev", "railway.app",
    "s3.amazonaws.com", "amazonaws.com", "cloudfront.net",
    "ngrok.io", "ngrok-free.app", "ngrok.app", "ngrok-free.dev", "ngrok.dev", "trycloudflare.com", "loca.lt",
    "localtunnel.me", "serveo.net",
    "codepen.io", "cdpn.io", "jsfiddle.net", "fiddle.jshell.net", "codesandbox.io", "csb.app", "stackblitz.io",
    "webcontainer.io", "glitch.me", "repl.co", "replit.dev", "replit.app", "gitpod.io",
    "pages.dev", "workers.dev", "web.app", "firebaseapp.com", "appspot.com", "run.app", "cloudfunctions.net",
    "storage.googleapis.com", "googleusercontent.com",
    "azurewebsites.net", "azurestaticapps.net", "cloudapp.net", "blob.core.windows.net", "azureedge.net",
    "ondigitalocean.app", "digitaloceanspaces.com", "deno.dev", "surge.sh", "neocities.org",
    "blogspot.com", "wordpress.com", "wixsite.com", "weebly.com", "pythonanywhere.com",
)

_SHARED_SET = frozenset(SHARED_HOST_SUFFIXES)

# Two-label public suffixes common enough to matter when guessing a registrable domain.
_MULTI_LABEL_TLDS = frozenset(
    {
        "co.uk", "org.uk", "ac.uk", "gov.uk", "me.uk", "com.au", "net.au", "org.au", "co.nz", "co.jp", "ne.jp",
        "or.jp", "com.br", "com.cn", "com.mx", "co.in", "co.za", "com.tr", "com.sg", "com.hk", "co.kr", "com.ar",
        "com.tw", "co.il",
    }
)
_PRIVATE_NETWORKS = tuple(
    ipaddress.ip_network(net)
    for net in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "fc00::/7", "fe80::/10")
)
_PRIVATE_NAME_SUFFIXES = (".local", ".internal", ".lan", ".home.arpa", ".localdomain", ".intranet", ".corp")


_DOTTED_DIGITS = re.compile(r"[0-9.]+")


def _bare(host: str) -> str:
    return host.strip().lower().rstrip(".").removeprefix("[").removesuffix("]")


def _ip(host: str) -> Optional[Union[ipaddress.IPv4Address, ipaddress.IPv6Address]]:
    name = _bare(host)
    if ":" not in name and not _DOTTED_DIGITS.fullmatch(name):
        return None
    try:
        return ipaddress.ip_address(name)
    except ValueError:
        return None


def is_local_host(host: str) -> bool:
    """localhost, *.localhost, 127.0.0.0/8, ::1 and the unspecified address 0.0.0.0."""
    name = _bare(host)
    if name == "localhost" or name.endswith(".localhost"):
        return True
    address = _ip(name)
    return address is not None and (address.is_loopback or address.is_unspecified)


def is_private_host(host: str) -> bool:
    """RFC 1918, link-local and unique-local addresses, and names under .local, .internal, .lan and similar."""
    name = _bare(host)
    address = _ip(name)
    if address is not None:
        return any(address.version == net.version and address in net for net in _PRIVATE_NETWORKS)
    return any(name.endswith(suffix) or name == suffix[1:] for suffix in _PRIVATE_NAME_SUFFIXES)


def shared_host_suffix(host: str) -> Optional[str]:
    """The shared-hosting suffix `host` lies under (or is), the longest one when several apply."""
    labels = _bare(host).split(".")
    return next((".".join(labels[i:]) for i in range(len(labels)) if ".".join(labels[i:]) in _SHARED_SET), None)


def _public_suffix(host: str) -> Optional[str]:
    labels = host.split(".")
    if len(labels) >= 2 and ".".join(labels[-2:]) in _MULTI_LABEL_TLDS:
        return ".".join(labels[-2:])
    shared = shared_host_suffix(host)
    return shared if shared else labels[-1]


def _registrable(host: str) -> Optional[str]:
    """The domain an owner registers (`example.com` for `a.b.example.com`); None for IPs and single labels."""
    name = _bare(host)
    if _ip(name) is not None or "." not in name:
        return None
    suffix = _public_suffix(name)
    if suffix is None or name == suffix:
        return None
    extra = name[: -len(suffix) - 1].rsplit(".", 1)[-1]
    return f"{extra}.{suffix}"


_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")


def _looks_registrable(host: str) -> bool:
    labels = host.split(".")
    return (
        len(labels) >= 2
        and all(_LABEL.fullmatch(label) for label in labels)
        and labels[-1].isalpha()
        and len(labels[-1]) >= 2
    )


def _under(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)


# ---------------------------------------------------------------------------------------------------------------
# Pattern analysis: public results
# ---------------------------------------------------------------------------------------------------------------

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
ATTACKER_HOST_WHY = "the pattern accepts a host under a domain anyone can register"
_KIND_ORDER = ("any-origin", "suffix", "no-dot-boundary", "unescaped-dot", "null", "scheme")


@dataclass(frozen=True)
class Bypass:
    """A concrete origin an attacker can obtain that the pattern accepts, and why."""

    kind: str
    origin: str
    explanation: str


@dataclass(frozen=True)
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


def _failed(error: str, *, exhausted: bool) -> PatternReport:
    return PatternReport(
        ok=False, error=error, intended=None, bypasses=(), accepts_any=False, accepts_null=False,
        subdomain_wildcard=None, shared_host=None, accepts_http=False, accepts_local=False, exhausted=exhausted,
    )


class _Exhausted(Exception):
    """The work budget ran out."""


class _Refused(Exception):
    """The pattern cannot be analysed; `exhausted` tells whether that is for complexity."""

    def __init__(self, message: str, *, exhausted: bool) -> None:
        super().__init__(message)
        self.exhausted = exhausted


# ---------------------------------------------------------------------------------------------------------------
# Dialect translation to Python `re` syntax
# ---------------------------------------------------------------------------------------------------------------

_JS_LITERAL = re.compile(r"/(.*)/([dgimsuyv]*)", re.S)
_NAMED_GROUP = re.compile(r"\(\?(?:P?<([A-Za-z_]\w*)>|'([A-Za-z_]\w*)')")
_INLINE_FLAGS = re.compile(r"\(\?([imsxnUJu]*)(?:-([imsxnUJu]*))?([:)])")
_NAMED_REF = re.compile(r"\\k(?:<([A-Za-z_]\w*)>|\{([A-Za-z_]\w*)\}|'([A-Za-z_]\w*)')")
_HEX_BRACED = re.compile(r"\\[xu]\{([0-9A-Fa-f]{1,6})\}")
_POSIX_CLASS = re.compile(r"\[:(\^?)([a-z]+):\]")
_POSIX = {
    "alpha": "a-zA-Z", "digit": "0-9", "alnum": "a-zA-Z0-9", "upper": "A-Z", "lower": "a-z", "word": r"\w",
    "space": r" \t\r\n\v\f", "blank": r" \t", "xdigit": "0-9A-Fa-f", "cntrl": r"\x00-\x1f\x7f",
    "print": r"\x20-\x7e", "graph": r"\x21-\x7e", "punct": r"!-/:-@\[-`{-~",
}


class _Translator:
    """Rewrites one pattern from a dialect into Python syntax; collects flags it had to lift out."""

    def __init__(self, pattern: str, dialect: str) -> None:
        self.src = pattern
        self.dialect = dialect
        self.out: list[str] = []
        self.flags = ""
        self.i = 0

    def run(self) -> tuple[str, str]:
        in_class = False
        while self.i < len(self.src):
            ch = self.src[self.i]
            if ch == "\\":
                self._escape(in_class)
            elif in_class:
                in_class = self._class_char(ch)
            elif ch == "[":
                in_class = self._open_class()
            elif ch == "(" and self.src.startswith("(?", self.i):
                self._group()
            else:
                self.out.append(ch)
                self.i += 1
        lifted = "".join(sorted(set(self.flags) & set("imsx")))
        return ("(?" + lifted + ")" if lifted else "") + "".join(self.out), self.flags

    def _escape(self, in_class: bool) -> None:
        src, i = self.src, self.i
        nxt = src[i + 1 : i + 2]
        if nxt == "Q" and self.dialect != "js":
            end = src.find("\\E", i + 2)
            end = len(src) if end < 0 else end
            self.out.append(re.escape(src[i + 2 : end]))
            self.i = end + 2
            return
        braced = _HEX_BRACED.match(src, i)
        named = _NAMED_REF.match(src, i)
        if braced:
            self.out.append(re.escape(chr(min(int(braced.group(1), 16), 0x10FFFF))))
            self.i = braced.end()
        elif named and not in_class:
            self.out.append(f"(?P={next(g for g in named.groups() if g)})")
            self.i = named.end()
        else:
            self.out.append(_escape_for(self.dialect, nxt))
            self.i += 2

    def _open_class(self) -> bool:
        src = self.src
        self.i += 1
        negated = src.startswith("^", self.i)
        self.i += negated
        if src.startswith("]", self.i) and self.dialect == "js":
            self.out.append(r"[\s\S]" if negated else "(?!)")
            self.i += 1
            return False
        self.out.append("[^" if negated else "[")
        if src.startswith("]", self.i):
            self.out.append(r"\]")
            self.i += 1
        return True

    def _class_char(self, ch: str) -> bool:
        posix = _POSIX_CLASS.match(self.src, self.i) if self.dialect != "js" else None
        if posix and posix.group(2) in _POSIX and not posix.group(1):
            self.out.append(_POSIX[posix.group(2)])
            self.i = posix.end()
            return True
        self.i += 1
        if ch == "]":
            self.out.append("]")
            return False
        self.out.append("\\" + ch if ch in "[&~|" else ch)
        return True

    def _group(self) -> None:
        named = _NAMED_GROUP.match(self.src, self.i)
        flags = _INLINE_FLAGS.match(self.src, self.i)
        if named:
            self.out.append(f"(?P<{named.group(1) or named.group(2)}>")
            self.i = named.end()
        elif flags and (flags.group(1) or flags.group(2) is not None):
            on, off, end = flags.group(1), flags.group(2) or "", flags.group(3)
            on_kept, off_kept = _py_flags(on), _py_flags(off)
            if end == ")":
                self.flags += on_kept
            else:
                self.out.append("(?" + on_kept + ("-" + off_kept if off_kept else "") + ":")
            self.i = flags.end()
        else:
            self.out.append("(")
            self.i += 1


def _py_flags(letters: str) -> str:
    return "".join(ch for ch in letters if ch in "imsx")


_ESCAPES = {"z": r"\Z", "Z": r"\Z", "/": "/"}
_PCRE_ESCAPES = {"h": r"[ \t]", "e": r"\x1b"}
_JS_ESCAPE_LETTERS = frozenset("dDwWsSbBnrtvf0xuck")


def _escape_for(dialect: str, char: str) -> str:
    if dialect == "js" and char.isascii() and char.isalpha() and char not in _JS_ESCAPE_LETTERS:
        return char
    if dialect != "js" and char in _PCRE_ESCAPES:
        return _PCRE_ESCAPES[char]
    return _ESCAPES.get(char, "\\" + char)


def _translate(pattern: str, dialect: str) -> tuple[str, bool]:
    """Python-syntax pattern and whether an inline or literal flag asks for case-insensitivity."""
    ignore_case = False
    if dialect == "js":
        literal = _JS_LITERAL.fullmatch(pattern)
        if literal:
            pattern = literal.group(1)
            ignore_case = "i" in literal.group(2)
    if dialect == "python":
        return pattern, ignore_case
    text, flags = _Translator(pattern, dialect).run()
    return text, ignore_case or "i" in flags


def _glob_to_regex(pattern: str) -> str:
    if pattern.strip() == "*":
        return ".*"
    return "[A-Za-z0-9-]+".join(re.escape(part) for part in pattern.strip().split("*"))


def _group_depth(pattern: str) -> int:
    depth = deepest = 0
    escaped = in_class = False
    for ch in pattern:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif ch == ")":
            depth = max(depth - 1, 0)
    return deepest


# ---------------------------------------------------------------------------------------------------------------
# Parse tree helpers
# ---------------------------------------------------------------------------------------------------------------

_OP = _sre
_REPEATS = {_OP.MAX_REPEAT, _OP.MIN_REPEAT} | ({_OP.POSSESSIVE_REPEAT} if hasattr(_OP, "POSSESSIVE_REPEAT") else set())
_ATOMIC = getattr(_OP, "ATOMIC_GROUP", None)
_UNBOUNDED = _OP.MAXREPEAT
_IC = re.IGNORECASE
_UNSUPPORTED_IN_VM = {_OP.GROUPREF, _OP.GROUPREF_EXISTS, _OP.ASSERT, _OP.ASSERT_NOT, _ATOMIC}
if hasattr(_OP, "POSSESSIVE_REPEAT"):
    _UNSUPPORTED_IN_VM.add(_OP.POSSESSIVE_REPEAT)
_STRING_LENGTH = 64


def _children(op: Any, av: Any) -> Iterable[Any]:
    if op is _OP.SUBPATTERN:
        return [av[3]]
    if op is _OP.BRANCH:
        return av[1]
    if op in _REPEATS:
        return [av[2]]
    if op in (_OP.ASSERT, _OP.ASSERT_NOT):
        return [av[1]]
    if op is _OP.GROUPREF_EXISTS:
        return [b for b in av[1:] if b is not None]
    if op is _ATOMIC:
        return [av]
    return []


def _uses_unsupported(seq: Any) -> bool:
    return any(
        op in _UNSUPPORTED_IN_VM or any(_uses_unsupported(child) for child in _children(op, av)) for op, av in seq
    )


def _paths(seq: Any) -> float:
    """Upper bound on the ways a backtracking engine can split a short string over `seq`."""
    total = 1.0
    for op, av in seq:
        total = min(total * _item_paths(op, av), float("inf"))
    return total


def _item_paths(op: Any, av: Any) -> float:
    if op is _OP.BRANCH:
        return sum(_paths(alt) for alt in av[1])
    if op in _REPEATS:
        low, high, body = av
        inner = _paths(body)
        if high == _UNBOUNDED:
            return _STRING_LENGTH if inner == 1 else float("inf")
        count = max(1, min(high, _STRING_LENGTH) - min(low, _STRING_LENGTH) + 1)
        return count * (_power(inner, min(high, _STRING_LENGTH)) if inner > 1 else 1)
    result = 1.0
    for child in _children(op, av):
        result *= _paths(child)
    return result


def _power(base: float, exponent: int) -> float:
    return float("inf") if exponent * math.log10(base) > 30 else base**exponent


def _is_single_char(seq: Any) -> bool:
    items = list(seq)
    return len(items) == 1 and items[0][0] in (_OP.LITERAL, _OP.NOT_LITERAL, _OP.ANY, _OP.IN)


# ---------------------------------------------------------------------------------------------------------------
# Character predicates
# ---------------------------------------------------------------------------------------------------------------

_WORD = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_CATEGORY_TESTS: dict[object, Callable[[str], bool]] = {
    _OP.CATEGORY_DIGIT: lambda c: "0" <= c <= "9",
    _OP.CATEGORY_NOT_DIGIT: lambda c: not "0" <= c <= "9",
    _OP.CATEGORY_WORD: lambda c: c in _WORD,
    _OP.CATEGORY_NOT_WORD: lambda c: c not in _WORD,
    _OP.CATEGORY_SPACE: lambda c: c in " \t\n\r\f\v",
    _OP.CATEGORY_NOT_SPACE: lambda c: c not in " \t\n\r\f\v",
}


class _CharTest:
    """Membership test for one regex atom (literal, class, any), memoised per character."""

    __slots__ = ("_test", "_ic", "_memo")

    def __init__(self, test: Callable[[str], bool], ignore_case: bool) -> None:
        self._test = test
        self._ic = ignore_case
        self._memo: dict[str, bool] = {}

    def __call__(self, c: str) -> bool:
        hit = self._memo.get(c)
        if hit is None:
            hit = self._test(c) or (self._ic and (self._test(c.lower()) or self._test(c.upper())))
            self._memo[c] = hit
        return hit


def _char_test(op: Any, av: Any, flags: int) -> _CharTest:
    ignore_case = bool(flags & _IC)
    if op is _OP.LITERAL:
        return _CharTest(lambda c, v=chr(av): c == v, ignore_case)
    if op is _OP.NOT_LITERAL:
        literal = _CharTest(lambda c, v=chr(av): c == v, ignore_case)
        return _CharTest(lambda c: not literal(c), False)
    if op is _OP.ANY:
        dotall = bool(flags & re.DOTALL)
        return _CharTest(lambda c: dotall or c != "\n", False)
    return _class_test(av, ignore_case)


def _class_test(items: list[tuple[object, object]], ignore_case: bool) -> _CharTest:
    negated = any(op is _OP.NEGATE for op, _ in items)
    tests: list[Callable[[str], bool]] = []
    for op, av in items:
        if op is _OP.LITERAL:
            tests.append(lambda c, v=chr(av): c == v)
        elif op is _OP.RANGE:
            tests.append(lambda c, lo=av[0], hi=av[1]: lo <= ord(c) <= hi)
        elif op is _OP.CATEGORY:
            tests.append(_CATEGORY_TESTS.get(av, lambda c: False))
    positive = _CharTest(lambda c: any(t(c) for t in tests), ignore_case)
    return _CharTest((lambda c: not positive(c)) if negated else positive, False)


# ---------------------------------------------------------------------------------------------------------------
# A Thompson/Pike automaton for patterns a backtracking engine could blow up on
# ---------------------------------------------------------------------------------------------------------------

_CHAR, _SPLIT, _JUMP, _ASSERT, _MATCH = range(5)


class _Program:
    """A flat NFA: parallel lists of opcodes and arguments."""

    def __init__(self) -> None:
        self.ops: list[int] = []
        self.arg1: list[object] = []
        self.arg2: list[object] = []

    def emit(self, op: int, a: object = None, b: object = None) -> int:
        if len(self.ops) >= MAX_PROGRAM:
            raise _Refused(BUDGET_ERROR, exhausted=True)
        self.ops.append(op)
        self.arg1.append(a)
        self.arg2.append(b)
        return len(self.ops) - 1

    def patch(self, index: int, a: object = None, b: object = None) -> None:
        self.arg1[index], self.arg2[index] = a, b

    def compile_seq(self, seq: Any, flags: int) -> None:
        for op, av in seq:
            self.compile_item(op, av, flags)

    def compile_item(self, op: Any, av: Any, flags: int) -> None:
        if op in (_OP.LITERAL, _OP.NOT_LITERAL, _OP.ANY, _OP.IN):
            self.emit(_CHAR, _char_test(op, av, flags))
        elif op is _OP.SUBPATTERN:
            _, add, remove, body = av
            self.compile_seq(body, (flags | add) & ~remove)
        elif op is _OP.BRANCH:
            self._branch(av[1], flags)
        elif op in _REPEATS:
            self._repeat(*av, flags)
        elif op is _OP.AT:
            self.emit(_ASSERT, av, flags)
        else:
            raise _Refused(f"{BUDGET_ERROR} (uses {op} together with nested repetition)", exhausted=True)

    def _branch(self, alternatives: list[Any], flags: int) -> None:
        exits = []
        for alt in alternatives[:-1]:
            split = self.emit(_SPLIT)
            self.compile_seq(alt, flags)
            exits.append(self.emit(_JUMP))
            self.patch(split, split + 1, len(self.ops))
        self.compile_seq(alternatives[-1], flags)
        for index in exits:
            self.patch(index, len(self.ops))

    def _repeat(self, low: int, high: int, body: Any, flags: int) -> None:
        for _ in range(low):
            self.compile_seq(body, flags)
        if high == _UNBOUNDED:
            split = self.emit(_SPLIT)
            self.compile_seq(body, flags)
            self.emit(_JUMP, split)
            self.patch(split, split + 1, len(self.ops))
            return
        splits = []
        for _ in range(high - low):
            splits.append(self.emit(_SPLIT))
            self.compile_seq(body, flags)
        for split in splits:
            self.patch(split, split + 1, len(self.ops))


def _assert_holds(code: Any, flags: int, text: str, pos: int) -> bool:
    size = len(text)
    multiline = bool(flags & re.MULTILINE)
    if code is _OP.AT_BEGINNING:
        return pos == 0 or (multiline and text[pos - 1] == "\n")
    if code is _OP.AT_BEGINNING_STRING:
        return pos == 0
    if code is _OP.AT_END:
        return pos == size or (pos == size - 1 and text[pos] == "\n") or (multiline and text[pos] == "\n")
    if code is _OP.AT_END_STRING:
        return pos == size
    before = pos > 0 and text[pos - 1] in _WORD
    after = pos < size and text[pos] in _WORD
    return (before != after) if code is _OP.AT_BOUNDARY else (before == after)


def _vm_accepts(program: _Program, text: str, mode: MatchMode, budget: list[int]) -> bool:
    ops, arg1, arg2 = program.ops, program.arg1, program.arg2
    final = len(ops) - 1

    def closure(starts: list[int], pos: int, seen: set[int]) -> None:
        stack = starts
        while stack:
            pc = stack.pop()
            if pc in seen:
                continue
            seen.add(pc)
            budget[0] -= 1
            if budget[0] < 0:
                raise _Exhausted()
            op = ops[pc]
            if op == _JUMP:
                stack.append(arg1[pc])
            elif op == _SPLIT:
                stack.extend((arg2[pc], arg1[pc]))
            elif op == _ASSERT and _assert_holds(arg1[pc], arg2[pc], text, pos):
                stack.append(pc + 1)

    current: set[int] = set()
    closure([0], 0, current)
    for pos in range(len(text) + 1):
        if pos and mode is MatchMode.SEARCH:
            closure([0], pos, current)
        if final in current and (mode is not MatchMode.FULLMATCH or pos == len(text)):
            return True
        if pos == len(text) or (not current and mode is not MatchMode.SEARCH):
            return False
        char = text[pos]
        advanced = [pc + 1 for pc in current if ops[pc] == _CHAR and arg1[pc](char)]
        current = set()
        closure(advanced, pos + 1, current)
    return False


# ---------------------------------------------------------------------------------------------------------------
# Bounded caches
# ---------------------------------------------------------------------------------------------------------------

_T = TypeVar("_T")
_MISSING = object()


class _Memo:
    """A least-recently-used table bounded by entry count and by total weight (roughly, bytes kept alive).

    Each origin rule of each policy asks for its pattern's analysis, so a run asks for the same pattern once per
    policy and rule; the tables must hold every pattern of a run or a cyclic walk over more patterns than they
    hold evicts everything before it is asked for again. Results that are small (reports, booleans, example
    origins) therefore get a bound far above any realistic count of distinct patterns in one run, while the weight
    bound keeps a tree of millions of distinct (or very long) patterns from growing memory without limit.
    Thread-safe, like the `functools.lru_cache` it replaces.
    """

    def __init__(self, max_entries: int, max_weight: int) -> None:
        self.max_entries = max_entries
        self.max_weight = max_weight
        self._data: "OrderedDict[Hashable, tuple[Any, int]]" = OrderedDict()
        self._weight = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._data)

    def lookup(self, key: Hashable) -> Any:
        """The value remembered for `key`, or _MISSING. Lock-free: this is the hot path."""
        hit = self._data.get(key, _MISSING)
        if hit is _MISSING:
            return _MISSING
        try:
            self._data.move_to_end(key)
        except KeyError:  # another thread evicted it meanwhile
            pass
        return hit[0]

    def store(self, key: Hashable, value: _T, weight: int) -> _T:
        """Remember `value` for `key` (unless it alone weighs more than a sixteenth of the table); returns it."""
        if weight > self.max_weight // 16:
            return value
        with self._lock:
            if key not in self._data:
                self._data[key] = (value, weight)
                self._weight += weight
                while len(self._data) > self.max_entries or self._weight > self.max_weight:
                    self._weight -= self._data.popitem(last=False)[1][1]
        return value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._weight = 0


_RESULT_ENTRIES = 65_536
_RESULT_WEIGHT = 64 * 1024 * 1024
_REPORT_WEIGHT = 1024  # a PatternReport, its key and a bypass or two
_SMALL_WEIGHT = 256  # a boolean or a short string, and its key
_COMPILED_WEIGHT = 4096  # a parse tree and a compiled `re` pattern
_INSTRUCTION_WEIGHT = 256  # one automaton instruction and its character test
_REPORTS = _Memo(_RESULT_ENTRIES, _RESULT_WEIGHT)  # analyze_pattern
_ACCEPTS = _Memo(4 * _RESULT_ENTRIES, _RESULT_WEIGHT)  # pattern_accepts: a rule may probe a few origins per pattern
_OUTSIDE = _Memo(_RESULT_ENTRIES, _RESULT_WEIGHT // 4)  # pattern_outside_allowlist
# Compiled patterns are heavy (a parse tree, and maybe an automaton of thousands of instructions) and are needed
# only to compute the results above, which outlive them: a smaller table keyed like the others, weighed by size.
_COMPILED = _Memo(4096, _RESULT_WEIGHT)


def _clear_caches() -> None:
    for memo in (_REPORTS, _ACCEPTS, _OUTSIDE, _COMPILED):
        memo.clear()


# ---------------------------------------------------------------------------------------------------------------
# Compiled matchers
# ---------------------------------------------------------------------------------------------------------------


class _Compiled(NamedTuple):
    """A pattern ready to test origins: by Python `re` when safe, else by the bounded automaton."""

    tree: Any
    flags: int
    mode: MatchMode
    regex: Optional["re.Pattern[str]"]
    program: Optional[_Program]
    spells_null: bool

    def accepts(self, text: str, budget: list[int]) -> bool:
        if self.regex is not None:
            method = {MatchMode.SEARCH: self.regex.search, MatchMode.MATCH: self.regex.match}.get(
                self.mode, self.regex.fullmatch
            )
            return method(text) is not None
        return _vm_accepts(self.program, text, self.mode, budget)


def _mode(mode: Union[MatchMode, str]) -> MatchMode:
    return mode if isinstance(mode, MatchMode) else MatchMode(str(mode))


def _compile(pattern: str, dialect: str, mode: MatchMode, ignore_case: bool) -> Union[_Compiled, _Refused]:
    """The compiled pattern, cached by the same key as its report; weighed by its size, automaton included."""
    key = (pattern, dialect, mode, ignore_case)
    compiled = _COMPILED.lookup(key)
    if compiled is _MISSING:
        compiled = _compile_uncached(pattern, dialect, mode, ignore_case)
        _COMPILED.store(key, compiled, _compiled_weight(pattern, compiled))
    return compiled


def _compiled_weight(pattern: str, compiled: Union[_Compiled, _Refused]) -> int:
    if isinstance(compiled, _Refused):
        return _SMALL_WEIGHT + len(pattern)
    program = len(compiled.program.ops) if compiled.program is not None else 0
    return _COMPILED_WEIGHT + program * _INSTRUCTION_WEIGHT + len(pattern)


def _compile_uncached(pattern: str, dialect: str, mode: MatchMode, ignore_case: bool) -> Union[_Compiled, _Refused]:
    try:
        return _compile_checked(pattern, dialect, mode, ignore_case)
    except _Refused as refused:
        return _Refused(str(refused), exhausted=refused.exhausted)
    except RecursionError:
        return _Refused(f"{BUDGET_ERROR} (nested too deeply)", exhausted=True)
    except (re.error, ValueError, TypeError, OverflowError, IndexError, KeyError) as error:
        return _Refused(f"cannot be compiled: {error}", exhausted=False)


def _compile_checked(pattern: str, dialect: str, mode: MatchMode, ignore_case: bool) -> _Compiled:
    if len(pattern) > MAX_PATTERN_CHARS:
        raise _Refused(f"{BUDGET_ERROR} (longer than {MAX_PATTERN_CHARS} characters)", exhausted=True)
    if mode is not MatchMode.GLOB and dialect not in DIALECTS:
        raise _Refused(f"unknown regex dialect {dialect!r}", exhausted=False)
    if _group_depth(pattern) > MAX_GROUP_DEPTH:
        raise _Refused(f"{BUDGET_ERROR} (groups nested more than {MAX_GROUP_DEPTH} deep)", exhausted=True)
    if mode is MatchMode.GLOB:
        text, mode, lifted_ic = _glob_to_regex(pattern), MatchMode.FULLMATCH, False
    else:
        text, lifted_ic = _translate(pattern, dialect)
    flags = re.ASCII | (_IC if ignore_case or lifted_ic else 0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tree = _sre_parse.parse(text, flags)
        flags = tree.state.flags
        spells_null = "null" in pattern.lower()
        if _paths(tree) <= BACKTRACK_LIMIT:
            return _Compiled(tree, flags, mode, re.compile(text, flags), None, spells_null)
    if _uses_unsupported(tree):
        raise _Refused(
            f"{BUDGET_ERROR} (nested repetition combined with look-around, backreferences or atomic groups)",
            exhausted=True,
        )
    program = _Program()
    program.compile_seq(tree, flags)
    program.emit(_MATCH)
    return _Compiled(tree, flags, mode, None, program, spells_null)


# ---------------------------------------------------------------------------------------------------------------
# Sample strings a pattern accepts (what its author wrote)
# ---------------------------------------------------------------------------------------------------------------

_PREFERRED = "apxbcdefghijklmnoqrstuvwyz1234567890.-:/_ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_MAX_SAMPLE = 300


def _samples(seq: Any, flags: int) -> list[str]:
    """Strings the sequence plausibly stands for, most plausible first (capped)."""
    results = [""]
    for op, av in seq:
        options = _item_samples(op, av, flags)
        results = list(
            dict.fromkeys(a + b for a in results for b in options if len(a) + len(b) <= _MAX_SAMPLE)
        )[:GEN_CAP]
        if not results:
            return []
    return results


def _item_samples(op: Any, av: Any, flags: int) -> list[str]:
    if op is _OP.LITERAL:
        return [chr(av)]
    if op is _OP.ANY:
        return ["."]
    if op in (_OP.NOT_LITERAL, _OP.IN):
        return _first_chars(_char_test(op, av, flags), 1)
    if op is _OP.SUBPATTERN:
        _, add, remove, body = av
        return _samples(body, (flags | add) & ~remove)
    if op is _OP.BRANCH:
        return list(dict.fromkeys(sample for alt in av[1] for sample in _samples(alt, flags)))[: GEN_CAP * 2]
    if op in _REPEATS:
        return _repeat_samples(*av, flags)
    if op is _OP.GROUPREF_EXISTS:
        return [s for branch in av[1:] if branch is not None for s in _samples(branch, flags)]
    if op is _ATOMIC:
        return _samples(av, flags)
    return [""]


def _first_chars(test: _CharTest, count: int) -> list[str]:
    return [c for c in _PREFERRED if test(c)][:count]


def _repeat_samples(low: int, high: int, body: Any, flags: int) -> list[str]:
    if low > _STRING_LENGTH:
        return []
    items = list(body)
    if _is_single_char(items):
        op, av = items[0]
        if op is _OP.ANY and high == 1:
            return ([""] if low == 0 else []) + ["."]
        return _word_samples(_char_test(op, av, flags), low, high)
    inner = _samples(body, flags)
    options = [""] if low == 0 else []
    return options + [s * max(low, 1) for s in inner if low or high >= 1]


def _word_samples(test: _CharTest, low: int, high: int) -> list[str]:
    words = [""] if low == 0 else []
    if high == 1:
        return words + _first_chars(test, 1)
    plausible = [w for w in ("app", "3000") if low <= len(w) <= high and all(test(c) for c in w)][:1]
    if plausible != ["app"]:
        plausible += [c * max(low, 1) for c in _first_chars(test, 1)]
    return list(dict.fromkeys(words + plausible))


# ---------------------------------------------------------------------------------------------------------------
# The analysis
# ---------------------------------------------------------------------------------------------------------------


class _Origin(NamedTuple):
    scheme: str
    host: str
    port: Optional[int]
    loopback: bool = False
    private: bool = False

    @staticmethod
    def of(scheme: str, host: str, port: Optional[int]) -> "_Origin":
        return _Origin(scheme, host, port, is_local_host(host), is_private_host(host))

    @property
    def local(self) -> bool:
        return self.loopback or self.private

    @property
    def text(self) -> str:
        return f"{self.scheme}://{self.host}" + (f":{self.port}" if self.port is not None else "")

    def with_host(self, host: str, *, keep_port: bool = True) -> str:
        return _Origin(self.scheme, host, self.port if keep_port else None).text

    def with_scheme(self, scheme: str) -> "_Origin":
        return _Origin(scheme, self.host, self.port, self.loopback, self.private)

    @property
    def meaningful(self) -> bool:
        return "." in self.host or self.local or _ip(self.host) is not None


class _Tester:
    """Tests candidate origins against one compiled pattern under one shared work budget."""

    def __init__(self, compiled: _Compiled, steps: int) -> None:
        self.compiled = compiled
        self.budget = [steps]
        self.memo: dict[str, bool] = {}

    def __call__(self, text: str) -> bool:
        hit = self.memo.get(text)
        if hit is None:
            hit = self.compiled.accepts(text, self.budget)
            self.memo[text] = hit
        return hit


def _as_origin(sample: str) -> Optional[_Origin]:
    text = sample.lower()
    if "://" not in text:
        text = "https:" + text if text.startswith("//") else "https://" + ("app" if text.startswith(".") else "") + text
    parsed = parse_origin(text)
    if parsed.problems or not parsed.scheme or not parsed.host or parsed.host in ("null", "*"):
        return None
    if _ip(parsed.host) is None and (
        _DOTTED_DIGITS.fullmatch(parsed.host) or not all(_LABEL.fullmatch(label) for label in parsed.host.split("."))
    ):
        return None
    return _Origin.of(parsed.scheme, parsed.host, parsed.port)


def _spelled(compiled: _Compiled, accepts: _Tester) -> tuple[list[_Origin], bool]:
    """Well-formed origins the pattern spells out and accepts, and whether any sample spelled plain http."""
    found: dict[str, _Origin] = {}
    spelled_http = False
    for sample in _samples(compiled.tree, compiled.flags):
        origin = _as_origin(sample)
        if origin is None or origin.text in found or not accepts(origin.text):
            continue
        spelled_http = spelled_http or sample.lower().startswith("http://")
        found[origin.text] = origin
    meaningful = (_preferred(o, accepts) for o in found.values() if o.meaningful)
    return list(dict.fromkeys(meaningful)), spelled_http


def _preferred(origin: _Origin, accepts: _Tester) -> _Origin:
    if origin.scheme == "http" and not origin.loopback:
        secure = origin.with_scheme("https")
        if accepts(secure.text):
            return secure
    return origin


def _one_per_host(spelled: list[_Origin]) -> list[_Origin]:
    first: dict[str, _Origin] = {}
    for origin in spelled:
        first.setdefault(origin.host, origin)
    return list(first.values())


def _subdomain_wildcard(spelled: list[_Origin], accepts: _Tester) -> Optional[str]:
    found: Optional[str] = None
    for origin in _one_per_host(spelled):
        registrable = _registrable(origin.host)
        if registrable is None or origin.local:
            continue
        labels = origin.host.split(".")
        start = len(labels) - len(registrable.split("."))
        for index in range(start, -1, -1):
            domain = ".".join(labels[index:])
            if accepts(origin.with_host(f"attacker.{domain}")):
                if found is None or len(domain) < len(found):
                    found = domain
                break
    return found


def _shared_host(spelled: list[_Origin], accepts: _Tester) -> Optional[str]:
    for origin in spelled:
        suffix = shared_host_suffix(origin.host)
        if suffix and origin.host != suffix and accepts(origin.with_host(f"attacker.{suffix}")):
            return suffix
    return None


def _host_candidates(origin: _Origin) -> list[tuple[str, str, str]]:
    host = origin.host
    candidates = [("suffix", origin.with_host(f"{host}.{ATTACKER}", keep_port=False), SUFFIX_WHY)]
    registrable = _registrable(host)
    if registrable:
        for prefix in ("attacker", "attacker-"):
            candidates.append(("no-dot-boundary", origin.with_host(prefix + registrable), NO_DOT_WHY))
    dots = [i for i, ch in enumerate(host) if ch == "."]
    for index in dots:
        swapped = host[:index] + "x" + host[index + 1 :]
        if index == dots[-1]:
            swapped += ".net"
        if _looks_registrable(swapped):
            candidates.append(("unescaped-dot", origin.with_host(swapped), DOT_WHY))
    return candidates


def _outside_intent(host: str, spelled: list[_Origin], wildcard: Optional[str], shared: Optional[str]) -> bool:
    domains = {_registrable(o.host) or o.host for o in spelled}
    domains |= {d for d in (wildcard, shared) if d}
    return not any(_under(host, domain) for domain in domains)


def _bypasses(
    spelled: list[_Origin], accepts: _Tester, wildcard: Optional[str], shared: Optional[str], spelled_http: bool
) -> list[Bypass]:
    found: dict[str, Bypass] = {}
    for origin in _one_per_host(spelled)[:16]:
        for kind, candidate, why in _host_candidates(origin):
            if kind in found or not accepts(candidate):
                continue
            host = parse_origin(candidate).host
            if _outside_intent(host, spelled, wildcard, shared):
                found[kind] = Bypass(kind, candidate, why)
        plain = origin.with_scheme("http").text
        pinned = spelled_http or origin.scheme != "https" or origin.loopback
        if "scheme" not in found and not pinned and accepts(plain):
            found["scheme"] = Bypass("scheme", plain, SCHEME_WHY)
    return list(found.values())


def _sort(bypasses: Iterable[Bypass]) -> tuple[Bypass, ...]:
    return tuple(sorted(bypasses, key=lambda b: _KIND_ORDER.index(b.kind)))


def _analyze(compiled: _Compiled, accepts: _Tester) -> PatternReport:
    accepts_null = accepts("null")
    extra = [Bypass("null", "null", NULL_WHY)] if accepts_null and not compiled.spells_null else []
    spelled, spelled_http = _spelled(compiled, accepts)
    intended = spelled[0].text if spelled else None
    accepts_local = any(o.local for o in spelled)
    if accepts(f"https://{ATTACKER}"):
        accepts_any = accepts("https://evil-site.net:8443")
        extra.append(Bypass("any-origin", f"https://{ATTACKER}", ANY_WHY if accepts_any else UNRELATED_WHY))
        if accepts_any:
            return PatternReport(
                ok=True, error="", intended=intended, bypasses=_sort(extra), accepts_any=True,
                accepts_null=accepts_null, subdomain_wildcard=None, shared_host=None,
                accepts_http=accepts(f"http://{ATTACKER}"), accepts_local=accepts_local, exhausted=False,
            )
    shared = _shared_host(spelled, accepts)
    wildcard = _subdomain_wildcard(spelled, accepts)
    if wildcard and shared and _under(wildcard, shared):
        wildcard = None
    accepts_http = any(o.scheme == "http" and not o.loopback for o in spelled) or any(
        accepts(o.with_scheme("http").text) for o in spelled if not o.loopback
    )
    return PatternReport(
        ok=True, error="", intended=intended,
        bypasses=_sort(_bypasses(spelled, accepts, wildcard, shared, spelled_http) + extra),
        accepts_any=False, accepts_null=accepts_null, subdomain_wildcard=wildcard, shared_host=shared,
        accepts_http=accepts_http, accepts_local=accepts_local, exhausted=False,
    )


def _fallback(compiled: _Compiled, accepts: _Tester) -> tuple[list[Bypass], bool, bool]:
    """Bypasses found by probing a few cheap attacker origins, with whether `null` and every origin are accepted.

    For when the exact analysis ran out of budget, or finished without learning what the pattern is for. Each
    candidate is attacker-controlled by construction, and is reported only if the step-bounded matcher accepted
    it; the probing gets a fresh budget of FALLBACK_STEPS (the tester's memo of finished tests is reused) and
    stops when that runs out, keeping what it found. Candidates built from the pattern's own text go first: they
    are the likeliest to match, so they get the budget before `https://attacker.test` and `null`.
    """
    accepts.budget = [FALLBACK_STEPS]
    found: dict[str, Bypass] = {}
    accepts_any = accepts_null = False
    try:
        for kind, candidate, why in _fallback_candidates(compiled):
            if kind not in found and accepts(candidate):
                found[kind] = Bypass(kind, candidate, why)
        if accepts(f"https://{ATTACKER}"):
            accepts_any = accepts("https://evil-site.net:8443")
            found["any-origin"] = Bypass("any-origin", f"https://{ATTACKER}", ANY_WHY if accepts_any else UNRELATED_WHY)
        accepts_null = accepts("null")
        if accepts_null and not compiled.spells_null:
            found["null"] = Bypass("null", "null", NULL_WHY)
    except (_Exhausted, RecursionError):
        pass
    return list(found.values()), accepts_any, accepts_null


def _fallback_candidates(compiled: _Compiled) -> Iterator[tuple[str, str, str]]:
    """Attacker origins built from the first few samples of the pattern: the exact analysis's host mutations of
    each well-formed origin they spell (kept only outside the domains spelled), then each sample's host-like text
    as labels in front of a domain the attacker owns."""
    samples = _samples(compiled.tree, compiled.flags)[:FALLBACK_SAMPLES]
    spelled = [o for o in map(_as_origin, samples) if o is not None and o.meaningful]
    tried: set[str] = set()
    for origin in _one_per_host(spelled):
        for kind, candidate, why in _host_candidates(origin):
            if candidate not in tried and _outside_intent(parse_origin(candidate).host, spelled, None, None):
                tried.add(candidate)
                yield kind, candidate, why
    for host in dict.fromkeys(filter(None, map(_sample_host, samples))):
        for scheme in ("https", "http"):
            candidate = f"{scheme}://{host}.{ATTACKER}"
            if candidate not in tried:
                tried.add(candidate)
                yield "any-origin", candidate, ATTACKER_HOST_WHY


_FALLBACK_HOST = 40
_HOST_END = re.compile(r"[/:?#@\\]")


def _sample_host(sample: str) -> Optional[str]:
    """The host-like part of a sample, as DNS labels an attacker may put in front of a domain of their own."""
    if sample.lower() == "null":
        return None  # the `null` origin, as the exact analysis reads it, not a host name
    text = _HOST_END.split(sample.lower().partition("://")[2] or sample.lower(), 1)[0]
    labels = [label for label in text.split(".") if _LABEL.fullmatch(label)]
    host = ".".join(labels)[:_FALLBACK_HOST].strip(".-")
    return host if host and all(_LABEL.fullmatch(label) for label in host.split(".")) else None


def _partial(compiled: _Compiled, accepts: _Tester, error: str) -> PatternReport:
    """The report of an analysis that ran out of budget: a bypass the fallback probe found, or the failure."""
    bypasses, accepts_any, accepts_null = _fallback(compiled, accepts)
    if not bypasses:
        return _failed(error, exhausted=True)
    return PatternReport(
        ok=True, error=error, intended=None, bypasses=_sort(bypasses), accepts_any=accepts_any,
        accepts_null=accepts_null, subdomain_wildcard=None, shared_host=None, accepts_http=False,
        accepts_local=False, exhausted=True,
    )


def _analyze_uncached(pattern: str, dialect: str, mode: MatchMode, ignore_case: bool) -> PatternReport:
    compiled = _compile(pattern, dialect, mode, ignore_case)
    if isinstance(compiled, _Refused):
        return _failed(str(compiled), exhausted=compiled.exhausted)
    accepts = _Tester(compiled, ANALYSIS_STEPS)
    try:
        report = _analyze(compiled, accepts)
        if report.intended is None and not report.bypasses:
            # Nothing the pattern spells is an origin it accepts, so the exact analysis had nothing to mutate:
            # probe attacker origins built from its samples instead (e.g. `(.*a){20}` and `aaa…a.attacker.test`).
            bypasses, _, _ = _fallback(compiled, accepts)
            return replace(report, bypasses=_sort(bypasses)) if bypasses else report
        return report
    except _Exhausted:
        return _partial(compiled, accepts, BUDGET_ERROR)
    except RecursionError:
        return _failed(f"{BUDGET_ERROR} (nested too deeply)", exhausted=True)


def analyze_pattern(
    pattern: str, *, dialect: str, mode: Union[MatchMode, str], ignore_case: bool
) -> PatternReport:
    """Analyse an origin pattern as `mode` applies it; never raises, bounded work, cached.

    When the exact analysis runs out of budget, a cheap probe of attacker origins still runs: a bypass it finds is
    reported with `exhausted=True` (see PatternReport).
    """
    key = (pattern, dialect, _mode(mode), bool(ignore_case))
    found = _REPORTS.lookup(key)
    if found is _MISSING:
        found = _REPORTS.store(key, _analyze_uncached(*key), _REPORT_WEIGHT + len(pattern))
    return found


def pattern_accepts(
    pattern: str, origin: str, *, dialect: str, mode: Union[MatchMode, str], ignore_case: bool
) -> Optional[bool]:
    """Whether the pattern accepts `origin`; None when that cannot be decided within the budget. Cached."""
    key = (pattern, dialect, _mode(mode), bool(ignore_case))
    found = _ACCEPTS.lookup((*key, origin))
    if found is _MISSING:
        weight = _SMALL_WEIGHT + len(pattern) + len(origin)
        found = _ACCEPTS.store((*key, origin), _accepts_uncached(key, origin), weight)
    return found


def _accepts_uncached(key: tuple[str, str, MatchMode, bool], origin: str) -> Optional[bool]:
    compiled = _compile(*key)
    if isinstance(compiled, _Refused):
        return None
    try:
        return compiled.accepts(origin, [ACCEPT_STEPS])
    except (_Exhausted, RecursionError):
        return None


# ---------------------------------------------------------------------------------------------------------------
# Allowlists (CORS901)
# ---------------------------------------------------------------------------------------------------------------


def _normalized(origin: str) -> tuple[str, str, Optional[int]]:
    parsed = parse_origin(origin)
    scheme = parsed.scheme.lower()
    port = None if parsed.port == DEFAULT_PORTS.get(scheme) else parsed.port
    return scheme, parsed.host.lower().rstrip("."), port


def in_allowlist(origin: str, allowlist: Sequence[str]) -> bool:
    """Whether `origin` is one of the entries: exact origins, `*`, or `scheme://*.domain` (any subdomain)."""
    value = origin.strip()
    if value == "null":
        return any(entry.strip() == "null" for entry in allowlist)
    scheme, host, port = _normalized(value)
    for entry in allowlist:
        text = entry.strip()
        if text == "*":
            return True
        want_scheme, want_host, want_port = _normalized(text)
        if (want_scheme, want_port) != (scheme, port) or not host:
            continue
        if want_host == host or (want_host.startswith("*.") and host.endswith(want_host[1:])):
            return True
    return False


def pattern_outside_allowlist(
    pattern: str, *, dialect: str, mode: Union[MatchMode, str], ignore_case: bool, allowlist: Sequence[str]
) -> Optional[str]:
    """An origin the pattern accepts that lies outside `allowlist`, or None (also when undecidable). Cached."""
    key = (pattern, dialect, _mode(mode), bool(ignore_case))
    entries = tuple(allowlist)
    found = _OUTSIDE.lookup((*key, entries))
    if found is _MISSING:
        found = _outside_uncached(key, entries)
        _OUTSIDE.store((*key, entries), found, _SMALL_WEIGHT + len(pattern) + sum(map(len, entries)) + len(found or ""))
    return found


def _outside_uncached(key: tuple[str, str, MatchMode, bool], allowlist: tuple[str, ...]) -> Optional[str]:
    pattern, dialect, mode, ignore_case = key
    found = analyze_pattern(pattern, dialect=dialect, mode=mode, ignore_case=ignore_case)
    if not found.ok:
        return None
    compiled = _compile(*key)
    if isinstance(compiled, _Refused):
        return None
    accepts = _Tester(compiled, ANALYSIS_STEPS)
    try:
        for candidate in _allowlist_candidates(found, compiled, accepts):
            if accepts(candidate) and not in_allowlist(candidate, allowlist):
                return candidate
    except _Exhausted:
        return None
    return None


def _allowlist_candidates(found: PatternReport, compiled: _Compiled, accepts: _Tester) -> Iterable[str]:
    scheme = (found.intended or "https://").split("://", 1)[0]
    if found.intended:
        yield found.intended
    for domain in (found.subdomain_wildcard, found.shared_host):
        if domain:
            yield f"{scheme}://attacker.{domain}"
    yield from (b.origin for b in found.bypasses)
    yield from (o.text for o in _spelled(compiled, accepts)[0])
    if found.accepts_null:
        yield "null"
