"""Every output format, on Finding objects built by hand: golden text, structure, escaping and SARIF schema validity."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Optional

import jsonschema
import pytest

from corslint.findings import Confidence, Finding, Severity
from corslint.model import Location, Related
from corslint.reporters import REPORTERS, RunInfo, render
from corslint.reporters.github import escape_data, escape_property
from corslint.rule import Rule

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-2.1.0.schema.json").read_text(encoding="utf-8"))
ANSI = re.compile(r"\x1b\[[0-9;]*m")
# RFC 3986 relative-ref / URI characters (the schema's "uri-reference" format is not checked by jsonschema alone).
URI_REFERENCE = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*$")


class WildcardCredentials(Rule):
    code = "CORS101"
    name = "credentialed-wildcard-origin"
    summary = "Access-Control-Allow-Origin is `*` while credentials are allowed."
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    security_severity = 8.1
    tags = ("security", "cors")


class PreflightCache(Rule):
    code = "CORS204"
    name = "long-preflight-cache"
    summary = "Access-Control-Max-Age is longer than browsers honour."
    severity = Severity.WARNING
    confidence = Confidence.MEDIUM


class VaryMissing(Rule):
    code = "CORS402"
    name = "missing-vary-origin"
    summary = "A reflected origin is sent without `Vary: Origin`."
    severity = Severity.INFO
    confidence = Confidence.LOW
    tags = ("security", "caching")


PAGE_101 = """# CORS101 · credentialed-wildcard-origin

Access-Control-Allow-Origin is `*` while credentials are allowed.

## Why this is a problem

Browsers refuse a credentialed response whose
Access-Control-Allow-Origin is `*`.

Second paragraph that must not reach fullDescription.

## How to fix

Name the trusted origins.
"""

PAGE_204 = """# CORS204 · long-preflight-cache

Access-Control-Max-Age is longer than browsers honour.

## How to fix

