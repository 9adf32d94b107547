"""Configuration: discovery order, every key, every error message, CLI merging, excludes and per-file ignores."""

from __future__ import annotations

from pathlib import Path

import pytest

from corslint.config import (
    DEFAULT_EXCLUDE,
    Config,
    ConfigError,
    _relative,
    exclusion_filter,
    find_config,
    ignored_for_file,
    is_excluded,
    load_config,
    merge_cli,
    path_matches,
    validate_rule_options,
)
from corslint.findings import Severity
from corslint.rule import Option, Rule


def make_rule(code: str, name: str, options: dict[str, Option] | None = None) -> type[Rule]:
    attrs = {"code": code, "name": name, "summary": f"{name}.", "severity": Severity.ERROR, "options": options or {}}
    return type(name.title().replace("-", ""), (Rule,), attrs)


RULES = [
    make_rule("CORS101", "credentialed-wildcard-origin"),
    make_rule("CORS102", "reflected-origin"),
    make_rule(
        "CORS103",
        "wildcard-origin",
        {
            "allow-static": Option("bool", True, "Accept * on static assets."),
            "paths": Option("list[str]", [], "Extra public paths."),
            "max-origins": Option("int", 10, "Limit."),
            "label": Option("str", "", "A label."),
        },
    ),
]


@pytest.fixture
def chdir_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- discovery


def test_nearest_directory_wins(tmp_path: Path) -> None:
    write(tmp_path / "corslint.toml", "")
    nested = write(tmp_path / "a" / "b" / ".corslint.toml", "")
    (tmp_path / "a" / "b" / "c").mkdir()
    assert find_config(tmp_path / "a" / "b" / "c") == nested
    assert find_config(tmp_path / "a") == tmp_path / "corslint.toml"


def test_order_within_one_directory(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.corslint]\nselect = ['CORS1']\n")
    assert find_config(tmp_path) == tmp_path / "pyproject.toml"
    write(tmp_path / ".corslint.toml", "")
    assert find_config(tmp_path) == tmp_path / ".corslint.toml"
    write(tmp_path / "corslint.toml", "")
    assert find_config(tmp_path) == tmp_path / "corslint.toml"


def test_pyproject_without_corslint_table_is_skipped(tmp_path: Path) -> None:
    top = write(tmp_path / "pyproject.toml", "[tool.corslint]\nignore = ['CORS103']\n")
    write(tmp_path / "pkg" / "pyproject.toml", "[project]\nname = 'x'\n# corslint is used in CI\n[tool.ruff]\n")
    assert find_config(tmp_path / "pkg") == top


def test_pyproject_with_dotted_corslint_key_counts(tmp_path: Path) -> None:
    found = write(tmp_path / "pyproject.toml", "[tool]\ncorslint.select = ['CORS1']\n")
    assert find_config(tmp_path) == found
    assert load_config(found).select == ("CORS1",)


def test_start_may_be_a_file(tmp_path: Path) -> None:
    config = write(tmp_path / "corslint.toml", "")
    target = write(tmp_path / "deploy" / "nginx.conf", "")
    assert find_config(target) == config


