"""Real servers on 127.0.0.1 for the differential suite: a tiny upstream, and nginx and Apache httpd run as our own
processes (each started and stopped by its pid file, with its own prefix in a temp folder; never a system service)."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import sys
import socket
import subprocess
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator, Optional
from urllib.parse import urlsplit

from corslint.simulate.request import SimRequest

TRUSTED = "https://app.example.com"
ATTACKER = "https://app.example.com.attacker.test"
CORS_NAMES = ("access-control-allow-origin", "access-control-allow-credentials", "access-control-allow-methods",
              "access-control-allow-headers", "access-control-expose-headers", "access-control-max-age",
              "access-control-allow-private-network")
REQUESTS = [
    SimRequest(TRUSTED, "GET", (), False, "/api/items"),
    SimRequest(TRUSTED, "GET", (), True, "/api/items"),
    SimRequest(ATTACKER, "GET", (), True, "/api/items"),
    SimRequest("null", "GET", (), False, "/api/items"),
    SimRequest(TRUSTED, "PUT", (("Authorization", ""),), True, "/api/items"),
    SimRequest(TRUSTED, "GET", (), False, "/api/missing"),
    SimRequest(TRUSTED, "PUT", (("X-Trace", ""),), False, "/api/items", private_network=True),
]
MAX_LOG_LINES = 20  # lines an application may print before the runner says it is ready
MAX_WAIT_S = 10  # a socket and subprocess timeout, for one request or one command
POLL_S = 0.05
MAX_POLLS = 200  # how often to look, POLL_S apart, before a server counts as not started or not stopped


_LISTS = ("access-control-allow-methods", "access-control-allow-headers", "access-control-expose-headers")


def http_request(port: int, method: str, path: str, headers: dict[str, str]) -> tuple[int, list[tuple[str, str]]]:
    """One request to 127.0.0.1:port: the status and the response headers."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=MAX_WAIT_S)
    try:
        connection.request(method, path, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status, response.getheaders()
    finally:
        connection.close()


def normal(headers: "list[tuple[str, str]]") -> list:
    """The CORS headers as the browser reads them: names lower-cased, list headers as sets of lower-cased items."""
    found = []
    for name, value in headers:
        low = name.lower()
        if low in CORS_NAMES:
            found.append((low, frozenset(v.strip().lower() for v in value.split(",")) if low in _LISTS else value))
    return sorted(found, key=repr)


def wait_listening(port: int) -> None:
    for _ in range(MAX_POLLS):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=POLL_S).close()
            return
        except OSError:
            time.sleep(POLL_S)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


def catalogue_examples(langs: tuple[str, ...]) -> list[tuple[str, int, str, str]]:
    """(code, index, file name, text) of every single-file example of the rule catalogue in these languages."""
    from corslint.catalogue import load_page, page_codes

    found = []
    for code in page_codes():
        page = load_page(code)
        for index, example in enumerate(page.examples if page else []):
            if example.lang in langs and not example.companions:
                found.append((code, index, example.filename, example.code))
    return found


def bypass_requests(findings: list, path: str) -> list[SimRequest]:
    """A credentialed GET from every origin a CORS106 finding says its pattern also accepts."""
    origins = {origin for f in findings if f.code == "CORS106" for origin in f.extra.get("accepts", ())}
    return [SimRequest(origin, "GET", (), True, path) for origin in sorted(origins)]


