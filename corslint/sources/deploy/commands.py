"""What a start command says about the process it starts: the server program, the port it listens on and the
application it loads (`uvicorn app.main:app --port 8000`, `gunicorn -b :5000 wsgi:app`, `node server.js`)."""

from __future__ import annotations

import shlex
from typing import Optional, Sequence

from corslint.lazy_regex import lazy
from corslint.records import record

# servers whose port is a flag, and the port they listen on without one
_DEFAULT_PORTS = {
    "uvicorn": 8000, "gunicorn": 8000, "hypercorn": 8000, "daphne": 8000, "granian": 8000, "fastapi": 8000,
    "flask": 5000, "waitress-serve": 8080, "uwsgi": 0,
}
# per server: the flags that take a port, and those that take `host:port`
_PORT_FLAGS = {
    "uvicorn": {"--port"}, "daphne": {"-p", "--port"}, "flask": {"-p", "--port"}, "fastapi": {"--port"},
    "granian": {"--port"}, "waitress-serve": {"--port"},
}
_BIND_FLAGS = {
    "gunicorn": {"-b", "--bind"}, "hypercorn": {"-b", "--bind"}, "waitress-serve": {"--listen"},
    "uwsgi": {"--socket", "-s", "--http", "--http-socket", "--uwsgi-socket"},
}
_NODE_RUNNERS = frozenset({"node", "nodemon", "ts-node", "tsx", "bun", "deno"})
_WRAPPERS = frozenset({"exec", "python", "python3", "pipenv", "poetry", "run", "uv", "-m", "npx", "env"})
_ENV_REF = lazy(r"^\$\{?(\w+)(?::?-(\d{1,5}))?\}?$")
_MAX_TOKENS = 200


@record(frozen=True)
class Command:
    """`server` is the program (uvicorn, node, manage.py runserver, ...); `port` 0 when not known; `assumed` says
    what had to be assumed about it (a default port, an environment variable's fallback)."""

    server: str = ""
    port: int = 0
    assumed: str = ""
    target: str = ""  # what the server loads: `app.main:app`, `server.js`


def split(command: "str | Sequence[str]") -> list[str]:
    """The words of a command: a list as it is, a string split as a POSIX shell would (quotes), `sh -c` unwrapped."""
    if isinstance(command, str):
        try:
            words = shlex.split(command, comments=False, posix=True)
        except ValueError:
            words = command.split()
    else:
        words = [str(word) for word in command]
    words = words[:_MAX_TOKENS]
    if len(words) >= 3 and words[0].rpartition("/")[2] in ("sh", "bash", "ash") and words[1] in ("-c", "-ec", "-lc"):
        return split(words[2])
    for joiner in ("&&", ";", "||"):
        if joiner in words:  # the last command is the one that stays in the foreground
            index = len(words) - 1 - words[::-1].index(joiner)
            words = words[index + 1 :]
    return words


def read(command: "str | Sequence[str]") -> Command:
    words = split(command)
    while words and (words[0] in _WRAPPERS or "=" in words[0]):
        words = words[1:]
    if not words:
        return Command()
    program = words[0].rpartition("/")[2]
    if program in ("manage.py",) or (len(words) > 1 and words[1] == "runserver"):
        return _runserver(words)
    if program in _NODE_RUNNERS:
        target = next((w for w in words[1:] if not w.startswith("-")), "")
        return Command("node", target=target)
    if program in _DEFAULT_PORTS:
        return _server(program, words[1:])
    return Command(program)


def _server(program: str, args: list[str]) -> Command:
    port, assumed = 0, ""
    target = ""
    given = False  # a port flag that could not be read leaves the port unknown, not the default
    index = 0
    while index < len(args):
        word = args[index]
        flag, eq, inline = word.partition("=")
        value = inline if eq else (args[index + 1] if index + 1 < len(args) else "")
        if flag in _PORT_FLAGS.get(program, ()):
            port, assumed = _port(value)
            given = True
            index += 1 if eq else 2
            continue
        if flag in _BIND_FLAGS.get(program, ()):
            if not value.startswith("unix:"):
                port, assumed = _port(value.rpartition(":")[2])
                given = True
            index += 1 if eq else 2
            continue
        if word.startswith("-"):
            index += 1
            continue
        if not target and (":" in word or word.endswith(".py")):
            target = word
        index += 1
    if port == 0 and not assumed and not given and _DEFAULT_PORTS[program]:
        port, assumed = _DEFAULT_PORTS[program], f"{program}'s default port"
    return Command(program, port, assumed, target)


def _runserver(words: list[str]) -> Command:
    after = words[words.index("runserver") + 1 :] if "runserver" in words else []
    address = next((w for w in after if not w.startswith("-")), "")
    if not address:
        return Command("runserver", 8000, "runserver's default port")
    port, assumed = _port(address.rpartition(":")[2])
    return Command("runserver", port, assumed)


def _port(text: str) -> tuple[int, str]:
    text = text.strip()
    if text.isdigit() and len(text) <= 5 and 0 < int(text) < 65536:
        return int(text), ""
    match = _ENV_REF.match(text)
    if match is not None and match.group(2):
        return int(match.group(2)), f"{match.group(2)} while ${match.group(1)} is unset"
    return 0, "the port comes from the environment" if text.startswith("$") else ""


def port_of(text: str) -> Optional[int]:
    port, assumed = _port(text)
    return port if port and not assumed else None
