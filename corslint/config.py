"""Configuration: find and load `corslint.toml`, `.corslint.toml` or `[tool.corslint]`, validate it, merge CLI flags.

Also answers path questions the configuration decides: is a path excluded, which per-file ignores apply.
"""

from __future__ import annotations

import os
import re
import sys
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Optional, Sequence

from corslint.findings import Confidence, Severity
from corslint.lazy_regex import lazy
from corslint.records import field, record, replace
from corslint.rule import Rule
from corslint.selection import SelectionError, code_for, resolve, suggestion


CONFIG_NAMES = ("corslint.toml", ".corslint.toml", "pyproject.toml")
OUTPUT_FORMATS = ("full", "concise", "json", "sarif", "github", "gitlab")
DEFAULT_EXCLUDE: tuple[str, ...] = (
    ".git",
    "node_modules",
    ".venv",
    "venv",
    "__pycache__",
    ".tox",
    "dist",
    "build",
    ".mypy_cache",
    ".pytest_cache",
    "*.min.js",
    "*.bundle.js",
    ".next",
    ".nuxt",
    "coverage",
    "bower_components",
    "site-packages",
)
_ORIGIN_RE = lazy(r"^[a-z][a-z0-9+.-]*://(\*\.)?[^/?#*\s]+$", re.IGNORECASE)


class ConfigError(Exception):
    """The configuration is invalid; the message names the file and the offending key."""


@record
class Config:
    """The resolved settings of one run. Globs are POSIX and relative to `base_dir`."""

    select: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # glob -> the source that reads the files it matches, whatever their name or content
    file_kinds: dict[str, str] = field(default_factory=dict)
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: tuple[str, ...] = ()
    fail_on: Severity = Severity.WARNING
    # findings corslint is less sure of than this are not reported (nor counted for the exit code)
    min_confidence: Confidence = Confidence.LOW
    severity: dict[str, Severity] = field(default_factory=dict)
    trusted_origins: tuple[str, ...] = ()
    public_paths: tuple[str, ...] = ()
    rule_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    output_format: Optional[str] = None
    max_file_size: int = 5 * 1024 * 1024
    require_suppression_reason: bool = False
    path: Optional[Path] = None
    base_dir: Path = Path(".")
    # where keys came from, for error messages: the TOML table name and the keys set on the command line
    table: str = field(default="", repr=False, compare=False)
    cli_keys: frozenset[str] = field(default_factory=frozenset, repr=False, compare=False)


# ---------------------------------------------------------------- discovery


def _has_corslint_table(pyproject: Path) -> bool:
    try:
        text = pyproject.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    if "corslint" not in text:
        return False
    tool = _parse_toml(pyproject, text).get("tool")
    return isinstance(tool, dict) and "corslint" in tool


def find_config(start: Path) -> Optional[Path]:
    """The nearest configuration at or above `start` (a folder, or a file's folder).

    In each folder: corslint.toml, then .corslint.toml, then a pyproject.toml that has a
    [tool.corslint] table. Stops at the filesystem root.
    """
    folder = Path(os.path.abspath(start))
    if folder.is_file():
        folder = folder.parent
    for directory in (folder, *folder.parents):
        for name in CONFIG_NAMES:
            candidate = directory / name
            if not candidate.is_file():
                continue
            if name != "pyproject.toml" or _has_corslint_table(candidate):
                return candidate
    return None


# ---------------------------------------------------------------- loading


def _shown(path: Path) -> str:
    try:
        return Path(os.path.abspath(path)).relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.as_posix()


def _parse_toml(path: Path, text: str) -> dict[str, Any]:
    if sys.version_info >= (3, 11):  # imported here: a run without a configuration file never needs it
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{_shown(path)}: invalid TOML: {exc}") from None


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return "a date or time"


def _did_you_mean(word: str, choices: Sequence[str]) -> str:
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