def compare(policies: list, layers: object, port: int, case: str, requests: "list[SimRequest] | None" = None) -> int:
    """Send every request of REQUESTS (its preflight first, when simulate predicts one it can tell) and assert that the
    server's CORS headers and preflight status are simulate's; returns how many responses were compared."""
    from corslint.simulate.run import simulate

    compared = 0
    for request in requests or REQUESTS:
        outcomes = simulate(policies, layers, request)
        if not outcomes:
            # no place sets CORS for this path: the server must send no CORS header either
            status, got = http_request(port, request.method, request.path, {"Origin": request.origin})
            assert normal(got) == [], f"{case}: {request} -> {status}: server {normal(got)}, simulate finds no place"
            compared += 1
            continue
        if len(outcomes) != 1 or outcomes[0].place.unsure:
            continue  # several places, or one simulate is unsure of: no single prediction to compare
        (outcome,) = outcomes
        if outcome.preflight is not None and not outcome.preflight.unknown and outcome.preflight.status:
            headers = {"Origin": request.origin, "Access-Control-Request-Method": request.method}
            if request.headers:
                headers["Access-Control-Request-Headers"] = ", ".join(n.lower() for n, _ in request.headers)
            if request.private_network:
                headers["Access-Control-Request-Private-Network"] = "true"
            status, got = http_request(port, "OPTIONS", request.path, headers)
            predicted = [(h.name, h.value) for h in outcome.preflight.headers]
            server, model = (status, normal(got)), (outcome.preflight.status, normal(predicted))
            assert server == model, f"{case}: OPTIONS for {request}: server {server} simulate {model}"
            compared += 1
        status, got = http_request(port, request.method, request.path, {"Origin": request.origin})
        expected = outcome.error_response if status >= 400 else outcome.response
        if expected.unknown:
            continue
        predicted = normal([(h.name, h.value) for h in expected.headers])
        assert normal(got) == predicted, f"{case}: {request} -> {status}: server {normal(got)} simulate {predicted}"
        if expected.answer is not None:
            assert status == expected.status, f"{case}: {request}: server answers {status}, simulate {expected.status}"
        compared += 1
        redirected = outcome.redirected
        if redirected is not None and redirected.hop.request is not None:
            location = urlsplit(dict((n.lower(), v) for n, v in got).get("location", "")).path
            assert location == redirected.hop.request.path, f"{case}: {request}: server redirects to {location}, simulate to {redirected.hop.url}"
            compared += compare(policies, layers, port, case, [redirected.hop.request])
    return compared


def stop_by_pid_file(pid_file: Path, how: int) -> None:
    """Stop the process a pid file names and wait (bounded) until it has removed the file."""
    if not pid_file.exists():
        return
    try:
        os.kill(int(pid_file.read_text().strip()), how)
    except (ProcessLookupError, ValueError):
        return
    for _ in range(MAX_POLLS):
        if not pid_file.exists():
            return
        time.sleep(POLL_S)


class Upstream(BaseHTTPRequestHandler):
    """An application that sets no CORS: 200 for GET/POST/PUT, 404 for any path with `missing` in it, 405 for OPTIONS."""

    def _answer(self) -> None:
        status = 404 if "missing" in self.path else (405 if self.command == "OPTIONS" else 200)
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    do_GET = do_POST = do_PUT = do_DELETE = do_OPTIONS = _answer

    def log_message(self, *args: object) -> None:
        pass


def serve_upstream() -> Iterator[int]:
    """Run the upstream on a free loopback port for as long as the generator is alive."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


_LISTEN = re.compile(r"^\s*listen\s[^;]*;\s*$", re.M)
_NGINX_TLS = re.compile(r"^\s*ssl_\w+\s[^;]*;\s*$", re.M)
_PASS = re.compile(r"proxy_pass\s+https?://[^/;\s]+")
_SERVER = re.compile(r"^(\s*)server\s*\{", re.M)
_HTTP = re.compile(r"^\s*http\s*\{", re.M)
_MAIN_ONLY = re.compile(r"^\s*(?:user|pid|error_log|worker_processes|events\s*\{[^}]*\})[^;{}]*;?\s*$", re.M)
NGINX_PREFIX = re.compile(r"^\s*location\s+(?:\^~\s+)?(/[^\s{]*)\s*\{", re.M)


_ROOT = re.compile(r"^(\s*)root\s[^;]*;", re.M)


def adapt_nginx(text: str) -> str:
    """A configuration as nginx runs it here: listening on {PORT} (first server), proxying to {UPSTREAM}, no TLS,
    files from {ROOT}."""
    text = _ROOT.sub(lambda m: f"{m.group(1)}root {{ROOT}};", _NGINX_TLS.sub("", _LISTEN.sub("", text)))
    text = _PASS.sub("proxy_pass http://{UPSTREAM}", text)
    return _SERVER.sub(lambda m: f"{m.group(1)}server {{\n{m.group(1)}    listen 127.0.0.1:{{PORT}};", text, count=1)


def request_path(text: str) -> str:
    """The path the requests go to: under the configuration's first location prefix."""
    prefix = next(iter(NGINX_PREFIX.findall(text)), "/")
    return prefix.rstrip("/") + "/items" if prefix != "/" else "/items"


def at_path(path: str) -> list[SimRequest]:
    """REQUESTS sent to `path` (and its missing twin for the 404)."""
    from corslint.records import replace

    return [replace(r, path=path if "missing" not in r.path else path + "-missing") for r in REQUESTS]


def served_config(server: "Nginx") -> Path:
    """A tree holding the nginx.conf the server runs, for corslint to lint exactly that."""
    tree = server.folder / "tree"
    tree.mkdir()
    (tree / "nginx.conf").write_text((server.folder / "nginx.conf").read_text(encoding="utf-8"), encoding="utf-8")
    return tree


