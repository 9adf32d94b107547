"""The addresses a proxy hands requests to: `http://api:8000/v1`, `api:8000` (uwsgi_pass), `unix:/run/app.sock`,
an Apache `ProxyPass /api http://localhost:5000/ retry=0`. Variables make an address unknown."""

from __future__ import annotations

from typing import Optional

from corslint.model import WiringFact
from corslint.records import record

_SCHEME_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443, "grpc": 80, "grpcs": 443}
LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0", "ip6-localhost"})


@record(frozen=True)
class Address:
    host: str
    port: int  # 0 when the address names none and its scheme has no default
    text: str  # as written
    port_written: bool = True

    @property
    def loopback(self) -> bool:
        return self.host in LOOPBACK or self.host.startswith("127.")


def address(text: str) -> Optional[Address]:
    """The host and port of one upstream address; None for a socket, a variable or anything unreadable."""
    written = text.strip().strip('"\'')
    if not written or "$" in written or "{" in written or written.startswith("unix:"):
        return None
    scheme, sep, rest = written.partition("://")
    if not sep:
        scheme, rest = "", written
    hostport = rest.partition("/")[0].rpartition("@")[2]
    if hostport.startswith("["):
        host, _, tail = hostport[1:].partition("]")
        port_text = tail.lstrip(":")
    else:
        host, _, port_text = hostport.partition(":")
    host = host.lower()
    if not host or not all(c.isalnum() or c in "-._:" for c in host):
        return None
    if port_text:
        if not port_text.isdigit() or len(port_text) > 5 or not 0 < int(port_text) < 65536:
            return None
        return Address(host, int(port_text), written)
    return Address(host, _SCHEME_PORTS.get(scheme.lower(), 0), written, port_written=False)


def written_target(fact: WiringFact) -> str:
    """The upstream URL of an `upstream` wiring fact: nginx states it alone, Apache's line may end in parameters."""
    if "://" in fact.subject or not fact.prov.raw:
        return fact.subject
    for word in fact.prov.raw.split():
        if "://" in word:
            return word
    return fact.subject
