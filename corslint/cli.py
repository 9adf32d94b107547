"""The `corslint` command line: check (default), show, simulate, rules, explain. Exit 0 clean, 1 findings, 2 usage or configuration error."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any, Optional, Sequence

import click

from corslint import __version__

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
SUBCOMMANDS = ("check", "show", "simulate", "rules", "explain")


def _split(values: Sequence[str]) -> Optional[tuple[str, ...]]:
    if not values:
        return None
    return tuple(item.strip() for value in values for item in value.split(",") if item.strip())


def _fail(message: str) -> "click.exceptions.Exit":
    click.echo(f"corslint: error: {message}", err=True)
    return click.exceptions.Exit(EXIT_USAGE)


class DefaultGroup(click.Group):
    """A group where `corslint PATH…` means `corslint check PATH…`, as in ruff."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h", "--version")):
            args = ["check", *args]
        return super().parse_args(ctx, args)

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The group's help, then the options of `check`, the command `corslint PATH…` runs."""
        super().format_help(ctx, formatter)
        check = self.commands.get("check")
        if check is None:
            return
        with click.Context(check, info_name="check", parent=ctx) as sub:
            params = [p for p in check.get_params(sub) if isinstance(p, click.Option) and "--help" not in p.opts]
            rows = [row for row in (p.get_help_record(sub) for p in params) if row is not None]
        with formatter.section("Options of `corslint check` (also accepted as `corslint [OPTIONS] PATH…`)"):
            formatter.write_dl(rows)


def _load_config(config_file: Optional[Path], isolated: bool, paths: Sequence[Path]) -> Any:
    from corslint.config import Config, ConfigError, find_config, load_config

    try:
        if isolated:
            return Config()
        if config_file is not None:
            return load_config(config_file)
        start = paths[0] if paths else Path.cwd()
        if not start.exists():
            start = Path.cwd()
        found = find_config(start if start.is_dir() else start.parent)
        return load_config(found) if found else Config()
    except ConfigError as exc:
        raise _fail(str(exc)) from None


def _registry() -> Any:
    from corslint.registry import RegistryError, load

    try:
        return load()
    except RegistryError as exc:
        raise _fail(str(exc)) from None


def _default_format(output_file: Optional[Path]) -> str:
    if os.environ.get("GITHUB_ACTIONS") == "true":
        return "github"
    if output_file is None and sys.stdout.isatty():
        return "full"
    return "concise"