def assert_agreed(disagreements: list[str], compared: list, refused: list, cases: int, spare: int) -> None:
    """No disagreement; all but `spare` cases compared; most requests to each got one prediction to compare."""
    assert disagreements == [], "\n".join(disagreements)
    assert len(compared) >= cases - spare, "\n".join(map(str, refused))
    assert sum(item[-1] for item in compared) >= 4 * len(compared), compared


def servers_in(text: str) -> int:
    return len(_SERVER.findall(text))


class Nginx:
    """nginx with its own prefix in a temp folder, started and stopped by its pid file. `config` is the inside of
    an `http` block, or a whole nginx.conf (with its own `http`)."""

    def __init__(self, folder: Path, config: str, upstream: int) -> None:
        self.binary = shutil.which("nginx") or "/usr/sbin/nginx"
        self.folder = folder
        self.port = free_port()
        self.root = folder / "docroot"
        self.root.mkdir(exist_ok=True)
        body = config.replace("{PORT}", str(self.port)).replace("{UPSTREAM}", f"127.0.0.1:{upstream}")
        body = body.replace("{ROOT}", str(self.root))
        (folder / "logs").mkdir(exist_ok=True)
        temp = (f"    access_log off;\n    client_body_temp_path {folder};\n    proxy_temp_path {folder};\n"
                f"    fastcgi_temp_path {folder};\n    uwsgi_temp_path {folder};\n    scgi_temp_path {folder};\n")
        main = f"pid {folder}/nginx.pid;\nerror_log {folder}/logs/error.log;\nevents {{}}\n"
        if os.geteuid() == 0:
            main = "user root;\n" + main  # workers read the document root in the test's private temp folder
        if _HTTP.search(body):
            whole = main + _HTTP.sub(lambda m: m.group(0) + "\n" + temp, _MAIN_ONLY.sub("", body), count=1)
        else:
            whole = main + f"http {{\n{temp}{body}\n}}\n"
        if Path("/etc/nginx/mime.types").exists():
            shutil.copy("/etc/nginx/mime.types", folder / "mime.types")
        (folder / "nginx.conf").write_text(whole, encoding="utf-8")

    def add_file(self, path: str) -> None:
        """A file at the URL path, under the document root (for a location that serves files)."""
        target = self.root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("ok", encoding="utf-8")

    def loads(self) -> bool:
        done = subprocess.run([self.binary, "-t", "-p", str(self.folder), "-c", str(self.folder / "nginx.conf")],
                              capture_output=True, text=True, timeout=MAX_WAIT_S)
        return done.returncode == 0

    def start(self) -> None:
        done = subprocess.run([self.binary, "-p", str(self.folder), "-c", str(self.folder / "nginx.conf")],
                              capture_output=True, text=True, timeout=MAX_WAIT_S)
        if done.returncode != 0:
            raise RuntimeError(done.stderr)
        wait_listening(self.port)

    def stop(self) -> None:
        stop_by_pid_file(self.folder / "nginx.pid", signal.SIGQUIT)


def nginx_available() -> Optional[str]:
    """Why nginx cannot be run here, or None when it can."""
    binary = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if binary is None:
        return "nginx is not installed (apt-get install -y nginx); .ci/run installs it"
    return None


_APACHE_MODULES = ("mpm_event", "authz_core", "headers", "setenvif", "rewrite", "proxy", "proxy_http", "alias")


_VHOST = re.compile(r"<VirtualHost\s[^>]*>", re.I)
_APACHE_TLS = re.compile(r"^\s*SSL\w+\s.*$", re.M | re.I)
_DOCUMENT_ROOT = re.compile(r"^\s*DocumentRoot\s+(\S+)", re.M | re.I)


def docroot_config(folder: Path) -> str:
    """A document root with .htaccess files allowed, and a static file at /api/items."""
    root = folder / "docroot"
    (root / "api").mkdir(parents=True, exist_ok=True)
    (root / "api" / "items").write_text("ok", encoding="utf-8")
    (root / "fonts").mkdir(exist_ok=True)
    (root / "fonts" / "icons.woff2").write_text("ok", encoding="utf-8")
    return (f"DocumentRoot {root}\n<Directory {root}>\n    AllowOverride All\n    Require all granted\n</Directory>\n")


