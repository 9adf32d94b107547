"""`corslint simulate` on redirects and other answers a configuration makes itself: the preflight that meets a
redirect, the CORS check on the redirect, the request the browser makes next, and what stays unknown."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from conftest import lint_tree, write_tree
from corslint.cli import main
from corslint.simulate.request import SimRequest
from corslint.simulate.run import simulate

APP = "https://app.example.com"

NGINX = """
    events {}
    http {
        server {
            listen 80;
            location /old/ {
                add_header Access-Control-Allow-Origin "https://app.example.com" always;
                return 301 /new$request_uri;
            }
            location /new/ {
                add_header Access-Control-Allow-Origin "https://app.example.com" always;
                proxy_pass http://app:8000;
            }
            location /away/ {
                add_header Access-Control-Allow-Origin "*" always;
                return 302 https://cdn.example.net/away/;
            }
            location /loop/ {
                add_header Access-Control-Allow-Origin "*" always;
                return 302 /loop/;
            }
            location /gone/ {
                add_header Access-Control-Allow-Origin "*";
                return 410;
            }
        }
    }
"""


def _outcome(tmp_path: Path, request: SimRequest, files: "dict[str, str] | None" = None):
    write_tree(tmp_path, files or {"nginx.conf": NGINX})
    result = lint_tree(tmp_path)
    (outcome,) = simulate(result.policies, result.layers, request)
    return outcome


def test_a_preflight_that_meets_a_redirect_is_blocked_with_chromiums_message(tmp_path: Path) -> None:
    outcome = _outcome(tmp_path, SimRequest(APP, "PUT", path="/old/items"))
    assert outcome.preflight.status == 301 and outcome.allowed is False
    assert outcome.preflight_verdict.console.endswith(
        "Response to preflight request doesn't pass access control check: Redirect is not allowed for a preflight request.")
    assert outcome.preflight_verdict.fix_at.prov.raw == "return 301 /new$request_uri"
    assert outcome.redirected is None  # the actual request is never sent


def test_a_redirect_that_passes_the_cors_check_is_followed_on_the_same_server(tmp_path: Path) -> None:
    outcome = _outcome(tmp_path, SimRequest(APP, "GET", path="/old/items"))
    assert outcome.response.status == 301 and outcome.verdict.allowed is True
    hop = outcome.redirected.hop
    assert hop.url == "https://the-api/new/old/items" and hop.request.redirected_from == "https://the-api/old/items"
    (following,) = outcome.redirected.outcomes
    assert following.place.policy.scope.endswith("location /new/") and outcome.allowed is True


def test_a_redirect_to_another_origin_depends_on_that_server_and_taints_the_origin(tmp_path: Path) -> None:
    outcome = _outcome(tmp_path, SimRequest(APP, "GET", path="/away/x"))
    assert outcome.allowed is None and outcome.redirected.hop.request is None
    assert any("https://cdn.example.net" in item and "`Origin: null`" in item for item in outcome.unknown)


def test_a_redirect_loop_is_not_followed_forever(tmp_path: Path) -> None:
    outcome = _outcome(tmp_path, SimRequest(APP, "GET", path="/loop/"))
    assert outcome.allowed is None and any("loops" in item for item in outcome.unknown)


def test_an_error_the_configuration_returns_itself_drops_add_header_without_always(tmp_path: Path) -> None:
    outcome = _outcome(tmp_path, SimRequest(APP, "GET", path="/gone/x"))
    assert outcome.response.status == 410 and outcome.response.headers == [] and outcome.allowed is False


def test_a_followed_redirect_blocked_at_its_target_names_both_urls(tmp_path: Path) -> None:
    files = {"nginx.conf": NGINX.replace("return 301 /new$request_uri;", "return 301 /elsewhere/;")}
    outcome = _outcome(tmp_path, SimRequest(APP, "GET", path="/old/items"), files)
    assert outcome.allowed is False and outcome.redirected.outcomes == []
    assert outcome.redirected.verdict.console.startswith(
        f"Access to fetch at 'https://the-api/elsewhere/' (redirected from 'https://the-api/old/items') from origin '{APP}'")


APACHE = """
    <VirtualHost *:443>
        DocumentRoot /var/www/site
        Header always set Access-Control-Allow-Origin "https://app.example.com"
        Header always set Access-Control-Allow-Methods "GET, POST"
        Redirect 303 /form /done
        RedirectMatch 301 ^/v1/(.*)$ /v2/$1
        <Location /v2/>
            ProxyPass http://app:8000/v2/
        </Location>
    </VirtualHost>
"""


def test_apache_redirects_keep_the_rest_of_the_path_and_fill_regex_groups(tmp_path: Path) -> None:
    alias = _outcome(tmp_path, SimRequest(APP, "GET", path="/form/step"), {"site.conf": APACHE})
    assert alias.response.status == 303 and alias.redirected.hop.url == "https://the-api/done/step"
    match = _outcome(tmp_path, SimRequest(APP, "GET", path="/v1/items/7"), {"site.conf": APACHE})
    assert match.redirected.hop.url == "https://the-api/v2/items/7"
    assert match.redirected.outcomes[0].place.policy.scope.endswith("<Location /v2/>")


def test_a_303_turns_a_post_into_a_get_without_its_body_headers(tmp_path: Path) -> None:
    request = SimRequest(APP, "POST", (("Content-Type", "text/plain"), ("Accept-Language", "fr")), path="/form")
    outcome = _outcome(tmp_path, request, {"site.conf": APACHE})
    hop = outcome.redirected.hop
    assert hop.request.method == "GET" and hop.request.headers == (("Accept-Language", "fr"),)
    assert hop.changes == ("a 303 turns POST into GET",)


def test_a_directory_section_answers_the_url_its_folder_is_served_at(tmp_path: Path) -> None:
    files = {"site.conf": """
        <VirtualHost *:443>
            DocumentRoot /var/www/site
            Alias /files /srv/shared
            <Directory /var/www/site/api>
                Header always set Access-Control-Allow-Origin "https://app.example.com"
            </Directory>
            <Directory /srv/shared>
                Header always set Access-Control-Allow-Origin "*"
            </Directory>
        </VirtualHost>
    """}
    write_tree(tmp_path, files)
    result = lint_tree(tmp_path)
    api = simulate(result.policies, result.layers, SimRequest(APP, path="/api/items"))
    shared = simulate(result.policies, result.layers, SimRequest(APP, path="/files/a.txt"))
    assert [o.place.policy.paths for o in api] == [("/api/",)] and not api[0].place.unsure
    assert [o.response.headers[0].value for o in shared] == ["*"]
    assert simulate(result.policies, result.layers, SimRequest(APP, path="/other")) == []


def test_json_output_carries_the_redirect_and_what_followed(tmp_path: Path) -> None:
    write_tree(tmp_path, {"nginx.conf": NGINX})
    result = CliRunner().invoke(main, ["simulate", "--isolated", str(tmp_path), "--origin", APP, "--path", "/old/items", "--format", "json"])
    assert result.exit_code == 0, result.output
    (place,) = json.loads(result.output)["places"]
    assert place["response"]["status"] == 301 and place["redirect"]["location"] == "https://the-api/new/old/items"
    assert place["redirect"]["followed"] is True and place["redirect"]["places"][0]["allowed"] is True