Lower it.
"""

PAGES = {"CORS101": PAGE_101, "CORS204": PAGE_204}

FILES = {
    "conf/nginx.conf": [
        "server {",
        "    location /api/ {",
        "        add_header Access-Control-Allow-Origin * always;",
        "        add_header Access-Control-Allow-Credentials true always;",
        "    }",
        "}",
    ],
    "tabs.conf": ["\tadd_header X-Ünï 1;"],
}


def make_run(rules: Optional[list[type[Rule]]] = None, **kwargs: object) -> RunInfo:
    return RunInfo(
        rules=[WildcardCredentials, PreflightCache, VaryMissing] if rules is None else rules,
        version="9.8.7",
        catalogue=PAGES.get,
        read_lines=FILES.get,
        **kwargs,  # type: ignore[arg-type]
    )


def wildcard(path: str = "conf/nginx.conf", line: int = 3, column: int = 9, **kwargs: object) -> Finding:
    fields: dict = dict(
        code="CORS101",
        name="credentialed-wildcard-origin",
        severity=Severity.ERROR,
        message="`Access-Control-Allow-Origin *` is sent with credentials.",
        location=Location(path, line, column, line, column + 40 if column else 0),
        source="nginx",
        context="server api.example.com > location /api/",
        hint="Reflect only origins from `trusted-origins`.",
        related=(Related(Location(path, 4, 9), "credentials are allowed here"),),
        raw="add_header Access-Control-Allow-Origin * always;",
    )
    fields.update(kwargs)
    return Finding(**fields)


def max_age(column: int = 0) -> Finding:
    return Finding(
        code="CORS204",
        name="long-preflight-cache",
        severity=Severity.WARNING,
        message="Max-Age 86400 exceeds Chromium's 7200-second cap.",
        location=Location("conf/nginx.conf", 5, column),
        source="nginx",
        confidence=Confidence.MEDIUM,
        raw="add_header Access-Control-Max-Age 86400;",
    )


def vary(message: str = "Origin “https://exämple.com” is reflected without Vary ✓") -> Finding:
    return Finding(
        code="CORS402",
        name="missing-vary-origin",
        severity=Severity.INFO,
        message=message,
        location=Location("app/ünïcode.conf", 2, 0),
        source="nginx",
        confidence=Confidence.LOW,
        raw="add_header Access-Control-Allow-Origin $http_origin;",
    )


def three() -> list[Finding]:
    return [wildcard(), max_age(), vary()]


def sarif_log(findings: list[Finding], run: Optional[RunInfo] = None) -> dict:
    text = render("sarif", findings, run or make_run(base_uri="file:///work/repo/"))
    log = json.loads(text)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    for result in log["runs"][0]["results"]:
        for location in result.get("locations", []) + result.get("relatedLocations", []):
            assert URI_REFERENCE.match(location["physicalLocation"]["artifactLocation"]["uri"])
    return log


# --- registry and dispatch ---------------------------------------------------------------


def test_reporters_table_lists_the_six_builtin_formats() -> None:
    assert sorted(REPORTERS) == ["concise", "full", "github", "gitlab", "json", "sarif"]


def test_render_rejects_an_unknown_format() -> None:
    with pytest.raises(ValueError, match="unknown output format 'xml'"):
        render("xml", [], make_run())


@pytest.mark.parametrize(
    "fmt, expected",
    [
        ("concise", "No findings."),
        ("full", "No findings."),
        ("github", "No findings."),
        ("gitlab", "[]"),
    ],
)
def test_empty_findings_text_formats(fmt: str, expected: str) -> None:
    assert render(fmt, [], make_run()) == expected


def test_empty_findings_json() -> None:
    report = json.loads(render("json", [], make_run(files_scanned=3, policies_found=0)))
    assert report == {
        "version": "9.8.7",
        "findings": [],
        "summary": {"errors": 0, "warnings": 0, "infos": 0, "files": 3, "policies": 0},
    }


def test_empty_findings_sarif_still_describes_every_enabled_rule() -> None:
    log = sarif_log([])
    run = log["runs"][0]
    assert run["results"] == []
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["CORS101", "CORS204", "CORS402"]


# --- concise -------------------------------------------------------------------------------


def test_concise_golden() -> None:
    assert render("concise", three(), make_run()) == (
        "conf/nginx.conf:3:9: CORS101 [error] `Access-Control-Allow-Origin *` is sent with credentials.\n"
        "conf/nginx.conf:5: CORS204 [warning, medium confidence] Max-Age 86400 exceeds Chromium's 7200-second cap.\n"
        "app/ünïcode.conf:2: CORS402 [info, low confidence] Origin “https://exämple.com” is reflected without Vary ✓\n"
        "\n"
        "Found 3 findings (1 error, 1 warning, 1 info)."
    )


def test_concise_keeps_the_given_order_and_folds_multiline_messages() -> None:
    findings = [max_age(column=12), wildcard(message="first line\nsecond line")]
    assert render("concise", findings, make_run()) == (
        "conf/nginx.conf:5:12: CORS204 [warning, medium confidence] Max-Age 86400 exceeds Chromium's 7200-second cap.\n"
        "conf/nginx.conf:3:9: CORS101 [error] first line second line\n"
        "\n"
        "Found 2 findings (1 error, 1 warning, 0 infos)."
    )


def test_concise_statistics_table() -> None:
    findings = [wildcard(), wildcard(line=4), max_age(), wildcard(line=6)]
    assert render("concise", findings, make_run(statistics=True)) == (
        # one fault repeated in one file prints once; the counts still count every finding
        "conf/nginx.conf:3:9: CORS101 [error] `Access-Control-Allow-Origin *` is sent with credentials. (also at 4:9, 6:9)\n"
        "conf/nginx.conf:5: CORS204 [warning, medium confidence] Max-Age 86400 exceeds Chromium's 7200-second cap.\n"
        "\n"
        "3  CORS101  credentialed-wildcard-origin\n"
        "1  CORS204  long-preflight-cache\n"
        "\n"
        "Found 4 findings (3 errors, 1 warning, 0 infos)."
    )


# --- full ----------------------------------------------------------------------------------


def test_full_golden_with_code_frame_caret_notes_and_help() -> None:
    assert render("full", [wildcard()], make_run()) == (
        "conf/nginx.conf:3:9: CORS101 credentialed-wildcard-origin [error]\n"
        "  `Access-Control-Allow-Origin *` is sent with credentials.\n"
        "  in server api.example.com > location /api/\n"
        "    |\n"
        "  2 |     location /api/ {\n"
        "> 3 |         add_header Access-Control-Allow-Origin * always;\n"
        "    |         " + "^" * 40 + "\n"
        "  4 |         add_header Access-Control-Allow-Credentials true always;\n"
        "    |\n"
        "  note: conf/nginx.conf:4: credentials are allowed here\n"
        "  help: Reflect only origins from `trusted-origins`.\n"
        "  see: corslint explain CORS101\n"
        "\n"
        "Found 1 finding (1 error, 0 warnings, 0 infos)."
    )


def test_full_unknown_column_marks_the_line_without_a_caret() -> None:
    assert render("full", [max_age()], make_run()) == (
        "conf/nginx.conf:5: CORS204 long-preflight-cache [warning, medium confidence]\n"
        "  Max-Age 86400 exceeds Chromium's 7200-second cap.\n"
        "    |\n"
        "  4 |         add_header Access-Control-Allow-Credentials true always;\n"
        "> 5 |     }\n"
        "  6 | }\n"
        "    |\n"
        "  see: corslint explain CORS204\n"
        "\n"
        "Found 1 finding (0 errors, 1 warning, 0 infos)."
    )


def test_full_without_readable_source_has_no_frame() -> None:
    text = render("full", [vary()], make_run())
    assert text == (
        "app/ünïcode.conf:2: CORS402 missing-vary-origin [info, low confidence]\n"
        "  Origin “https://exämple.com” is reflected without Vary ✓\n"
        "  see: corslint explain CORS402\n"
        "\n"
        "Found 1 finding (0 errors, 0 warnings, 1 info)."
    )


def test_full_line_past_end_of_file_has_no_frame() -> None:
    text = render("full", [wildcard(line=40, related=())], make_run())
    assert "|" not in text
    assert text.splitlines()[0] == "conf/nginx.conf:40:9: CORS101 credentialed-wildcard-origin [error]"


def test_full_caret_keeps_tabs_and_spans_only_the_finding_line() -> None:
    finding = wildcard(path="tabs.conf", line=1, column=13, related=(), location=Location("tabs.conf", 1, 13, 1, 17))
    frame = render("full", [finding], make_run()).splitlines()
    assert frame[3:6] == ["    |", "> 1 | \tadd_header X-Ünï 1;", "    | \t           ^^^^"]


def test_full_color_adds_ansi_only_when_asked() -> None:
    plain = render("full", three(), make_run())
    colored = render("full", three(), make_run(color=True))
    assert "\x1b[" not in plain
    assert "\x1b[1;31mCORS101\x1b[0m" in colored
    assert "\x1b[33m[warning, medium confidence]\x1b[0m" in colored
    assert ANSI.sub("", colored) == plain


def test_full_statistics() -> None:
    lines = render("full", [wildcard(), max_age()], make_run(statistics=True)).splitlines()
    assert lines[-4:] == [
        "1  CORS101  credentialed-wildcard-origin",
        "1  CORS204  long-preflight-cache",
        "",
        "Found 2 findings (1 error, 1 warning, 0 infos).",
    ]


# --- json ----------------------------------------------------------------------------------


def test_json_structure_and_values() -> None:
    report = json.loads(render("json", three(), make_run(files_scanned=4, policies_found=2)))
    assert list(report) == ["version", "findings", "summary"]
    assert report["summary"] == {"errors": 1, "warnings": 1, "infos": 1, "files": 4, "policies": 2}
    first, second, third = report["findings"]
    assert list(first) == [
        "rule", "name", "severity", "confidence", "message", "path", "line", "column",
        "end_line", "end_column", "source", "context", "hint", "related", "fingerprint",
    ]
    assert first["rule"] == "CORS101"
    assert (first["line"], first["column"], first["end_line"], first["end_column"]) == (3, 9, 3, 49)
    assert first["related"] == [{"path": "conf/nginx.conf", "line": 4, "column": 9, "note": "credentials are allowed here"}]
    assert first["fingerprint"] == wildcard().fingerprint()
    assert first["context"] == "server api.example.com > location /api/"
    assert (second["severity"], second["confidence"], second["column"], second["end_line"]) == ("warning", "medium", None, None)
    assert third["message"] == "Origin “https://exämple.com” is reflected without Vary ✓"
    assert third["path"] == "app/ünïcode.conf"


def test_json_writes_unicode_unescaped() -> None:
    assert "“https://exämple.com” is reflected without Vary ✓" in render("json", [vary()], make_run())


# --- sarif ---------------------------------------------------------------------------------


def test_sarif_validates_and_describes_every_enabled_rule() -> None:
    log = sarif_log(three())
    assert log["$schema"].endswith("sarif-schema-2.1.0.json")
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("corslint", "9.8.7")
    assert "informationUri" not in driver
    rules = {rule["id"]: rule for rule in driver["rules"]}
    assert rules["CORS101"] == {
        "id": "CORS101",
        "name": "credentialed-wildcard-origin",
        "shortDescription": {"text": WildcardCredentials.summary},
        "fullDescription": {"text": "Browsers refuse a credentialed response whose Access-Control-Allow-Origin is `*`."},
        "help": {"text": PAGE_101, "markdown": PAGE_101},
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["security", "cors"], "precision": "high", "security-severity": "8.1"},
    }
    assert rules["CORS204"]["fullDescription"] == {"text": PreflightCache.summary}
    assert rules["CORS204"]["properties"] == {"tags": ["security"], "precision": "medium", "security-severity": "5.0"}
    assert rules["CORS402"]["help"] == {"text": VaryMissing.summary}
    assert rules["CORS402"]["defaultConfiguration"] == {"level": "note"}
    assert rules["CORS402"]["properties"] == {"tags": ["security", "caching"], "precision": "low", "security-severity": "2.0"}
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": "file:///work/repo/"}}


def test_sarif_results() -> None:
    results = sarif_log(three())["runs"][0]["results"]
    assert [(r["ruleId"], r["ruleIndex"], r["level"]) for r in results] == [
        ("CORS101", 0, "error"),
        ("CORS204", 1, "warning"),
        ("CORS402", 2, "note"),
    ]
    first = results[0]
    assert first["message"] == {"text": "`Access-Control-Allow-Origin *` is sent with credentials."}
    assert first["locations"] == [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": "conf/nginx.conf", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 3, "startColumn": 9, "endLine": 3, "endColumn": 49},
            }
        }
    ]
    assert first["relatedLocations"] == [
        {
            "id": 1,
            "physicalLocation": {
                "artifactLocation": {"uri": "conf/nginx.conf", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 4, "startColumn": 9},
            },
            "message": {"text": "credentials are allowed here"},
        }
    ]
    assert first["partialFingerprints"] == {"corslint/v1": wildcard().fingerprint()}
    assert results[1]["locations"][0]["physicalLocation"]["region"] == {"startLine": 5}
    assert results[2]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "app/%C3%BCn%C3%AFcode.conf"
    assert results[2]["message"]["text"] == "Origin “https://exämple.com” is reflected without Vary ✓"


def test_sarif_multiline_region_keeps_end_column() -> None:
    finding = wildcard(location=Location("conf/nginx.conf", 2, 5, 5, 6))
    region = sarif_log([finding])["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 2, "startColumn": 5, "endLine": 5, "endColumn": 6}


def test_sarif_encodes_awkward_paths_as_uri_references() -> None:
    findings = [wildcard(path="conf d/100%,a:b.conf"), wildcard(path="./sites/x.conf"), wildcard(path="win\\site.conf")]
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif_log(findings)["runs"][0]["results"]]
    assert uris == ["conf%20d/100%25%2Ca%3Ab.conf", "sites/x.conf", "win/site.conf"]


def test_sarif_absolute_paths_are_relative_to_the_base_or_file_uris() -> None:
    findings = [wildcard(path="/work/repo/nginx/api.conf", related=()), wildcard(path="/etc/nginx/nginx.conf", related=())]
    locations = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in sarif_log(findings)["runs"][0]["results"]]
    assert locations == [
        {"uri": "nginx/api.conf", "uriBaseId": "%SRCROOT%"},
        {"uri": "file:///etc/nginx/nginx.conf"},
    ]


@pytest.mark.parametrize("path", ["-", "<stdin>", ""])
def test_sarif_never_emits_a_stdin_marker_as_uri(path: str) -> None:
    result = sarif_log([wildcard(path=path, related=())])["runs"][0]["results"][0]
    assert "locations" not in result
    assert "<stdin>" not in json.dumps(result)


def test_sarif_stdin_finding_uses_the_given_filename() -> None:
    result = sarif_log([wildcard(path="deploy/nginx.conf", related=())])["runs"][0]["results"][0]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "deploy/nginx.conf", "uriBaseId": "%SRCROOT%"}


def test_sarif_without_base_uri_omits_original_uri_base_ids() -> None:
    run = sarif_log([wildcard()], make_run())["runs"][0]
    assert "originalUriBaseIds" not in run


def test_sarif_base_uri_gets_a_trailing_slash() -> None:
    run = sarif_log([], make_run(base_uri="file:///work/repo"))["runs"][0]
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": "file:///work/repo/"}}


def test_sarif_rule_level_follows_the_worst_reported_severity() -> None:
    raised = max_age().with_severity(Severity.ERROR)
    rules = sarif_log([raised])["runs"][0]["tool"]["driver"]["rules"]
    assert rules[1]["defaultConfiguration"] == {"level": "error"}
    assert rules[1]["properties"]["security-severity"] == "7.5"
    assert rules[0]["defaultConfiguration"] == {"level": "error"}


def test_sarif_finding_of_a_rule_not_in_run_rules_gets_a_descriptor() -> None:
    log = sarif_log([wildcard(), max_age()], make_run(rules=[PreflightCache], base_uri="file:///r/"))
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["CORS204", "CORS101"]
    assert [r["ruleIndex"] for r in log["runs"][0]["results"]] == [1, 0]
    assert rules[1]["shortDescription"] == {"text": "CORS101 credentialed-wildcard-origin"}


def test_sarif_descriptions_are_limited_to_1024_characters() -> None:
    long_page = "# CORS101 · credentialed-wildcard-origin\n\nS.\n\n## Why this is a problem\n\n" + "word " * 400 + "\n"
    run = RunInfo(rules=[WildcardCredentials], version="1", catalogue={"CORS101": long_page}.get, read_lines=FILES.get)
    description = sarif_log([], run)["runs"][0]["tool"]["driver"]["rules"][0]["fullDescription"]["text"]
    assert description == "word " * 204 + "wor…"
    assert len(description) == 1024


def test_sarif_security_severity_is_clamped_and_formatted() -> None:
    class Extreme(Rule):
        code = "CORS999"
        name = "extreme"
        summary = "Extreme."
        severity = Severity.ERROR
        security_severity = 12

    run = RunInfo(rules=[Extreme], version="1", catalogue=PAGES.get, read_lines=FILES.get)
    assert sarif_log([], run)["runs"][0]["tool"]["driver"]["rules"][0]["properties"]["security-severity"] == "10.0"


def test_sarif_with_the_real_rules_and_catalogue_validates() -> None:
    from corslint.catalogue import page_text
    from corslint.registry import load

    rules = load(plugins=False).rules
    log = sarif_log([], RunInfo(rules=rules, version="0", catalogue=page_text, read_lines=FILES.get))
    described = log["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in described] == [r.code for r in rules]
    assert all(len(r["fullDescription"]["text"]) <= 1024 for r in described)


# --- github --------------------------------------------------------------------------------


def test_github_golden_grouped_per_file() -> None:
    assert render("github", three(), make_run()) == (
        "::group::conf/nginx.conf\n"
        "::error file=conf/nginx.conf,line=3,col=9,endLine=3,endColumn=49,"
        "title=corslint (CORS101 credentialed-wildcard-origin)::"
        "`Access-Control-Allow-Origin *` is sent with credentials.\n"
        "::warning file=conf/nginx.conf,line=5,title=corslint (CORS204 long-preflight-cache)::"
        "Max-Age 86400 exceeds Chromium's 7200-second cap.\n"
        "::endgroup::\n"
        "::group::app/ünïcode.conf\n"
        "::notice file=app/ünïcode.conf,line=2,title=corslint (CORS402 missing-vary-origin)::"
        "Origin “https://exämple.com” is reflected without Vary ✓\n"
        "::endgroup::\n"
        "Found 3 findings (1 error, 1 warning, 1 info)."
    )


def test_github_group_keeps_order_for_interleaved_paths() -> None:
    findings = [wildcard(path="b.conf"), wildcard(path="a.conf"), replace(max_age(), location=Location("b.conf", 5, 0))]
    lines = render("github", findings, make_run()).splitlines()
    assert [line.split(",")[0] for line in lines] == [
        "::group::b.conf",
        "::error file=b.conf",
        "::warning file=b.conf",
        "::endgroup::",
        "::group::a.conf",
        "::error file=a.conf",
        "::endgroup::",
        "Found 3 findings (2 errors",
    ]


def test_github_escapes_properties_and_data() -> None:
    finding = wildcard(path="we:ird,dir/100%.conf", message="50% off\r\nnext: line, done", related=())
    assert render("github", [finding], make_run()).splitlines()[:3] == [
        "::group::we:ird,dir/100%25.conf",
        "::error file=we%3Aird%2Cdir/100%25.conf,line=3,col=9,endLine=3,endColumn=49,"
        "title=corslint (CORS101 credentialed-wildcard-origin)::50%25 off%0D%0Anext: line, done",
        "::endgroup::",
    ]


def test_github_escape_helpers_match_actions_core() -> None:
    assert escape_data("a%b\rc\nd:e,f") == "a%25b%0Dc%0Ad:e,f"
    assert escape_property("a%b\rc\nd:e,f") == "a%25b%0Dc%0Ad%3Ae%2Cf"


def test_github_multiline_span_omits_columns() -> None:
    finding = wildcard(location=Location("conf/nginx.conf", 2, 5, 5, 6))
    assert render("github", [finding], make_run()).splitlines()[1] == (
        "::error file=conf/nginx.conf,line=2,endLine=5,"
        "title=corslint (CORS101 credentialed-wildcard-origin)::`Access-Control-Allow-Origin *` is sent with credentials."
    )


def test_github_unknown_line_annotates_the_file() -> None:
    finding = wildcard(location=Location("conf/nginx.conf", 0, 0))
    assert render("github", [finding], make_run()).splitlines()[1] == (
        "::error file=conf/nginx.conf,"
        "title=corslint (CORS101 credentialed-wildcard-origin)::`Access-Control-Allow-Origin *` is sent with credentials."
    )


# --- gitlab --------------------------------------------------------------------------------


def test_gitlab_structure() -> None:
    issues = json.loads(render("gitlab", three(), make_run()))
    assert [(i["check_name"], i["severity"], i["location"]) for i in issues] == [
        ("CORS101", "critical", {"path": "conf/nginx.conf", "lines": {"begin": 3}}),
        ("CORS204", "major", {"path": "conf/nginx.conf", "lines": {"begin": 5}}),
        ("CORS402", "info", {"path": "app/ünïcode.conf", "lines": {"begin": 2}}),
    ]
    assert issues[0]["description"] == (
        "CORS101 credentialed-wildcard-origin: `Access-Control-Allow-Origin *` is sent with credentials."
    )
    assert issues[2]["description"] == "CORS402 missing-vary-origin: Origin “https://exämple.com” is reflected without Vary ✓"
    assert set(issues[0]) == {"description", "check_name", "fingerprint", "severity", "location"}
    assert all(re.fullmatch(r"[0-9a-f]{32}", i["fingerprint"]) for i in issues)


def test_gitlab_fingerprints_are_unique_stable_and_line_independent() -> None:
    twins = [wildcard(line=3), wildcard(line=4), wildcard(line=9)]
    prints = [i["fingerprint"] for i in json.loads(render("gitlab", twins, make_run()))]
    assert len(set(prints)) == 3
    shifted = [wildcard(line=13), wildcard(line=14), wildcard(line=19)]
    assert [i["fingerprint"] for i in json.loads(render("gitlab", shifted, make_run()))] == prints


def test_gitlab_unknown_line_begins_at_one() -> None:
    (issue,) = json.loads(render("gitlab", [wildcard(location=Location("x.conf", 0, 0))], make_run()))
    assert issue["location"] == {"path": "x.conf", "lines": {"begin": 1}}


def test_full_folds_a_repeated_finding_of_one_file_and_keeps_other_files_apart() -> None:
    other = replace(wildcard(line=8), location=Location("conf/other.conf", 8, 9))
    text = render("full", [wildcard(), wildcard(line=4), other], make_run())
    assert text.count("CORS101 credentialed-wildcard-origin [error]") == 2
    assert "note: the same finding also at 4:9" in text


def test_json_and_sarif_keep_every_location_with_its_own_fingerprint() -> None:
    import json as json_module

    findings = [wildcard(), wildcard(line=4)]
    report = json_module.loads(render("json", findings, make_run()))
    prints = [f["fingerprint"] for f in report["findings"]]
    assert [f["line"] for f in report["findings"]] == [3, 4] and len(set(prints)) == 2
    assert prints[0] == findings[0].fingerprint()
    sarif = json_module.loads(render("sarif", findings, make_run()))
    sarif_prints = [r["partialFingerprints"] for r in sarif["runs"][0]["results"]]
    assert len({json_module.dumps(p, sort_keys=True) for p in sarif_prints}) == 2