@click.group(cls=DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="corslint")
def main() -> None:
    """Static linter for CORS configuration: nginx, Apache, Node (Express, Fastify, Koa, NestJS) and Python (Flask, Django, FastAPI).

    `corslint PATH…` is short for `corslint check PATH…`.
    """


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--select", multiple=True, help="Rules to enable: codes, names or prefixes (CORS1), comma-separated.")
@click.option("--extend-select", multiple=True, help="Rules to enable on top of the selection.")
@click.option("--ignore", multiple=True, help="Rules to disable: codes, names or prefixes.")
@click.option("--format", "--output-format", "output_format", help="full, concise, json, sarif, github, gitlab.")
@click.option("--output-file", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write the report here.")
@click.option("--fail-on", type=click.Choice(["error", "warning", "info"]), help="Lowest severity that makes the exit code 1.")
@click.option("--min-confidence", type=click.Choice(["low", "medium", "high"]),
              help="Report only findings corslint is at least this sure of (default: low, all).")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--statistics", is_flag=True, help="Append a count of findings per rule.")
@click.option("--no-inline-suppressions", is_flag=True, help="Ignore `corslint: ignore[...]` comments.")
@click.option("--force-exclude", is_flag=True, help="Apply excludes to paths given on the command line too.")
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Configuration file.")
@click.option("--isolated", is_flag=True, help="Ignore all configuration files.")
@click.option("--stdin-filename", help="Name (and so kind) of the file read from standard input with `-`.")
@click.option("--color/--no-color", default=None, help="Colour the full format (default: when writing to a terminal).")
@click.option("--quiet", "-q", is_flag=True, help="Print findings only: no summary, no notes.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), help="Processes to share the work between (default: automatic, by tree size and CPUs).")
def check(
    paths: tuple[Path, ...],
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    output_format: Optional[str],
    output_file: Optional[Path],
    fail_on: Optional[str],
    min_confidence: Optional[str],
    exit_zero: bool,
    statistics: bool,
    no_inline_suppressions: bool,
    force_exclude: bool,
    config_file: Optional[Path],
    isolated: bool,
    stdin_filename: Optional[str],
    color: Optional[bool],
    quiet: bool,
    jobs: Optional[int],
) -> None:
    """Lint PATHS (default `.`); `-` reads one file from standard input."""
    from corslint.config import ConfigError, merge_cli, validate_file_kinds, validate_rule_options
    from corslint.engine import StdinInput, UnknownKind, lint
    from corslint.discovery import PathNotFound
    from corslint.findings import Confidence, Severity
    from corslint.selection import SelectionError

    stdin = None
    if paths == (Path("-"),):
        name = stdin_filename or "-"
        stdin = StdinInput(name, sys.stdin.buffer.read())
        paths = ()
    elif Path("-") in paths:
        raise _fail("`-` (standard input) cannot be combined with other paths")
    target_paths = list(paths) or [Path(".")]
    config = _load_config(config_file, isolated, target_paths)
    registry = _registry()
    try:
        config = merge_cli(
            config,
            select=_split(select),
            extend_select=_split(extend_select),
            ignore=_split(ignore),
            fail_on=Severity(fail_on) if fail_on else None,
            min_confidence=Confidence(min_confidence) if min_confidence else None,
            output_format=output_format,
        )
        validate_rule_options(config, registry.rules)
        validate_file_kinds(config, [source.name for source in registry.sources])
    except (ConfigError, SelectionError) as exc:
        raise _fail(str(exc)) from None
    fmt = config.output_format or _default_format(output_file)
    if fmt not in registry.reporters:
        raise _fail(f"unknown output format {fmt!r} (choose from {', '.join(sorted(registry.reporters))})")
    try:
        result = lint(
            target_paths,
            config,
            registry,
            stdin=stdin,
            inline_suppressions=not no_inline_suppressions,
            force_exclude=force_exclude,
            progress=_progress_printer() if not quiet and sys.stderr.isatty() else None,
            jobs=jobs,
        )
    except (PathNotFound, UnknownKind, SelectionError) as exc:
        raise _fail(str(exc)) from None
    _report(result, registry, fmt, output_file, color, statistics, stdin)
    if not quiet:
        for path, reason in sorted(result.skipped.items()):
            click.echo(f"corslint: note: skipped {path}: {reason}", err=True)
    threshold = config.fail_on
    failing = [f for f in result.findings if f.severity.rank >= threshold.rank]
    raise click.exceptions.Exit(EXIT_FINDINGS if failing and not exit_zero else EXIT_CLEAN)


LONG_RUN_FILES = 2000


def _progress_printer() -> Any:
    def show(claimed: int, scanned: int) -> None:
        if scanned >= LONG_RUN_FILES:
            click.echo(f"corslint: analysing {claimed} configuration files ({scanned} candidates)…", err=True)

    return show


def _report(result: Any, registry: Any, fmt: str, output_file: Optional[Path], color: Optional[bool], statistics: bool, stdin: Any) -> None:
    from corslint.reporters import RunInfo

    def page_text(code: str) -> Optional[str]:
        from corslint.catalogue import page_text as catalogue_page  # only the full format's help links read it

        return catalogue_page(code)

    def read_lines(path: str) -> Optional[list[str]]:
        if stdin is not None and path == stdin.filename:
            return stdin.data.decode("utf-8", "replace").splitlines()
        try:
            with open(path, "rb") as handle:
                return handle.read(5 * 1024 * 1024).decode("utf-8", "replace").splitlines()
        except OSError:
            return None

    use_color = color if color is not None else (output_file is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ)
    run = RunInfo(
        rules=result.enabled_rules,
        version=__version__,
        catalogue=page_text,
        read_lines=read_lines,
        color=use_color,
        statistics=statistics,
        files_scanned=result.files_scanned,
        policies_found=len(result.policies),
        base_uri=Path.cwd().resolve().as_uri() + "/",
    )
    text = registry.reporters[fmt](result.findings, run)
    if output_file is not None:
        output_file.write_text(text if text.endswith("\n") or not text else text + "\n", encoding="utf-8")
    elif text:
        click.echo(text)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "output_format", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--isolated", is_flag=True, help="Ignore all configuration files.")
def show(paths: tuple[Path, ...], output_format: str, config_file: Optional[Path], isolated: bool) -> None:
    """Print every CORS policy corslint found, as the model sees it."""
    from corslint.discovery import PathNotFound
    from corslint.engine import lint
    from corslint.show import layers_as_table, policies_as_json, policies_as_table

    target_paths = list(paths) or [Path(".")]
    config = _load_config(config_file, isolated, target_paths)
    registry = _registry()
    try:
        result = lint(target_paths, config, registry)
    except PathNotFound as exc:
        raise _fail(str(exc)) from None
    if output_format == "json":
        import json

        click.echo(json.dumps(policies_as_json(result.policies, result.layers), indent=2))
    else:
        click.echo(policies_as_table(result.policies))
        across = layers_as_table(result.layers)
        if across:
            click.echo("\n" + across)


_HTML_COMMENT = re.compile(r"<!--.*-->")  # the markers of the rule pages' generated sections


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--origin", default="", help="The page's origin, as the browser sends it: https://app.example.com")
@click.option("--explain-console", "console_text", default="", help="A console message (\"Access to fetch at '…' from origin '…' has been blocked by CORS policy: …\"): its URL, origin and reason give the request.")
@click.option("--method", default="GET", show_default=True, help="The request's method.")
@click.option("--header", "headers", multiple=True, help="A header the script sets: `Authorization` or `Content-Type: application/json` (repeatable).")
@click.option("--credentials", is_flag=True, help="The request is credentialed (cookies, fetch `credentials: 'include'`).")
@click.option("--private-network", is_flag=True, help="The page calls a private-network address (the Private Network Access preflight).")
@click.option("--path", "url_path", default="/", show_default=True, help="The request's URL path.")
@click.option("--host", default="", help="The request's host, to choose the nginx server by server_name.")
@click.option("--format", "output_format", type=click.Choice(["full", "json"]), default="full", show_default=True)
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--isolated", is_flag=True, help="Ignore all configuration files.")
def simulate(
    paths: tuple[Path, ...], origin: str, console_text: str, method: str, headers: tuple[str, ...], credentials: bool,
    private_network: bool, url_path: str, host: str, output_format: str, config_file: Optional[Path], isolated: bool,
) -> None:
    """What a browser would do with one request: the preflight, the response's CORS headers, each check, the verdict.

    Exit 0 allowed, 1 blocked, 2 usage error or when it depends on what corslint cannot see.
    """
    from corslint.discovery import PathNotFound
    from corslint.engine import lint
    from corslint.simulate.report import as_json, as_text
    from corslint.simulate.request import SimRequest, parse_header
    from corslint.simulate.run import simulate as run_simulation

    console = None
    if console_text:
        from corslint.simulate.console import parse_console

        console = parse_console(console_text)
        if console is None:
            raise _fail("--explain-console: not a CORS console message (expected \"Access to fetch at '…' from origin '…' has been blocked by CORS policy: …\")")
        origin = origin or console.origin
        url_path = console.path if url_path == "/" else url_path
        host = host or console.host
        method = console.method or method
        headers = headers or ((console.header,) if console.header else ())
        credentials = credentials or console.credentials
    if not origin:
        raise _fail("give --origin (or --explain-console with a pasted console message)")
    if not url_path.startswith("/"):
        raise _fail("--path must start with /")
    target_paths = list(paths) or [Path(".")]
    config = _load_config(config_file, isolated, target_paths)
    try:
        result = lint(target_paths, config, _registry())
    except PathNotFound as exc:
        raise _fail(str(exc)) from None
    request = SimRequest(origin.strip(), method.strip().upper() if method.strip().upper() in _STANDARD_METHODS else method.strip(),
                         tuple(parse_header(h) for h in headers), credentials, url_path, host.strip().lower(),
                         private_network or bool(console and console.private_network))
    outcomes = run_simulation(result.policies, result.layers, request)
    if output_format == "json":
        import json

        click.echo(json.dumps(as_json(request, outcomes), indent=2))
    else:
        click.echo(as_text(request, outcomes))
        if console is not None:
            click.echo("\n" + _console_match(console.reason, outcomes))
    verdicts = [o.allowed for o in outcomes]
    if not outcomes or False in verdicts:
        raise click.exceptions.Exit(EXIT_FINDINGS)
    if None in verdicts:
        raise click.exceptions.Exit(EXIT_USAGE)


def _console_match(reason: str, outcomes: list) -> str:
    """Whether corslint predicts the failure the pasted message reports."""
    if not outcomes:
        return "No scope in this tree sets CORS for this request: check the URL's path and host, and what is deployed there."
    predicted = [v.console for o in outcomes for v in (o.preflight_verdict, o.verdict) if v is not None and v.console]
    if any(text.endswith(reason) for text in predicted):
        return "The pasted message is the failure predicted above: change the line it names."
    if predicted:
        return "corslint predicts another failure than the pasted one: the deployed configuration may differ from this tree."
    return ("corslint predicts this request is not blocked by the configuration in this tree: the deployed configuration, "
            "or what it depends on, differs from it.")


# methods Fetch normalizes to upper case; any other method is sent (and compared) as written
_STANDARD_METHODS = frozenset({"DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"})


@main.command(name="rules")
@click.option("--format", "output_format", type=click.Choice(["table", "json"]), default="table", show_default=True)
def list_rules(output_format: str) -> None:
    """List every rule: code, name, default severity, sources, enabled by default."""
    registry = _registry()
    rows = [
        {
            "code": rule.code,
            "name": rule.name,
            "severity": rule.severity.value,
            "sources": sorted(rule.sources) if "*" not in rule.sources else ["all"],
            "default": rule.default_enabled,
            "summary": rule.summary,
        }
        for rule in registry.rules
    ]
    if output_format == "json":
        import json

        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        flag = "" if row["default"] else "  (off by default)"
        click.echo(f"{row['code']}  {row['name']:<32} {row['severity']:<8} {','.join(row['sources'])}{flag}")


@main.command()
@click.argument("rule")
def explain(rule: str) -> None:
    """Print the catalogue page of RULE (a code such as CORS101, or a name such as reflected-origin)."""
    from corslint.catalogue import page_text
    from corslint.selection import code_for

    registry = _registry()
    code = code_for(rule, registry.rules)
    if code is None:
        names = [r.code for r in registry.rules] + [r.name for r in registry.rules]
        import difflib

        close = difflib.get_close_matches(rule, names, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise _fail(f"unknown rule {rule!r}{hint}")
    text = page_text(code)
    if text is None:
        rule_cls = registry.rule(code)
        text = f"# {code} · {rule_cls.name}\n\n{rule_cls.summary}\n"  # type: ignore[union-attr]
    click.echo("\n".join(line for line in text.rstrip("\n").splitlines() if not _HTML_COMMENT.fullmatch(line.strip())))


def run() -> None:
    """Console-script entry point: never a traceback."""
    try:
        main(standalone_mode=True)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # last line of defence: report, exit 2
        click.echo(f"corslint: internal error: {type(exc).__name__}: {exc}", err=True)
        sys.exit(EXIT_USAGE)
