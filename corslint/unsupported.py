"""Recognises CORS configuration of kinds no corslint source reads yet (YAML that is no manifest or Traefik file, vercel.json,
Netlify `_headers`, IIS Web.config, PHP, C#, Go, Java/Kotlin, Ruby and Rust sources), so a run says it skipped such
a file instead of passing over it in silence.
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
        "YAML file with CORS settings that is no Kubernetes manifest, Helm values file or Traefik dynamic configuration (an "
        "API gateway definition, a CI or tool file)",
    ),
    (("vercel.json",), (b"access-control-",), "vercel.json with CORS headers"),
    (("_headers",), (b"access-control-",), "Netlify/Cloudflare Pages `_headers` file with CORS headers"),
    (("web.config",), (b"access-control-", b"<cors"), "IIS Web.config with CORS settings"),
)
# source languages: (how the file name ends, the language, words besides `access-control-` that show CORS settings)
_LANGUAGES: tuple[tuple[tuple[str, ...], str, tuple[bytes, ...]], ...] = (
    ((".php", ".phtml"), "PHP", (b"allowed_origins", b"nelmio_cors", b"handlecors")),
    ((".cs",), "C#", (b"allowanyorigin", b"withorigins", b"addcors", b"usecors", b"enablecors")),
    ((".go",), "Go", (b"allowedorigins", b"alloworigins", b"allowallorigins", b"alloworiginfunc")),
    ((".java", ".kt", ".kts", ".groovy", ".scala"), "Java/Kotlin", (b"@crossorigin", b"allowedorigins", b"corsconfiguration")),
    ((".rb", "config.ru"), "Ruby", (b"rack::cors", b"rack-cors")),
    ((".rs",), "Rust", (b"corslayer", b"allow_origin", b"cors::")),
)
_ENDINGS = tuple(ending for endings, _, _ in _KINDS for ending in endings) + tuple(
    ending for endings, _, _ in _LANGUAGES for ending in endings
)
HEADER_WORD = b"access-control-"


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
    for endings, language, words in _LANGUAGES:
        if lower.endswith(endings):
            return _language_reason(language, words, read(PROBE_BYTES).lower())
    return None


def _language_reason(language: str, words: tuple[bytes, ...], head: bytes) -> Optional[str]:
    if HEADER_WORD in head:
        what = "Access-Control-* headers"
    else:
        found = next((word for word in words if word in head), None)
        if found is None:
            return None
        what = f"CORS settings (`{found.decode()}`)"
    return f"{language} source with {what}; not checked: no corslint source reads {language} yet"


def unclaimed_reason(head: bytes, named: bool = False) -> Optional[str]:
    """Why a file some source looked at but none claimed is reported: its first bytes hold CORS headers, or it
    was named on the command line."""
    if HEADER_WORD in head.lower():
        return (
            "a file with Access-Control-* text whose kind corslint cannot tell; not checked "
            "(say what it is with the `file-kinds` setting)"
        )
    if named:
        return "corslint cannot tell what kind of configuration this is; not checked (say it with `file-kinds`)"
    return None
