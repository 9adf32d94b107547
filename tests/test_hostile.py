"""Hostile inputs end to end through the CLI: corslint survives them, reports what it cannot read, never leaves the tree."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from corslint.cli import main
from conftest import REPO

HOSTILE = REPO / "fixtures" / "hostile"


def concise(path: Path, *args: str) -> tuple[int, list[str]]:
    old = os.getcwd()
    os.chdir(path)
    try:
        result = CliRunner().invoke(main, ["--isolated", "--format", "concise", "--select", "ALL", *args, "."],
                                    catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.output.splitlines()


def test_committed_hostile_tree() -> None:
    code, lines = concise(HOSTILE)
    assert code == 1
    text = "\n".join(lines)
    assert "nginx.conf:1:1: CORS001 [error] cannot decode file: binary file (contains NUL bytes)" in text
    assert "latin1.conf:3:1: CORS001 [error] cannot decode file: invalid UTF-8 at line 3" in text
    assert "bom.conf:3:48: CORS102" in text          # the BOM does not shift columns
    assert "utf16.conf:3:48: CORS103" in text        # UTF-16 is decoded and linted
    assert "crlf.conf:3:48: CORS102 [error]" in text  # CRLF lines keep their numbers
    assert not any(line.startswith("empty.conf") for line in lines)
    assert "cycle/b.conf:1:9: CORS001 [error] include a.conf: include cycle" in text
    assert "outside.conf:2:13: CORS001 [error] include /etc/passwd: not found in the scanned tree" in text
    assert "root:" not in text


def test_huge_file_is_skipped_without_reading_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "nginx.conf"
    with open(big, "wb") as handle:
        handle.write(b"server { location / { add_header Access-Control-Allow-Origin * always; } }\n")
        handle.truncate(50 * 1024 * 1024)
    import corslint.discovery as discovery
    from corslint.sources.base import SourceFile

    read_sizes: list[int] = []
    real_head = discovery._read_head
    monkeypatch.setattr(discovery, "_read_head", lambda path: read_sizes.append(len(data := real_head(path))) or data)
    monkeypatch.setattr(SourceFile, "read", lambda self: pytest.fail(f"{self.path} was read whole"))
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = CliRunner().invoke(main, ["--isolated", "--format", "concise", "."], catch_exceptions=False)
    finally:
        os.chdir(old)
    assert result.exit_code == 0
    assert "skipped nginx.conf: 52428800 bytes, above the 5242880-byte limit (max-file-size); not read" in result.output
    assert read_sizes == [4096]


def test_deep_nesting_does_not_recurse(tmp_path: Path) -> None:
    depth = 10_000
    text = "server {\n" + "location /a {\n" * depth + "add_header Access-Control-Allow-Origin * always;\n" + "}\n" * depth + "}\n"
    (tmp_path / "nginx.conf").write_text(text)
    code, lines = concise(tmp_path)
    assert code in (0, 1)
    assert not any("internal error" in line for line in lines)


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_symlinks_never_leave_the_tree(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.conf").write_text("server { location / { add_header Access-Control-Allow-Origin $http_origin always; } }\n")
    tree = tmp_path / "tree"
    (tree / "conf.d").mkdir(parents=True)
    (tree / "conf.d" / "escape.conf").symlink_to(outside / "secret.conf")
    (tree / "linked-dir").symlink_to(outside, target_is_directory=True)
    (tree / "conf.d" / "loop.conf").symlink_to(tree / "conf.d" / "loop.conf")
    if hasattr(os, "mkfifo"):
        os.mkfifo(tree / "conf.d" / "fifo.conf")  # opening it would block: discovery must not
    result = subprocess.run([sys.executable, "-m", "corslint", "--isolated", "--format", "concise", "."],
                            cwd=tree, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "secret" not in result.stdout
    assert "conf.d/escape.conf: symlink to a file outside the scanned tree; not followed" in result.stderr
    assert "linked-dir: symlinked folder; not followed" in result.stderr
    assert "conf.d/loop.conf: broken or looping symlink; not followed" in result.stderr


def test_unreadable_file_is_a_parse_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "nginx.conf").write_text("server { }\n")
    import corslint.discovery as discovery

    def deny(path: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(discovery, "_read_head", deny)
    code, lines = concise(tmp_path)
    assert code == 1
    assert lines[0] == "nginx.conf:1:1: CORS001 [error] cannot read file: Permission denied"


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "corslint", "no/such/dir"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "no/such/dir: no such file or directory" in result.stderr
    assert "Traceback" not in result.stderr
