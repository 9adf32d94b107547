"""What a run imports and compiles before it lints: only the families whose files it meets, patterns on first use.

Start-up time itself is measured by bench/run.py, never here; these tests count modules and compiled patterns.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from corslint.lazy_regex import LazyPattern, lazy
from corslint.registry import BUILTIN_NAME_RULES, BUILTIN_SOURCES, LazySource, load, load_source

FILES = {
    "nginx.conf": "server { location / { add_header Access-Control-Allow-Origin https://a.example.com always; } }\n",
    ".htaccess": 'Header always set Access-Control-Allow-Origin "https://a.example.com"\n',
    "server.js": "const cors = require('cors');\nrequire('express')().use(cors({ origin: 'https://a.example.com' }));\n",
    "app.py": "from flask import Flask\nfrom flask_cors import CORS\nCORS(Flask(__name__), origins=['https://a.example.com'])\n",
}
FAMILY = {"nginx.conf": "nginx", ".htaccess": "apache", "server.js": "javascript", "app.py": "python"}

PROBE = """
import json, sys
sys.argv = ["corslint", "check", "--isolated", "--exit-zero", "--format", "json", sys.argv[1]]
from corslint.cli import main
try:
    main()
except SystemExit:
    pass
families = sorted({m.split(".")[2] for m in sys.modules if m.startswith("corslint.sources.") and m.count(".") >= 3
                   and not m.endswith(".names")})
print(json.dumps({"families": families, "tree_sitter": "tree_sitter" in sys.modules,
                  "importlib.resources": "importlib.resources" in sys.modules,
                  "layers": sorted(m for m in sys.modules if m.startswith(("corslint.layers", "corslint.checks._layers")))}),
      file=sys.stderr)
"""


@pytest.mark.parametrize("name", sorted(FILES))
def test_a_run_imports_only_the_family_of_its_file(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text(FILES[name])
    done = subprocess.run([sys.executable, "-c", PROBE, name], cwd=tmp_path, capture_output=True, text=True, check=True)
    seen = json.loads(done.stderr.strip().splitlines()[-1])
    assert seen["families"] == [FAMILY[name]]
    assert seen["tree_sitter"] is (name == "server.js")
    # the grammar's binding is loaded without the package's __init__ (importlib.resources, tempfile, shutil, ...)
    assert seen["importlib.resources"] is False
    # nothing to link across layers in a one-file run: the layers package and the cross-layer checks stay unloaded
    assert seen["layers"] == []


def test_lazy_sources_answer_as_the_sources_they_stand_for() -> None:
    registry = load(plugins=False)
    for name, spec in BUILTIN_SOURCES.items():
        stand_in = registry.source(name)
        assert isinstance(stand_in, LazySource)
        real = load_source(spec)
        assert stand_in.reads_head == real.reads_head, name
        for path in ("nginx.conf", "site/.htaccess", "conf.d/api.example.com", "src/app.ts", "x.d.ts", "app.py",
                     "requirements/base.txt", "pyproject.toml", "README.md", "default"):
            assert stand_in.may_claim(path) == real.may_claim(path), (name, path)
        assert stand_in.labels() == real.labels() and stand_in.probe_words == real.probe_words
    assert set(BUILTIN_NAME_RULES) == set(BUILTIN_SOURCES)


def test_a_lazy_source_loads_once_when_asked_more_than_its_name_rule() -> None:
    stand_in = LazySource("nginx", BUILTIN_SOURCES["nginx"], lambda path: path.endswith(".conf"), True)
    assert "not loaded" in repr(stand_in)
    assert stand_in.may_claim("a.conf") and "not loaded" in repr(stand_in)
    assert stand_in.claims("nginx.conf", b"server { listen 80; }\n")
    assert stand_in.loaded() is stand_in.loaded()
    with pytest.raises(AttributeError):
        stand_in.__wrapped__  # noqa: B018


def test_a_lazy_pattern_compiles_on_first_use_and_then_is_the_compiled_pattern() -> None:
    pattern = lazy(r"(?i)^https://([a-z.]+)$")
    assert isinstance(pattern, LazyPattern) and "search" not in vars(pattern)
    assert pattern.pattern == r"(?i)^https://([a-z.]+)$" and "search" not in vars(pattern)  # the source needs no compile
    assert pattern.fullmatch("https://A.example").group(1) == "A.example"
    compiled = re.compile(r"(?i)^https://([a-z.]+)$")
    assert pattern.compiled() is pattern.compiled()
    assert pattern.flags == compiled.flags and pattern.groups == 1
    assert pattern.sub("x", "https://b.example") == "x"
    assert pattern.search.__self__ is pattern.compiled()  # later calls go straight to the compiled pattern


def test_lazy_patterns_compile_only_what_a_run_uses(tmp_path: Path) -> None:
    """A JavaScript run compiles none of the nginx or Apache source's patterns."""
    (tmp_path / "server.js").write_text(FILES["server.js"])
    code = (
        "import sys\nsys.argv=['corslint','check','--isolated','--exit-zero','server.js']\n"
        "from corslint.cli import main\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
        "from corslint.lazy_regex import LazyPattern\nimport gc\n"
        "compiled = [p.pattern for p in gc.get_objects() if isinstance(p, LazyPattern) and 'search' in vars(p)]\n"
        "print(len([p for p in gc.get_objects() if isinstance(p, LazyPattern)]), len(compiled), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    made, compiled = map(int, done.stderr.split()[-2:])
    assert made > 0 and compiled < made / 2


def test_a_grammar_binding_not_where_expected_falls_back_to_the_package() -> None:
    from corslint.sources.javascript.syntax import _binding

    assert _binding("json").__name__ == "json"  # no `_binding` extension in it: the package itself is imported
    assert _binding("tree_sitter_javascript").__name__ == "tree_sitter_javascript._binding"
