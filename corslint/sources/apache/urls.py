"""Apache source, the URL paths a <Directory> section serves: the folder under each DocumentRoot and Alias of its
server (the enclosing <VirtualHost>, or the main server and every virtual host of the file)."""

from __future__ import annotations

from typing import Optional

from corslint.sources.apache.scopes import Scope

_ALIASES = frozenset({"alias", "scriptalias"})


def directory_urls(scope: Scope) -> Optional[tuple[str, ...]]:
    """URL-path prefixes the folder of `scope` (a <Directory>) serves; None when no DocumentRoot or Alias tells."""
    folder = _folder(scope.node.words[-1]) if scope.node is not None and scope.node.words else ""
    if not folder:
        return None
    found: list[str] = []
    for server in _servers(scope):
        for entry in server.own:
            words = entry.node.words
            if entry.node.key == "documentroot" and words:
                found.extend(_under(folder, _folder(words[0]), "/"))
            elif entry.node.key in _ALIASES and len(words) >= 2:
                found.extend(_under(folder, _folder(words[1]), words[0].rstrip("/") + "/"))
    return tuple(dict.fromkeys(found)) or None


def _folder(text: str) -> str:
    return text.strip("\"'").rstrip("/") or "/"


def _under(folder: str, root: str, url: str) -> list[str]:
    """The URL prefix `folder` has when `root` is served at `url`: the folder itself, a folder in it, or a parent."""
    if folder == root or (root.startswith(folder + "/") or folder == "/"):
        return [url]
    if folder.startswith(root + "/"):
        return [url.rstrip("/") + folder[len(root):] + "/"]
    return []


def _servers(scope: Scope) -> list[Scope]:
    """The scopes whose DocumentRoot and Alias apply to the section: its <VirtualHost>, else the file and its hosts."""
    chain = scope.chain()
    hosts = [part for part in chain if part.kind == "virtualhost"]
    if hosts:
        return [hosts[-1]]
    top = chain[0]
    return [top] + [child for child in top.children if child.kind == "virtualhost"]