def test_nothing_found(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[project]\nname = 'x'\n")
    assert find_config(tmp_path) is None


def test_broken_pyproject_mentioning_corslint_is_an_error(chdir_tmp: Path) -> None:
    write(chdir_tmp / "pyproject.toml", "[tool.corslint\nselect = 1\n")
    with pytest.raises(ConfigError, match=r"^pyproject.toml: invalid TOML: .*line 1"):
        find_config(chdir_tmp)


# ---------------------------------------------------------------- loading

FULL = """
select = ["CORS1", "reflected-origin"]
extend-select = ["CORS901"]
ignore = ["CORS103"]
exclude = ["vendor"]
extend-exclude = ["docs/**"]
fail-on = "error"
output-format = "sarif"
max-file-size = 1024
require-suppression-reason = true
trusted-origins = ["https://app.example.com", "https://*.example.com", "null"]
public-paths = ["/fonts/*"]

[per-file-ignores]
"legacy/**" = ["CORS1"]
"*.dev.conf" = ["CORS102", "wildcard-origin"]

[severity]
CORS103 = "info"
"reflected-origin" = "Warning"

[rules.wildcard-origin]
allow-static = false
paths = ["/cdn/*"]

[rules.CORS101]
"""


def test_every_key_is_parsed(tmp_path: Path) -> None:
    path = write(tmp_path / "corslint.toml", FULL)
    config = load_config(path)
    assert config.select == ("CORS1", "reflected-origin")
    assert config.extend_select == ("CORS901",)
    assert config.ignore == ("CORS103",)
    assert config.exclude == ("vendor",)
    assert config.extend_exclude == ("docs/**",)
    assert config.fail_on is Severity.ERROR
    assert config.output_format == "sarif"
    assert config.max_file_size == 1024
    assert config.require_suppression_reason is True
    assert config.trusted_origins == ("https://app.example.com", "https://*.example.com", "null")
    assert config.public_paths == ("/fonts/*",)
    assert config.per_file_ignores == {"legacy/**": ("CORS1",), "*.dev.conf": ("CORS102", "wildcard-origin")}
    assert config.severity == {"CORS103": Severity.INFO, "reflected-origin": Severity.WARNING}
    assert config.rule_options == {"wildcard-origin": {"allow-static": False, "paths": ["/cdn/*"]}, "CORS101": {}}
    assert config.path == path
    assert config.base_dir == tmp_path


def test_defaults() -> None:
    config = Config()
    assert (config.select, config.ignore, config.fail_on, config.max_file_size) == ((), (), Severity.WARNING, 5242880)
    assert config.exclude == DEFAULT_EXCLUDE
    assert "node_modules" in DEFAULT_EXCLUDE and "*.min.js" in DEFAULT_EXCLUDE


def test_pyproject_table(tmp_path: Path) -> None:
    path = write(tmp_path / "pyproject.toml", "[project]\nname='x'\n[tool.corslint]\nignore = ['CORS102']\n"
                 "[tool.corslint.options]\ntrusted-origins = ['https://a.example.com']\npublic-paths = ['/pub/*']\n")
    config = load_config(path)
    assert config.ignore == ("CORS102",)
    assert config.trusted_origins == ("https://a.example.com",)
    assert config.public_paths == ("/pub/*",)


def test_pyproject_without_table_gives_defaults(tmp_path: Path) -> None:
    path = write(tmp_path / "pyproject.toml", "[project]\nname = 'x'\n")
    config = load_config(path)
    assert config.select == () and config.path == path


def test_corslint_toml_may_use_tool_table(tmp_path: Path) -> None:
    path = write(tmp_path / ".corslint.toml", "[tool.corslint]\nselect = ['CORS2']\n[tool.corslint.severity-overrides]\nCORS201 = 'error'\n")
    config = load_config(path)
    assert config.select == ("CORS2",)
    assert config.severity == {"CORS201": Severity.ERROR}


@pytest.mark.parametrize(
    "name,text,message",
    [
        ("pyproject.toml", "[tool.corslint]\nselekt = ['CORS1']\n",
         "pyproject.toml: [tool.corslint] unknown key 'selekt' (did you mean 'select'?)"),
        ("corslint.toml", "extend_select = ['CORS1']\n", "corslint.toml: unknown key 'extend_select' (did you mean 'extend-select'?)"),
        ("corslint.toml", "colour = true\n", "corslint.toml: unknown key 'colour'"),
        ("corslint.toml", "select = 'CORS1'\n", "corslint.toml: 'select' must be an array of strings, not a string"),
        ("corslint.toml", "ignore = ['CORS1', 3]\n", "corslint.toml: 'ignore' must be an array of strings, not an array with non-string items"),
        ("corslint.toml", "fail-on = 'fatal'\n",
         "corslint.toml: 'fail-on': unknown severity 'fatal' (expected error, warning or info)"),
        ("corslint.toml", "fail-on = 2\n", "corslint.toml: 'fail-on' must be a string (error, warning or info), not an integer"),
        ("pyproject.toml", "[tool.corslint.severity]\nCORS101 = 'fatal'\n",
         "pyproject.toml: [tool.corslint.severity] 'CORS101': unknown severity 'fatal' (expected error, warning or info)"),
        ("corslint.toml", "severity = ['CORS101']\n", "corslint.toml: 'severity' must be a table, not an array"),
        ("corslint.toml", "output-format = 'xml'\n",
         "corslint.toml: 'output-format' must be one of full, concise, json, sarif, github, gitlab, not 'xml'"),
        ("corslint.toml", "max-file-size = 0\n", "corslint.toml: 'max-file-size' must be a positive number of bytes, not 0"),
        ("corslint.toml", "max-file-size = '5MB'\n", "corslint.toml: 'max-file-size' must be a positive number of bytes, not a string"),
        ("corslint.toml", "require-suppression-reason = 'yes'\n",
         "corslint.toml: 'require-suppression-reason' must be true or false, not a string"),
        ("corslint.toml", "[per-file-ignores]\n'tests/**' = 'CORS1'\n",
         "corslint.toml: [per-file-ignores] 'tests/**' must be an array of strings, not a string"),
        ("corslint.toml", "per-file-ignores = ['x']\n", "corslint.toml: 'per-file-ignores' must be a table, not an array"),
        ("corslint.toml", "[file-kinds]\n'deploy/*.app' = ['nginx']\n",
         "corslint.toml: [file-kinds] 'deploy/*.app' must be a source name such as \"nginx\", not an array"),
        ("corslint.toml", "file-kinds = 'nginx'\n", "corslint.toml: 'file-kinds' must be a table, not a string"),
        ("corslint.toml", "[rules]\nCORS101 = 1\n", "corslint.toml: [rules] 'CORS101' must be a table, not an integer"),
        ("corslint.toml", "trusted-origins = ['https://app.example.com/']\n",
         "corslint.toml: 'trusted-origins': 'https://app.example.com/' is not an origin (write scheme://host[:port] "
         "with no path or trailing slash, e.g. https://app.example.com or https://*.example.com)"),
        ("pyproject.toml", "[tool.corslint.options]\ntrusted-origins = ['app.example.com']\n",
         "pyproject.toml: [tool.corslint.options] 'trusted-origins': 'app.example.com' is not an origin (write "
         "scheme://host[:port] with no path or trailing slash, e.g. https://app.example.com or https://*.example.com)"),
        ("corslint.toml", "[options]\ntrusted-origin = []\n",
         "corslint.toml: [options] unknown key 'trusted-origin' (did you mean 'trusted-origins'?)"),
        ("corslint.toml", "public-paths = ['/a']\n[options]\npublic-paths = ['/b']\n",
         "corslint.toml: 'public-paths' is set both here and in [options]; keep one"),
        ("corslint.toml", "[severity]\nCORS101='info'\n[severity-overrides]\nCORS102='info'\n",
         "corslint.toml: 'severity' and 'severity-overrides' are the same setting; keep one"),
        ("corslint.toml", "select = []\n[tool.corslint]\nignore = []\n",
         "corslint.toml: unknown key 'select' next to [tool.corslint]; put the settings either at the top level or under [tool.corslint]"),
        ("pyproject.toml", "[tool]\ncorslint = 3\n", "pyproject.toml: [tool] 'corslint' must be a table, not an integer"),
    ],
)
def test_errors_name_file_and_key(chdir_tmp: Path, name: str, text: str, message: str) -> None:
    path = write(chdir_tmp / name, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value) == message


def test_toml_syntax_error_gives_line(chdir_tmp: Path) -> None:
    path = write(chdir_tmp / "corslint.toml", "select = ['CORS1']\nignore = CORS1\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value).startswith("corslint.toml: invalid TOML: ")
    assert "line 2" in str(info.value)


def test_error_outside_cwd_shows_full_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "cfg" / "corslint.toml", "selekt = []\n")
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    with pytest.raises(ConfigError, match=f"^{path.as_posix()}: unknown key 'selekt'"):
        load_config(path)


def test_unreadable_file(chdir_tmp: Path) -> None:
    with pytest.raises(ConfigError, match="^missing.toml: cannot read the configuration"):
        load_config(chdir_tmp / "missing.toml")


# ---------------------------------------------------------------- merging command-line values


def test_cli_select_replaces_file_selection() -> None:
    config = Config(select=("CORS1",), extend_select=("CORS901",), ignore=("CORS103",))
    merged = merge_cli(config, select=("CORS2",), extend_select=None, ignore=None, fail_on=None, output_format=None)
    assert (merged.select, merged.extend_select, merged.ignore) == (("CORS2",), (), ())
    assert merged.cli_keys == frozenset({"select"})


def test_cli_extend_select_and_ignore_add_to_file() -> None:
    config = Config(select=("CORS1",), extend_select=("CORS901",), ignore=("CORS103", "CORS102"))
    merged = merge_cli(config, extend_select=("cors103", "CORS201"), ignore=("CORS101",))
    assert merged.select == ("CORS1",)
    assert merged.extend_select == ("CORS901", "cors103", "CORS201")
    assert merged.ignore == ("CORS102", "CORS101")


def test_cli_fail_on_and_format_beat_file() -> None:
    config = Config(fail_on=Severity.ERROR, output_format="json")
    merged = merge_cli(config, fail_on=Severity.INFO, output_format="sarif")
    assert (merged.fail_on, merged.output_format) == (Severity.INFO, "sarif")
    unchanged = merge_cli(config, fail_on=None, output_format=None)
    assert (unchanged.fail_on, unchanged.output_format) == (Severity.ERROR, "json")
    assert config.fail_on is Severity.ERROR


def test_merge_cli_rejects_unknown_override() -> None:
    with pytest.raises(TypeError, match="colour"):
        merge_cli(Config(), colour=True)


# ---------------------------------------------------------------- validation against the rules


@pytest.mark.parametrize(
    "text,message",
    [
        ("[rules.CORS999]\nx = 1\n", "corslint.toml: [rules] unknown rule 'CORS999'"),
        ("[rules.CORS1]\n", "corslint.toml: [rules] 'CORS1' is a prefix; a [rules] table takes one rule code or name"),
        ("[rules.reflected]\n", "corslint.toml: [rules] unknown rule 'reflected' (did you mean 'reflected-origin'?)"),
        ("[rules.wildcard-origin]\nallow-statc = true\n",
         "corslint.toml: [rules.wildcard-origin] unknown option 'allow-statc' (did you mean 'allow-static'?) "
         "(CORS103 wildcard-origin takes: allow-static, label, max-origins, paths)"),
        ("[rules.CORS101]\nstrict = true\n",
         "corslint.toml: [rules.CORS101] unknown option 'strict' (CORS101 credentialed-wildcard-origin takes: none)"),
        ("[rules.CORS103]\nallow-static = 'no'\n", "corslint.toml: [rules.CORS103] 'allow-static' must be of type bool, not a string"),
        ("[rules.CORS103]\nmax-origins = true\n", "corslint.toml: [rules.CORS103] 'max-origins' must be of type int, not a boolean"),
        ("[rules.CORS103]\npaths = ['/a', 1]\n", "corslint.toml: [rules.CORS103] 'paths' must be of type list[str], not an array"),
        ("[rules.CORS103]\nlabel = 3\n", "corslint.toml: [rules.CORS103] 'label' must be of type str, not an integer"),
        ("[rules.CORS103]\n[rules.wildcard-origin]\n",
         "corslint.toml: [rules] 'CORS103' and 'wildcard-origin' name the same rule (CORS103); keep one"),
        ("[severity]\nCORS9 = 'info'\n", "corslint.toml: [severity] unknown rule or prefix 'CORS9' (did you mean 'CORS103'?)"),
        ("[per-file-ignores]\n'x/**' = ['CORS1', 'reflected-orgin']\n",
         "corslint.toml: [per-file-ignores] 'x/**': unknown rule or prefix 'reflected-orgin' (did you mean 'reflected-origin'?)"),
        ("select = ['CORS5']\n", "corslint.toml: 'select': unknown rule or prefix 'CORS5' (did you mean 'CORS103'?)"),
        ("ignore = ['wildcard']\n", "corslint.toml: 'ignore': unknown rule or prefix 'wildcard' (did you mean 'wildcard-origin'?)"),
        ("[tool.corslint]\nextend-select = ['CORS10', 'CORS3']\n",
         "corslint.toml: [tool.corslint] 'extend-select': unknown rule or prefix 'CORS3' (did you mean 'CORS103'?)"),
    ],
)
def test_validate_against_rules(chdir_tmp: Path, text: str, message: str) -> None:
    config = load_config(write(chdir_tmp / "corslint.toml", text))
    with pytest.raises(ConfigError) as info:
        validate_rule_options(config, RULES)
    assert str(info.value) == message


def test_validate_accepts_a_good_configuration(chdir_tmp: Path) -> None:
    text = (
        "select = ['CORS1']\nignore = ['wildcard-origin']\n[severity]\nCORS10 = 'info'\n"
        "[per-file-ignores]\n'a/*' = ['ALL']\n[rules.wildcard-origin]\nallow-static = false\npaths = []\n"
        "max-origins = 3\nlabel = 'x'\n"
    )
    config = load_config(write(chdir_tmp / "corslint.toml", text))
    assert validate_rule_options(config, RULES) is None


def test_validate_names_the_cli_flag_for_cli_selectors(chdir_tmp: Path) -> None:
    config = load_config(write(chdir_tmp / "corslint.toml", "select = ['CORS1']\n"))
    merged = merge_cli(config, ignore=("CORS999",))
    with pytest.raises(ConfigError) as info:
        validate_rule_options(merged, RULES)
    assert str(info.value) == "--ignore: unknown rule or prefix 'CORS999'"


# ---------------------------------------------------------------- paths


@pytest.mark.parametrize(
    "pattern,path,expected",
    [
        ("build", "build/nginx.conf", True),
        ("build", "app/build/nginx.conf", True),
        ("build", "builder/nginx.conf", False),
        ("*.min.js", "static/app.min.js", True),
        ("*.min.js", "static/app.js", False),
        ("docs/**", "docs/a/b/nginx.conf", True),
        ("docs/**", "src/docs/nginx.conf", False),
        ("docs/", "src/docs/nginx.conf", True),
        ("fixtures/legacy/*.conf", "fixtures/legacy/old.conf", True),
        ("fixtures/legacy/*.conf", "fixtures/legacy/deep/old.conf", False),
        ("fixtures/legacy", "fixtures/legacy/deep/old.conf", True),
        ("/deploy/nginx.conf", "deploy/nginx.conf", True),
        ("./deploy/*.conf", "deploy/nginx.conf", True),
        ("**/nginx/*.conf", "a/b/nginx/site.conf", True),
        ("**/nginx/*.conf", "nginx/site.conf", True),
        ("deploy/**/cors.conf", "deploy/cors.conf", True),
        ("deploy/**/cors.conf", "deploy/x/y/cors.conf", True),
        ("site-?.conf", "site-a.conf", True),
        ("site-[ab].conf", "site-b.conf", True),
        ("site-[!ab].conf", "site-b.conf", False),
        ("", "anything", False),
    ],
)
def test_path_matches(pattern: str, path: str, expected: bool) -> None:
    assert path_matches(pattern, path) is expected


def test_is_excluded_defaults_and_extend(chdir_tmp: Path) -> None:
    config = Config(base_dir=chdir_tmp, extend_exclude=("docs/**", "fixtures/legacy/*.conf"))
    assert is_excluded("node_modules/cors/index.js", config)
    assert is_excluded("web/dist", config)
    assert is_excluded("docs/example/nginx.conf", config)
    assert is_excluded("fixtures/legacy/old.conf", config)
    assert not is_excluded("fixtures/legacy/keep/new.conf", config)
    assert not is_excluded("deploy/nginx.conf", config)


def test_exclude_replaces_defaults(chdir_tmp: Path) -> None:
    config = Config(base_dir=chdir_tmp, exclude=("vendor",))
    assert not is_excluded("node_modules/x.js", config)
    assert is_excluded("vendor/nginx.conf", config)


def test_globs_are_relative_to_the_config_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "project"
    (project / "sub").mkdir(parents=True)
    config = load_config(write(project / "corslint.toml", "extend-exclude = ['deploy/old/**']\n"
                                                          "[per-file-ignores]\n'deploy/*.conf' = ['CORS102']\n"))
    monkeypatch.chdir(tmp_path)
    assert is_excluded("project/deploy/old/nginx.conf", config)
    assert ignored_for_file("project/deploy/nginx.conf", config) == ("CORS102",)
    assert ignored_for_file("other/deploy/nginx.conf", config) == ()
    monkeypatch.chdir(project / "sub")
    assert is_excluded("../deploy/old/nginx.conf", config)
    assert is_excluded((project / "deploy/old/a.conf").as_posix(), config)


def test_exclusion_filter_agrees_with_is_excluded_from_any_working_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "project"
    (project / "sub" / "deep").mkdir(parents=True)
    config = load_config(write(project / "corslint.toml", "extend-exclude = ['deploy/old/**', 'vendor']\n"))
    paths = ["deploy/old/a.conf", "deploy/new/a.conf", "x/vendor/y.js", "vendor", "a..b/vendor.js", ".htaccess",
             "../deploy/old/a.conf", "sub/../deploy/old/a.conf", "./deploy/old/a.conf", (project / "vendor/z.js").as_posix()]
    for cwd in (tmp_path, project, project / "sub", project / "sub" / "deep"):
        monkeypatch.chdir(cwd)
        fast = exclusion_filter(config)
        for path in paths:
            relative = _relative(path, config.base_dir)
            expected = any(path_matches(glob, relative) for glob in config.exclude + config.extend_exclude)
            assert fast(path) == expected == is_excluded(path, config), (cwd, path)
    monkeypatch.chdir(project)
    fast = exclusion_filter(config)
    assert fast("deploy/old/a.conf") and fast("x/vendor/y.js") and not fast("deploy/new/a.conf")


def test_ignored_for_file_collects_all_matching_globs(chdir_tmp: Path) -> None:
    config = Config(
        base_dir=chdir_tmp,
        per_file_ignores={"deploy/**": ("CORS1", "CORS201"), "*.dev.conf": ("CORS201", "wildcard-origin"), "tests/**": ("ALL",)},
    )
    assert ignored_for_file("deploy/site.dev.conf", config) == ("CORS1", "CORS201", "wildcard-origin")
    assert ignored_for_file("app/site.dev.conf", config) == ("CORS201", "wildcard-origin")
    assert ignored_for_file("app/site.conf", config) == ()
    assert ignored_for_file("tests/x/nginx.conf", config) == ("ALL",)
