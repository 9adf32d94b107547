"""Real servers on 127.0.0.1 for the differential suite: a tiny upstream, and nginx and Apache httpd run as our own
processes (each started and stopped by its pid file, with its own prefix in a temp folder; never a system service)."""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator, Optional

from corslint.simulate.request import SimRequest

TRUSTED = "https://app.example.com"
ATTACKER = "https://app.example.com.attacker.test"
CORS_NAMES = ("access-control-allow-origin", "access-control-allow-credentials", "access-control-allow-methods",
              "access-control-allow-headers", "access-control-expose-headers", "access-control-max-age")
REQUESTS = [
    SimRequest(TRUSTED, "GET", (), False, "/api/items"),
    SimRequest(TRUSTED, "GET", (), True, "/api/items"),
    SimRequest(ATTACKER, "GET", (), True, "/api/items"),
    SimRequest("null", "GET", (), False, "/api/items"),
    SimRequest(TRUSTED, "PUT", (("Authorization", ""),), True, "/api/items"),
    SimRequest(TRUSTED, "GET", (), False, "/api/missing"),
]
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
        if len(outcomes) != 1:
            continue  # several places: what a browser gets is then no single prediction to compare
        (outcome,) = outcomes
        if outcome.preflight is not None and not outcome.preflight.unknown and outcome.preflight.status:
            headers = {"Origin": request.origin, "Access-Control-Request-Method": request.method}
            if request.headers:
                headers["Access-Control-Request-Headers"] = ", ".join(n.lower() for n, _ in request.headers)
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
        compared += 1
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


class Nginx:
    """nginx with its own prefix in a temp folder, started and stopped by its pid file."""

    def __init__(self, folder: Path, server_block: str, upstream: int) -> None:
        self.binary = shutil.which("nginx") or "/usr/sbin/nginx"
        self.folder = folder
        self.port = free_port()
        body = server_block.replace("{PORT}", str(self.port)).replace("{UPSTREAM}", f"127.0.0.1:{upstream}")
        (folder / "logs").mkdir(exist_ok=True)
        (folder / "nginx.conf").write_text(
            f"pid {folder}/nginx.pid;\nerror_log {folder}/logs/error.log;\nevents {{}}\n"
            f"http {{\n    access_log off;\n    client_body_temp_path {folder};\n    proxy_temp_path {folder};\n"
            f"    fastcgi_temp_path {folder};\n    uwsgi_temp_path {folder};\n    scgi_temp_path {folder};\n"
            f"{body}\n}}\n",
            encoding="utf-8",
        )

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
