"""`corslint simulate`: the Fetch checks, the predicted headers per source, the places chosen, the CLI and its exits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import lint_tree, write_tree
from corslint.cli import main
from corslint.simulate.browser import Verdict, cors_check, preflight_checks
from corslint.simulate.request import SimRequest, preflight_reasons, unsafe_headers
from corslint.simulate.responses import Response, Sent
from corslint.simulate.run import simulate
from corslint.simulate.scopes import _choose

APP = "https://app.example.com"


def _response(status: int = 200, **headers: str) -> Response:
    return Response(status, [Sent(name.replace("_", "-"), value) for name, value in headers.items()])


@pytest.mark.parametrize(
    "request_,reasons",
    [
        (SimRequest(APP, "GET"), 0),
        (SimRequest(APP, "POST", (("Content-Type", "application/x-www-form-urlencoded"),)), 0),
        (SimRequest(APP, "POST", (("Content-Type", "application/json"),)), 1),
        (SimRequest(APP, "PUT", (("Authorization", ""), ("X-Trace", "1"))), 2),
        (SimRequest(APP, "GET", (("Accept-Language", "fr"),)), 0),
    ],
)
def test_when_the_browser_preflights(request_: SimRequest, reasons: int) -> None:
    assert len(preflight_reasons(request_)) == reasons


def test_unsafe_headers_are_lower_cased_and_sorted() -> None:
    assert unsafe_headers(SimRequest(APP, "GET", (("X-Trace", ""), ("Authorization", ""), ("accept", "")))) == ["authorization", "x-trace"]


@pytest.mark.parametrize(
    "headers,credentials,message",
    [
        ({}, False, "No 'Access-Control-Allow-Origin' header is present on the requested resource."),
        ({"Access_Control_Allow_Origin": "*"}, True, "must not be the wildcard '*' when the request's credentials mode is 'include'."),
        ({"Access_Control_Allow_Origin": "https://other.example.com"}, False, "has a value 'https://other.example.com' that is not equal to the supplied origin."),
        ({"Access_Control_Allow_Origin": APP}, True, "The value of the 'Access-Control-Allow-Credentials' header in the response is '' which must be 'true'"),
    ],
)
def test_cors_check_failures_name_chromium_messages(headers: dict, credentials: bool, message: str) -> None:
    verdict = Verdict(None)
    assert not cors_check(SimRequest(APP, credentials=credentials), _response(**headers), verdict, preflight=False)
    assert message in verdict.console and verdict.console.startswith(f"Access to fetch at 'https://the-api/' from origin '{APP}'")


def test_two_values_are_multiple_values() -> None:
    response = Response(200, [Sent("Access-Control-Allow-Origin", APP), Sent("Access-Control-Allow-Origin", "*")])
    verdict = Verdict(None)
    assert not cors_check(SimRequest(APP), response, verdict, preflight=False)
    assert f"contains multiple values '{APP}, *', but only one is allowed." in verdict.console


@pytest.mark.parametrize(
    "headers,credentials,request_headers,allowed,message",
    [
        ({"Access_Control_Allow_Methods": "*", "Access_Control_Allow_Headers": "*"}, False, (("X-Trace", ""),), True, ""),
        # `*` never covers Authorization, and means nothing with credentials
        ({"Access_Control_Allow_Methods": "PUT", "Access_Control_Allow_Headers": "*"}, False, (("Authorization", ""),), False,
         "Request header field authorization is not allowed by Access-Control-Allow-Headers in preflight response."),
        ({"Access_Control_Allow_Methods": "*", "Access_Control_Allow_Credentials": "true"}, True, (), False,
         "Method PUT is not allowed by Access-Control-Allow-Methods in preflight response."),
        ({"Access_Control_Allow_Methods": "put"}, False, (), False, "Method PUT is not allowed"),  # compared byte for byte
    ],
)
def test_preflight_checks(headers: dict, credentials: bool, request_headers: tuple, allowed: bool, message: str) -> None:
    verdict = Verdict(None)
    response = _response(204, Access_Control_Allow_Origin=APP, **headers)
    ok = preflight_checks(SimRequest(APP, "PUT", request_headers, credentials), response, verdict)
    assert ok is allowed and message in verdict.console


def test_a_preflight_without_an_ok_status_fails_first() -> None:
    verdict = Verdict(None)
    assert not preflight_checks(SimRequest(APP, "PUT"), _response(405, Access_Control_Allow_Origin="*"), verdict)
    assert verdict.console.endswith("Response to preflight request doesn't pass access control check: It does not have HTTP ok status.")


@pytest.mark.parametrize(
    "path,chosen",
    [("/api/items", "/api/"), ("/api", "= /api"), ("/static/x.png", "^~ /static/"), ("/img/x.png", "~* \\.(png|jpg)$"), ("/other", "/")],
)
def test_nginx_location_choice(path: str, chosen: str) -> None:
    locations = ["/", "/api/", "= /api", "^~ /static/", "~* \\.(png|jpg)$", "/img/"]
    assert _choose(locations, path) == chosen


FLASK = 'from flask import Flask\nfrom flask_cors import CORS\napp = Flask(__name__)\nCORS(app, resources={r"/api/*": {"origins": ["https://app.example.com"]}}, supports_credentials=True)\n'


def test_a_library_answers_the_preflight_with_its_lists(tmp_path: Path) -> None:
    write_tree(tmp_path, {"app.py": FLASK})
    result = lint_tree(tmp_path)
    (outcome,) = simulate(result.policies, result.layers, SimRequest(APP, "PUT", (("Authorization", ""),), True, "/api/x"))
    assert outcome.allowed is True
    names = {h.name for h in outcome.preflight.headers}
    assert {"Access-Control-Allow-Origin", "Access-Control-Allow-Credentials", "Access-Control-Allow-Methods"} <= names
    (outcome,) = simulate(result.policies, result.layers, SimRequest("https://attacker.test", "GET", (), True, "/api/x"))
    assert outcome.allowed is False and "No 'Access-Control-Allow-Origin' header" in outcome.verdict.console
    assert simulate(result.policies, result.layers, SimRequest(APP, path="/public")) == []


def test_an_environment_value_is_a_dependency_not_a_guess(tmp_path: Path) -> None:
    write_tree(tmp_path, {"server.js": "const cors = require('cors');\napp.use(cors({ origin: process.env.CORS_ORIGIN || '*' }));\n"})
    result = lint_tree(tmp_path)
    (outcome,) = simulate(result.policies, result.layers, SimRequest(APP))
    assert outcome.allowed is None and "CORS_ORIGIN" in outcome.unknown[0]


def _cli(tmp_path: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["simulate", "--isolated", str(tmp_path), *args])
    return result.exit_code, result.output


def test_cli_exit_codes_and_json(tmp_path: Path) -> None:
    write_tree(tmp_path, {"app.py": FLASK})
    assert _cli(tmp_path, "--origin", APP, "--path", "/api/x", "--credentials")[0] == 0
    code, output = _cli(tmp_path, "--origin", "https://attacker.test", "--path", "/api/x")
    assert code == 1 and "Verdict: blocked" in output and "Console: Access to fetch at" in output
    code, output = _cli(tmp_path, "--origin", APP, "--path", "/api/x", "--method", "DELETE", "--format", "json")
    data = json.loads(output)
    assert code == 0 and data["places"][0]["allowed"] is True and data["places"][0]["preflight"]["status"] == 200
    assert _cli(tmp_path, "--origin", APP, "--path", "nope")[0] == 2
    write_tree(tmp_path, {"server.js": "const cors = require('cors');\napp.use(cors({ origin: process.env.O || '*' }));\n"})
    assert _cli(tmp_path, "--origin", APP, "--path", "/x")[0] in (1, 2)


def test_console_messages_give_the_request() -> None:
    from corslint.simulate.console import parse_console

    found = parse_console(
        "Access to XMLHttpRequest at 'https://api.example.com/v1/items?x=1' from origin 'https://app.example.com' has "
        "been blocked by CORS policy: Request header field x-trace is not allowed by Access-Control-Allow-Headers in\n"
        "preflight response."
    )
    assert found is not None
    assert (found.host, found.path, found.origin, found.header, found.preflight) == ("api.example.com", "/v1/items", APP, "x-trace", True)
    wildcard = parse_console(
        "Access to fetch at 'https://api.example.com/' from origin 'https://app.example.com' has been blocked by CORS "
        "policy: The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' "
        "when the request's credentials mode is 'include'."
    )
    assert wildcard is not None and wildcard.credentials and not wildcard.preflight
    assert parse_console("TypeError: Failed to fetch") is None


def test_cli_explains_a_pasted_console_message(tmp_path: Path) -> None:
    case = Path(__file__).resolve().parents[2] / "fixtures" / "layers" / "nginx-preflight-refuses-app-methods"
    message = (
        "Access to fetch at 'https://api.example.com/v1/items' from origin 'https://app.example.com' has been blocked "
        "by CORS policy: Method PUT is not allowed by Access-Control-Allow-Methods in preflight response."
    )
    result = CliRunner().invoke(main, ["simulate", "--isolated", str(case), "--explain-console", message])
    assert result.exit_code == 1
    assert "The pasted message is the failure predicted above" in result.output
    assert "Change:" in result.output and "Access-Control-Allow-Methods" in result.output.split("Change:")[1]
    bad = CliRunner().invoke(main, ["simulate", "--isolated", str(case), "--explain-console", "nothing here"])
    assert bad.exit_code == 2


def test_a_private_network_request_preflights_and_needs_allow_private_network(tmp_path: Path) -> None:
    request = SimRequest(APP, "GET", private_network=True)
    assert any("private-network" in reason for reason in preflight_reasons(request))
    verdict = Verdict(None)
    answer = _response(204, Access_Control_Allow_Origin=APP)
    assert not preflight_checks(request, answer, verdict)
    assert "No 'Access-Control-Allow-Private-Network' header was present in the preflight response" in verdict.console
    answer.headers.append(Sent("Access-Control-Allow-Private-Network", "true"))
    assert preflight_checks(request, answer, Verdict(None))
    # flask-cors 6 answers `false` when the option is off; Starlette refuses with 400 "Disallowed CORS private-network"
    write_tree(tmp_path, {"app.py": "from flask import Flask\nfrom flask_cors import CORS\napp = Flask(__name__)\n"
                                    f"CORS(app, origins=['{APP}'])\n"})
    code, output = _cli(tmp_path, "--origin", APP, "--path", "/api/x", "--private-network")
    assert code == 1 and "Access-Control-Allow-Private-Network: false" in output
    write_tree(tmp_path, {"app.py": "from flask import Flask\nfrom flask_cors import CORS\napp = Flask(__name__)\n"
                                    f"CORS(app, origins=['{APP}'], allow_private_network=True)\n"})
    assert _cli(tmp_path, "--origin", APP, "--path", "/api/x", "--private-network")[0] == 0


def test_a_pasted_private_network_message_sets_the_flag() -> None:
    from corslint.simulate.console import parse_console

    found = parse_console(
        f"Access to fetch at 'http://192.168.1.10/api' from origin '{APP}' has been blocked by CORS policy: Response to "
        "preflight request doesn't pass access control check: No 'Access-Control-Allow-Private-Network' header was "
        "present in the preflight response for this private network request targeting the `private` address space."
    )
    assert found is not None and found.private_network and found.preflight
