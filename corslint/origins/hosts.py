"""Host classes: loopback, private networks, shared hosting suffixes and registrable domains."""

from __future__ import annotations

import ipaddress
from typing import Optional, Union

from corslint.lazy_regex import lazy

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


DOTTED_DIGITS = lazy(r"[0-9.]+")


def _bare(host: str) -> str:
    return host.strip().lower().rstrip(".").removeprefix("[").removesuffix("]")


def parse_ip(host: str) -> Optional[Union[ipaddress.IPv4Address, ipaddress.IPv6Address]]:
    name = _bare(host)
    if ":" not in name and not DOTTED_DIGITS.fullmatch(name):
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
    address = parse_ip(name)
    return address is not None and (address.is_loopback or address.is_unspecified)


def is_private_host(host: str) -> bool:
    """RFC 1918, link-local and unique-local addresses, and names under .local, .internal, .lan and similar."""
    name = _bare(host)
    address = parse_ip(name)
    if address is not None:
        return any(address.version == net.version and address in net for net in _PRIVATE_NETWORKS)
    return any(name.endswith(suffix) or name == suffix[1:] for suffix in _PRIVATE_NAME_SUFFIXES)


# Top-level domains on browsers' HSTS preload list as a whole (Google Registry's, preloaded since 2015-2019): browsers
# never load a plain-HTTP page there, so an `http://` origin under them is never sent
HSTS_PRELOADED_TLDS = frozenset(
    "android app bank boo chrome dad day dev eat esq fly foo gle gmail google ing insurance meme mov new nexus page "
    "phd play prof rsvp search youtube zip".split()
)


def hsts_preloaded(host: str) -> bool:
    """Is `host` under a top-level domain that browsers reach over HTTPS only?"""
    return _bare(host).rstrip(".").rpartition(".")[2] in HSTS_PRELOADED_TLDS


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


def public_suffix(host: str) -> Optional[str]:
    """The suffix under which anyone registers a domain (`dev`, `co.uk`, `github.io`) of a host name; None for an IP."""
    name = _bare(host)
    return None if parse_ip(name) is not None or "." not in name else _public_suffix(name)


def registrable_domain(host: str) -> Optional[str]:
    """The domain an owner registers (`example.com` for `a.b.example.com`); None for IPs and single labels."""
    name = _bare(host)
    if parse_ip(name) is not None or "." not in name:
        return None
    suffix = _public_suffix(name)
    if suffix is None or name == suffix:
        return None
    extra = name[: -len(suffix) - 1].rsplit(".", 1)[-1]
    return f"{extra}.{suffix}"


LABEL = lazy(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")


def looks_registrable(host: str) -> bool:
    labels = host.split(".")
    return (
        len(labels) >= 2
        and all(LABEL.fullmatch(label) for label in labels)
        and labels[-1].isalpha()
        and len(labels[-1]) >= 2
    )


def is_under(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)
