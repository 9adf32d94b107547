"""The nginx lexer gives crossplane's tokens (text, line, quoted) with their offsets, on every nginx file we have."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO, SHARED
from corslint.sources.nginx.tree import crossplane_tokens, lex, parse_text

CORPUS = SHARED / "corpus" / "real" / "nginx"
NGINX_SUFFIXES = (".conf", ".nginx", ".template", ".tpl")


def _nginx_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and (p.name.endswith(NGINX_SUFFIXES) or "nginx" in p.parts))


def _text(path: Path) -> str:
    text = path.read_bytes().decode("utf-8", "replace")
    return text if text.endswith("\n") else text + "\n"


FIXTURES = _nginx_files(REPO / "fixtures")


def test_the_fixture_set_is_not_empty() -> None:
    assert len(FIXTURES) >= 20


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_same_tokens_and_offsets_as_crossplane_on_fixtures(path: Path) -> None:
    text = _text(path)
    assert list(lex(text)) == list(crossplane_tokens(text))


@pytest.mark.skipif(not CORPUS.is_dir(), reason="needs ../shared/corpus/real/nginx")
def test_same_tokens_and_offsets_as_crossplane_on_the_real_corpus() -> None:
    files = _nginx_files(CORPUS)
    assert files
    different = [p.name for p in files if list(lex(_text(p))) != list(crossplane_tokens(_text(p)))]
    assert different == []


def test_tricky_tokens() -> None:
    text = (
        'location ~* \\.(js|css)$ { add_header X "a \\" b" always; }  # tail\n'
        "set $x ${host}/a;\n"
        "a\"b\"c 'it''s' \\\nnext;\n"
        '#c\\\\\n"unclosed\n'
    )
    tokens = list(lex(text))
    assert tokens == list(crossplane_tokens(text))
    assert tokens[:4] == [("location", 1, False, 0, 8), ("~*", 1, False, 9, 11), ("\\.(js|css)$", 1, False, 12, 23), ("{", 1, False, 24, 25)]
    assert tokens[6:11] == [('a " b', 1, True, 39, 47), ("always", 1, False, 48, 54), (";", 1, False, 54, 55),
                            ("}", 1, False, 56, 57), ("# tail", 1, False, 59, 65)]
    assert tokens[13] == ("${host}/a", 2, False, 73, 82)
    assert tokens[15:] == [('a"b"c', 3, False, 84, 89), ("it", 3, True, 90, 94), ("s", 3, True, 94, 97),
                           ("\\\nnext", 4, False, 98, 104), (";", 4, False, 104, 105), ("#c\\\\", 5, False, 106, 110)]


def test_lua_blocks_go_through_crossplane() -> None:
    text = "location / {\n    content_by_lua_block {\n        ngx.say('{')\n    }\n}\n"
    assert [t[:3] for t in lex(text)] == [
        ("location", 1, False), ("/", 1, False), ("{", 1, False), ("content_by_lua_block", 2, False),
        ("\n        ngx.say('{')\n    ", 4, True), (";", 4, False), ("}", 5, False),
    ]


_PIECES = ["a", "b", "$", "${", "{", "}", ";", "#", '"', "'", "\\", "\\\n", '\\"', "\n", " ", "\t", "\r", "\u00a0", "x y", "é"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=60))
def test_same_tokens_as_crossplane_on_any_text(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert [t[:3] for t in lex(text)] == [t[:3] for t in crossplane_tokens(text)]


def test_parse_text_builds_the_same_tree_from_either_lexer(monkeypatch: pytest.MonkeyPatch) -> None:
    import corslint.sources.nginx.tree as tree

    def shape(text: str) -> list:
        parsed = parse_text("nginx.conf", text)
        nodes, out = list(parsed.nodes), []
        while nodes:
            node = nodes.pop()
            out.append((node.name, node.args, node.pos, node.start, node.end, node.end_line))
            nodes.extend(node.children or [])
        comments = [(c.line, c.column, c.text, c.covers) for c in parsed.comments]
        return [out, comments, [(p.location.line, p.message) for p in parsed.problems]]

    texts = [_text(p) for p in FIXTURES]
    fast = [shape(t) for t in texts]
    monkeypatch.setattr(tree, "lex", crossplane_tokens)
    assert [shape(t) for t in texts] == fast
