"""Recognises CORS configuration of kinds no corslint source reads yet (Kubernetes and Helm manifests, vercel.json,
Netlify `_headers`, IIS Web.config), so a run says it skipped such a file instead of passing over it in silence.
"""

from __future__ import annotations

from typing import Callable, Optional

PROBE_BYTES = 64 * 1024
_NOT_READ = "not checked (no corslint source reads this kind of file yet)"

# (how the file name ends, lower-cased; the words, lower-cased, that show it sets CORS; what it is)
_KINDS: tuple[tuple[tuple[str, ...], tuple[bytes, ...], str], ...] = (
    (
        (".yaml", ".yml", ".tpl"),
        (b"enable-cors", b"cors-allow-", b"access-control-", b"accesscontrolallow"),
        "Kubernetes/Helm manifest with CORS settings (ingress annotations or header snippets)",
    ),
    (("vercel.json",), (b"access-control-",), "vercel.json with CORS headers"),
    (("_headers",), (b"access-control-",), "Netlify/Cloudflare Pages `_headers` file with CORS headers"),
    (("web.config",), (b"access-control-", b"<cors"), "IIS Web.config with CORS settings"),
)
_ENDINGS = tuple(ending for endings, _, _ in _KINDS for ending in endings)


def may_be_unsupported(name: str) -> bool:
    """Cheap test on the file name alone (discovery asks it of every file no source wants)."""
    return name.lower().endswith(_ENDINGS)


def unsupported_reason(name: str, read: Callable[[int], bytes]) -> Optional[str]:
    """Why the file is skipped, when its name and first bytes (`read(n)`) show CORS settings of an unread kind."""
    lower = name.lower()
    for endings, words, kind in _KINDS:
        if lower.endswith(endings):
            head = read(PROBE_BYTES).lower()
            if any(word in head for word in words):
                return f"{kind}; {_NOT_READ}"
            return None
    return None