class _Reader:
    """Reads one TOML table into Config fields, raising ConfigError that names file, table and key."""

    def __init__(self, path: Path, table: str) -> None:
        self.path = path
        self.table = table

    def error(self, problem: str, *sub: str) -> ConfigError:
        table = ".".join(part for part in (self.table, *sub) if part)
        where = f"[{table}] " if table else ""
        return ConfigError(f"{_shown(self.path)}: {where}{problem}")

    def strings(self, key: str, value: Any, *sub: str) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            got = _type_name(value) if not isinstance(value, list) else "an array with non-string items"
            raise self.error(f"'{key}' must be an array of strings, not {got}", *sub)
        return tuple(value)

    def table_of(self, key: str, value: Any, *sub: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.error(f"'{key}' must be a table, not {_type_name(value)}", *sub)
        return value

    def severity(self, key: str, value: Any, *sub: str) -> Severity:
        if not isinstance(value, str):
            raise self.error(f"'{key}' must be a string (error, warning or info), not {_type_name(value)}", *sub)
        try:
            return Severity.parse(value)
        except ValueError as exc:
            raise self.error(f"'{key}': {exc}", *sub) from None

    def confidence(self, key: str, value: Any) -> Confidence:
        if not isinstance(value, str) or value.strip().lower() not in {c.value for c in Confidence}:
            shown = repr(value) if isinstance(value, str) else _type_name(value)
            raise self.error(f"'{key}' must be one of low, medium, high, not {shown}")
        return Confidence(value.strip().lower())

    def boolean(self, key: str, value: Any) -> bool:
        if not isinstance(value, bool):
            raise self.error(f"'{key}' must be true or false, not {_type_name(value)}")
        return value

    def size(self, key: str, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            shown = repr(value) if isinstance(value, int) and not isinstance(value, bool) else _type_name(value)
            raise self.error(f"'{key}' must be a positive number of bytes, not {shown}")
        return value

    def output_format(self, key: str, value: Any) -> str:
        if not isinstance(value, str) or value not in OUTPUT_FORMATS:
            shown = repr(value) if isinstance(value, str) else _type_name(value)
            raise self.error(f"'{key}' must be one of {', '.join(OUTPUT_FORMATS)}, not {shown}")
        return value

    def origins(self, key: str, value: Any, *sub: str) -> tuple[str, ...]:
        items = self.strings(key, value, *sub)
        for item in items:
            if item != "null" and not _ORIGIN_RE.match(item):
                raise self.error(
                    f"'{key}': {item!r} is not an origin (write scheme://host[:port] with no path or trailing "
                    "slash, e.g. https://app.example.com or https://*.example.com)",
                    *sub,
                )
        return items


def _read_list(reader: _Reader, key: str, value: Any) -> dict[str, Any]:
    return {key.replace("-", "_"): reader.strings(key, value)}


def _read_per_file_ignores(reader: _Reader, key: str, value: Any) -> dict[str, Any]:
    table = reader.table_of(key, value)
    return {"per_file_ignores": {glob: reader.strings(glob, selectors, key) for glob, selectors in table.items()}}


def _read_file_kinds(reader: _Reader, key: str, value: Any) -> dict[str, Any]:
    table = reader.table_of(key, value)
    kinds = {}
    for glob, kind in table.items():
        if not isinstance(kind, str):
            raise reader.error(f"'{glob}' must be a source name such as \"nginx\", not {_type_name(kind)}", key)
        kinds[glob] = kind
    return {"file_kinds": kinds}


def _read_severity(reader: _Reader, key: str, value: Any) -> dict[str, Any]:
    table = reader.table_of(key, value)
    return {"severity": {selector: reader.severity(selector, level, key) for selector, level in table.items()}}


def _read_rules(reader: _Reader, key: str, value: Any) -> dict[str, Any]:
    table = reader.table_of(key, value)
    return {"rule_options": {rule: dict(reader.table_of(rule, options, key)) for rule, options in table.items()}}


def _read_options(reader: _Reader, key: str, value: Any) -> dict[str, Any]:
    table = reader.table_of(key, value)
    values: dict[str, Any] = {}
    for name, item in table.items():
        if name not in _OPTION_KEYS:
            raise reader.error(f"unknown key '{name}'{_did_you_mean(name, list(_OPTION_KEYS))}", key)
        values[name.replace("-", "_")] = _OPTION_KEYS[name](reader, name, item, key)
    return values


_OPTION_KEYS: dict[str, Callable[..., Any]] = {
    "trusted-origins": _Reader.origins,
    "public-paths": _Reader.strings,
}

_KEYS: dict[str, Callable[[_Reader, str, Any], dict[str, Any]]] = {
    "select": _read_list,
    "extend-select": _read_list,
    "ignore": _read_list,
    "exclude": _read_list,
    "extend-exclude": _read_list,
    "per-file-ignores": _read_per_file_ignores,
    "file-kinds": _read_file_kinds,
    "severity": _read_severity,
    "severity-overrides": _read_severity,
    "rules": _read_rules,
    "options": _read_options,
    "trusted-origins": lambda r, k, v: {"trusted_origins": r.origins(k, v)},
    "public-paths": lambda r, k, v: {"public_paths": r.strings(k, v)},
    "fail-on": lambda r, k, v: {"fail_on": r.severity(k, v)},
    "min-confidence": lambda r, k, v: {"min_confidence": r.confidence(k, v)},
    "output-format": lambda r, k, v: {"output_format": r.output_format(k, v)},
    "max-file-size": lambda r, k, v: {"max_file_size": r.size(k, v)},
    "require-suppression-reason": lambda r, k, v: {"require_suppression_reason": r.boolean(k, v)},
}


def _section(path: Path, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    tool = data.get("tool")
    nested = tool.get("corslint") if isinstance(tool, dict) else None
    if nested is None:
        return ("tool.corslint", {}) if path.name == "pyproject.toml" else ("", data)
    if not isinstance(nested, dict):
        raise ConfigError(f"{_shown(path)}: [tool] 'corslint' must be a table, not {_type_name(nested)}")
    if path.name != "pyproject.toml":
        others = [key for key in data if key != "tool"] + [f"tool.{key}" for key in tool if key != "corslint"]
        if others:
            raise ConfigError(
                f"{_shown(path)}: unknown key '{others[0]}' next to [tool.corslint]; "
                "put the settings either at the top level or under [tool.corslint]"
            )
    return "tool.corslint", nested


def _check_duplicates(reader: _Reader, section: dict[str, Any]) -> None:
    if "severity" in section and "severity-overrides" in section:
        raise reader.error("'severity' and 'severity-overrides' are the same setting; keep one")
    options = section.get("options")
    for key in _OPTION_KEYS:
        if key in section and isinstance(options, dict) and key in options:
            raise reader.error(f"'{key}' is set both here and in [{'.'.join(filter(None, (reader.table, 'options')))}]; keep one")


def load_config(path: Path) -> Config:
    """Read a configuration file. Raises ConfigError naming the file and key for anything invalid."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{_shown(path)}: cannot read the configuration: {exc}") from None
    table, section = _section(path, _parse_toml(path, text))
    reader = _Reader(path, table)
    _check_duplicates(reader, section)
    values: dict[str, Any] = {}
    for key, value in section.items():
        handler = _KEYS.get(key)
        if handler is None:
            raise reader.error(f"unknown key '{key}'{_did_you_mean(key, list(_KEYS))}")
        values.update(handler(reader, key, value))
    return Config(**values, path=path, base_dir=Path(os.path.abspath(path)).parent, table=table)


def merge_cli(config: Config, **overrides: Any) -> Config:
    """Command-line values beat the file; None means "not given".

    `select` from the command line replaces the file's whole selection (as a later ruff layer
    does); otherwise `extend_select` and `ignore` add to the file's, and a command-line
    `extend_select` entry also lifts the same entry from the file's `ignore`.
    """
    unknown = set(overrides) - {"select", "extend_select", "ignore", "fail_on", "min_confidence", "output_format"}
    if unknown:
        raise TypeError(f"merge_cli() got unexpected overrides {sorted(unknown)}")
    given = {key: value for key, value in overrides.items() if value is not None}
    changes: dict[str, Any] = {}
    if "select" in given:
        changes.update(
            select=tuple(given["select"]),
            extend_select=tuple(given.get("extend_select", ())),
            ignore=tuple(given.get("ignore", ())),
        )
    else:
        extra = tuple(given.get("extend_select", ()))
        lifted = {item.strip().lower() for item in extra}
        kept_ignore = tuple(item for item in config.ignore if item.strip().lower() not in lifted)
        changes.update(
            extend_select=config.extend_select + extra,
            ignore=kept_ignore + tuple(given.get("ignore", ())),
        )
    for key in ("fail_on", "min_confidence", "output_format"):
        if key in given:
            changes[key] = given[key]
    cli_keys = config.cli_keys | {key for key in given if key in ("select", "extend_select", "ignore")}
    return replace(config, **changes, cli_keys=frozenset(cli_keys))


# ---------------------------------------------------------------- validation against the registry


def _where(config: Config, *sub: str) -> str:
    table = ".".join(part for part in (config.table, *sub) if part)
    label = f"[{table}] " if table else ""
    return f"{_shown(config.path) if config.path else 'configuration'}: {label}"


def _check_selectors(config: Config, key: str, selectors: Sequence[str], rules: Sequence[type[Rule]], *sub: str) -> None:
    for selector in selectors:
        try:
            resolve(selector, rules)
        except SelectionError as exc:
            raise ConfigError(f"{_where(config, *sub)}'{key}': {exc}") from None


def _check_selection(config: Config, rules: Sequence[type[Rule]]) -> None:
    for attr in ("select", "extend_select", "ignore"):
        flag = attr.replace("_", "-")
        selectors = getattr(config, attr)
        if attr in config.cli_keys:
            for selector in selectors:
                try:
                    resolve(selector, rules)
                except SelectionError as exc:
                    raise ConfigError(f"--{flag}: {exc}") from None
        else:
            _check_selectors(config, flag, selectors, rules)


def _value_ok(kind: str, value: Any) -> bool:
    checks: dict[str, Callable[[Any], bool]] = {
        "str": lambda v: isinstance(v, str),
        "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "float": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
        "bool": lambda v: isinstance(v, bool),
        "list[str]": lambda v: isinstance(v, list) and all(isinstance(item, str) for item in v),
    }
    check = checks.get(kind)
    return check(value) if check else True


def _is_prefix(selector: str, rules: Sequence[type[Rule]]) -> bool:
    try:
        return bool(resolve(selector, rules))
    except SelectionError:
        return False


def _check_rule_table(
    config: Config, key: str, options: dict[str, Any], rules: Sequence[type[Rule]], seen: dict[str, str]
) -> None:
    code = code_for(key, rules)
    if code is None and _is_prefix(key, rules):
        raise ConfigError(f"{_where(config, 'rules')}'{key}' is a prefix; a [rules] table takes one rule code or name")
    if code is None:
        hint = suggestion(key, rules)
        more = f" (did you mean '{hint}'?)" if hint else ""
        raise ConfigError(f"{_where(config, 'rules')}unknown rule '{key}'{more}")
    if code in seen:
        raise ConfigError(f"{_where(config, 'rules')}'{seen[code]}' and '{key}' name the same rule ({code}); keep one")
    seen[code] = key
    rule = next(r for r in rules if r.code == code)
    declared = rule.options
    for name, value in options.items():
        option = declared.get(name)
        if option is None:
            known = ", ".join(sorted(declared)) or "none"
            raise ConfigError(
                f"{_where(config, 'rules', key)}unknown option '{name}'{_did_you_mean(name, list(declared))} "
                f"({code} {rule.name} takes: {known})"
            )
        if not _value_ok(option.type, value):
            raise ConfigError(f"{_where(config, 'rules', key)}'{name}' must be of type {option.type}, not {_type_name(value)}")


def validate_rule_options(config: Config, rules: Sequence[type[Rule]]) -> None:
    """Check everything that needs the rule registry: selectors, severity keys, per-file ignores, rule options."""
    _check_selection(config, rules)
    for selector in config.severity:
        try:
            resolve(selector, rules)
        except SelectionError as exc:
            raise ConfigError(f"{_where(config, 'severity')}{exc}") from None
    for glob, selectors in config.per_file_ignores.items():
        _check_selectors(config, glob, selectors, rules, "per-file-ignores")
    seen: dict[str, str] = {}
    for key, options in config.rule_options.items():
        _check_rule_table(config, key, options, rules, seen)


# ---------------------------------------------------------------- path matching


@lru_cache(maxsize=512)
def _glob_regex(pattern: str) -> re.Pattern[str]:
    return re.compile(_glob_source(pattern))


def _glob_source(pattern: str) -> str:
    """A gitignore-like glob as regex source: `*` and `?` stay inside one component, `**` spans any number."""
    out, i = [], 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif char == "*":
            out.append("[^/]*")
            i += 1
        elif char == "?":
            out.append("[^/]")
            i += 1
        elif char == "[" and "]" in pattern[i + 2 :]:
            end = pattern.index("]", i + 2)
            body = pattern[i + 1 : end].replace("\\", "\\\\")
            body = "^" + body[1:] if body.startswith("!") else body
            out.append(f"[{body}]")
            i = end + 1
        else:
            out.append(re.escape(char))
            i += 1
    return "".join(out)


@lru_cache(maxsize=16)
def _base_prefixes(base_dir: str) -> tuple[str, ...]:
    bases = {os.path.abspath(base_dir), os.path.realpath(base_dir)}
    return tuple(base.rstrip(os.sep) + os.sep for base in sorted(bases))


def _relative(display_path: str, base_dir: Path, cwd: Optional[str] = None) -> str:
    path = display_path.replace(os.sep, "/")
    full = os.path.normpath(path if os.path.isabs(path) else os.path.join(cwd or os.getcwd(), path))
    for prefix in _base_prefixes(str(base_dir)):
        if full.startswith(prefix):
            return full[len(prefix):].replace(os.sep, "/")
        if full + os.sep == prefix:
            return "."
    return PurePosixPath(path).as_posix()


def path_matches(pattern: str, relative: str) -> bool:
    """Does a glob match this POSIX path (relative to the config folder) or one of its parent folders?

    A pattern without `/` matches any single component (`build`, `*.min.js`); one with `/` is
    anchored at the config folder (`docs/**`, `fixtures/legacy/*.conf`).
    """
    glob = pattern.strip()
    if glob.startswith("./"):
        glob = glob[2:]
    glob = glob.rstrip("/")
    if not glob:
        return False
    parts = [part for part in relative.split("/") if part not in ("", ".")]
    if "/" not in glob:
        regex = _glob_regex(glob)
        return any(regex.fullmatch(part) for part in parts)
    regex = _glob_regex(glob.lstrip("/"))
    return any(regex.fullmatch("/".join(parts[:end])) for end in range(1, len(parts) + 1))


@lru_cache(maxsize=8)
def _exclusion_matcher(patterns: tuple[str, ...]) -> tuple[Optional[re.Pattern[str]], tuple[str, ...]]:
    """One combined regex for the component globs (no `/`), and the anchored globs left to `path_matches`."""
    components, anchored = [], []
    for pattern in patterns:
        glob = pattern.strip().removeprefix("./").rstrip("/")
        if not glob:
            continue
        if "/" in glob:
            anchored.append(pattern)
        else:
            components.append(f"(?:{_glob_source(glob)})")
    return (re.compile("|".join(components)) if components else None), tuple(anchored)


def validate_file_kinds(config: Config, source_names: Sequence[str]) -> None:
    """Every `file-kinds` value names a source of this run."""
    for glob, kind in config.file_kinds.items():
        if kind not in source_names:
            known = ", ".join(sorted(source_names))
            raise ConfigError(
                f"{_where(config, 'file-kinds')}'{glob}': unknown file kind {kind!r}{_did_you_mean(kind, list(source_names))} "
                f"(one of: {known})"
            )


def kind_filter(config: Config) -> Callable[[str], Optional[str]]:
    """The source a `file-kinds` glob assigns to a path (the first glob that matches, in file order), or None."""
    if not config.file_kinds:
        return lambda display_path: None
    base_dir = config.base_dir
    kinds = list(config.file_kinds.items())

    def kind_of(display_path: str) -> Optional[str]:
        relative = _relative(display_path, base_dir)
        return next((kind for glob, kind in kinds if path_matches(glob, relative)), None)

    return kind_of


def is_excluded(display_path: str, config: Config) -> bool:
    """True when an `exclude` or `extend-exclude` glob matches the path or a folder above it."""
    return exclusion_filter(config)(display_path)


def exclusion_filter(config: Config) -> Callable[[str], bool]:
    """`is_excluded` for one run over many paths: the working folder and the globs are looked up once, and a
    folder's verdict on the component globs is remembered for the files in it."""
    cwd = os.getcwd()
    base_dir = config.base_dir
    component_regex, anchored = _exclusion_matcher(config.exclude + config.extend_exclude)
    component_match = component_regex.fullmatch if component_regex is not None else None
    here = os.path.normpath(cwd)
    below = [here[len(prefix):].replace(os.sep, "/") for prefix in _base_prefixes(str(base_dir)) if (here + os.sep).startswith(prefix)]
    fast = bool(below)  # the working folder is the config folder or below it
    clean_prefix = below[0] + "/" if below and below[0] else ""
    folders: dict[str, bool] = {}

    def relative_of(display_path: str) -> str:
        if fast and _is_clean_relative(display_path):
            return clean_prefix + display_path
        return _relative(display_path, base_dir, cwd)

    def components_excluded(relative: str) -> bool:
        folder, _, name = relative.rpartition("/")
        verdict = folders.get(folder)
        if verdict is None:
            verdict = folders[folder] = any(part and part != "." and component_match(part) for part in folder.split("/"))  # type: ignore[misc]
        return verdict or bool(name and name != "." and component_match(name))  # type: ignore[misc]

    def excluded(display_path: str) -> bool:
        relative = relative_of(display_path)
        if component_match is not None and components_excluded(relative):
            return True
        return any(path_matches(pattern, relative) for pattern in anchored) if anchored else False

    return excluded


def _is_clean_relative(path: str) -> bool:
    """A relative POSIX path without `.`/`..` parts or doubled slashes (as discovery builds them)."""
    return (
        bool(path)
        and not path.startswith(("/", "./", "../"))
        and path not in (".", "..")
        and "//" not in path
        and "/./" not in path
        and "/../" not in path
        and not path.endswith(("/.", "/.."))
        and (os.sep == "/" or os.sep not in path)
    )


def ignored_for_file(display_path: str, config: Config) -> tuple[str, ...]:
    """The `per-file-ignores` selectors whose glob matches this path, in file order, without repeats."""
    if not config.per_file_ignores:
        return ()
    relative = _relative(display_path, config.base_dir)
    selectors: dict[str, None] = {}
    for glob, items in config.per_file_ignores.items():
        if path_matches(glob, relative):
            selectors.update(dict.fromkeys(items))
    return tuple(selectors)