def serve_apache(folder: Path, files: dict[str, str], upstream: int) -> "Apache":
    """Files (path: text) as Apache runs them here: .htaccess files under the document root (the outermost one at
    its top), the others as the server configuration (their vhosts on this port, no TLS)."""
    body = docroot_config(folder)
    htaccess = sorted(path for path in files if path.lower().endswith("htaccess"))
    top = htaccess[0].rpartition("/")[0] if htaccess else ""
    for path in htaccess:
        target = folder / "docroot" / path[len(top):].lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(files[path], encoding="utf-8")
    for path, text in files.items():
        if path not in htaccess:
            for root in _DOCUMENT_ROOT.findall(text):
                text = text.replace(root.strip('"'), str(folder / "docroot"))
            body += _VHOST.sub("<VirtualHost *:{PORT}>", _APACHE_TLS.sub("", text)) + "\n"
    server = Apache(folder, body, upstream)
    server.config_text = server.config_text.replace("{PORT}", str(server.port))
    (folder / "httpd.conf").write_text((folder / "httpd.conf").read_text(encoding="utf-8").replace("{PORT}", str(server.port)),
                                       encoding="utf-8")
    return server


class Apache:
    """Apache httpd with its own ServerRoot in a temp folder, started and stopped by its pid file."""

    def __init__(self, folder: Path, body: str, upstream: int) -> None:
        self.binary = shutil.which("apache2") or "/usr/sbin/apache2"
        self.folder = folder
        self.port = free_port()
        modules = "\n".join(f"LoadModule {name}_module /usr/lib/apache2/modules/mod_{name}.so" for name in _APACHE_MODULES)
        text = body.replace("{UPSTREAM}", f"127.0.0.1:{upstream}")
        (folder / "httpd.conf").write_text(
            f"ServerRoot {folder}\nPidFile {folder}/httpd.pid\nErrorLog {folder}/error.log\nListen 127.0.0.1:{self.port}\n"
            f"ServerName localhost\n{modules}\n{text}\n",
            encoding="utf-8",
        )
        self.config_text = text

    def start(self) -> None:
        done = subprocess.run([self.binary, "-f", str(self.folder / "httpd.conf"), "-k", "start"], capture_output=True,
                              text=True, timeout=MAX_WAIT_S, env={**os.environ, "APACHE_RUN_DIR": str(self.folder)})
        if done.returncode != 0:
            raise RuntimeError(done.stderr)
        wait_listening(self.port)

    def stop(self) -> None:
        stop_by_pid_file(self.folder / "httpd.pid", signal.SIGTERM)



def apache_available() -> Optional[str]:
    binary = shutil.which("apache2") or ("/usr/sbin/apache2" if Path("/usr/sbin/apache2").exists() else None)
    if binary is None or not Path("/usr/lib/apache2/modules/mod_headers.so").exists():
        return "Apache httpd is not installed (apt-get install -y apache2); .ci/run installs it"
    return None


HERE = Path(__file__).resolve().parent


NODE_MISSING = None if (HERE / "node" / "node_modules" / "cors").is_dir() and shutil.which("node") else (
    "Node or the suite's npm packages are missing: run `npm ci` in tests/differential/node (.ci/run does)"
)


def _python_missing() -> Optional[str]:
    for module in ("flask", "flask_cors", "starlette", "fastapi", "uvicorn", "django", "corsheaders", "werkzeug"):
        try:
            __import__(module)
        except ImportError:
            return f"{module} is in the test extra: pip install '.[test]'"
    return None


PYTHON_MISSING = _python_missing()


class Refused(Exception):
    """The application did not start as adapted (a package the suite lacks, a syntax error): counted, not compared."""


def _error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if "Error" in line or "error" in line]
    return (lines or stderr.splitlines()[-1:] or ["no output"])[0].strip()


@contextmanager
def serve_app(lang: str, file: Path) -> Iterator[int]:
    """Run one JavaScript or Python application file (node/example.js, serve_example.py) on a free loopback port,
    deployed as in production (NODE_ENV; Django's DEBUG False), for as long as the context lasts."""
    port = free_port()
    if lang != "python" and not (file.parent / "node_modules").exists():
        (file.parent / "node_modules").symlink_to(HERE / "node" / "node_modules")  # ES modules resolve from the file
    if lang == "python":
        command = [sys.executable, str(HERE / "serve_example.py"), str(file), str(port)]
    else:
        command = ["node", str(HERE / "node" / "example.js"), str(port), str(file)]
    process = subprocess.Popen(command, cwd=file.parent, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "NODE_ENV": "production"})
    try:
        assert process.stdout is not None and process.stderr is not None
        line = ""
        for _ in range(MAX_LOG_LINES):  # a framework may log first (Fastify's logger)
            line = process.stdout.readline().strip()
            if line == "ready" or not line or line == "no application":
                break
        if line != "ready":
            process.kill()
            raise Refused(line or _error_line(process.stderr.read()))
        yield port
    finally:
        process.kill()
        process.wait(timeout=MAX_WAIT_S)
