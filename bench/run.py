#!/usr/bin/env python3
"""Benchmark corslint against the parse floor on a realistic mixed repository.

    python bench/run.py                       # 10,000-file tree + 5,000-server nginx.conf + one small file
    python bench/run.py --files 1000 --big-nginx 500 --repeat 1
    python bench/run.py --tree path/to/repo   # measure an existing tree instead of a generated one

Trees are generated with ../shared/bench/gen_corpus.py (deterministic for a seed). Every
measurement runs in its own child process, so wall time, CPU time and peak memory (max RSS) are
those of that process alone. The parse floor is measured in the same run: plain reads of every
file, crossplane's lexer over the nginx files, `ast.parse` over the Python files and tree-sitter
over the JavaScript/TypeScript files (when installed).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional

HERE = Path(__file__).resolve().parent
GENERATOR = HERE.parent.parent / "shared" / "bench" / "gen_corpus.py"

FLOOR_SCRIPT = r"""
import ast, os, sys, time
root = sys.argv[1]
kind = sys.argv[2]
paths = []
for folder, dirs, files in os.walk(root):
    dirs[:] = [d for d in dirs if d not in (".git", "node_modules", "dist", "build")]
    paths.extend(os.path.join(folder, f) for f in files)
def is_nginx(p):
    n = os.path.basename(p)
    return n == "nginx.conf" or (n.endswith(".conf") and "nginx" in p)
if kind == "read":
    for p in paths:
        with open(p, "rb") as h:
            h.read()
elif kind == "nginx":
    from crossplane.lexer import _lex_file_object
    for p in paths:
        if is_nginx(p):
            with open(p, encoding="utf-8", errors="replace") as h:
                for _ in _lex_file_object(h):
                    pass
elif kind == "python":
    for p in paths:
        if p.endswith(".py"):
            with open(p, "rb") as h:
                try:
                    ast.parse(h.read())
                except SyntaxError:
                    pass
elif kind == "js":
    from tree_sitter import Language, Parser
    import tree_sitter_javascript, tree_sitter_typescript
    js = Parser(Language(tree_sitter_javascript.language()))
    ts = Parser(Language(tree_sitter_typescript.language_typescript()))
    for p in paths:
        if p.endswith((".js", ".mjs", ".cjs", ".jsx")):
            js.parse(open(p, "rb").read())
        elif p.endswith((".ts", ".mts", ".cts", ".tsx")):
            ts.parse(open(p, "rb").read())
"""


def measure(argv: list[str], cwd: Optional[Path] = None) -> dict[str, float]:
    """Run one child process; return its wall time, CPU time (user+sys) and peak RSS in MiB."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} failed with {proc.returncode}:\n{err}")
    return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime, "peak_mib": usage.ru_maxrss / 1024}


def best_of(repeat: int, argv: list[str], cwd: Optional[Path] = None) -> dict[str, float]:
    runs = [measure(argv, cwd) for _ in range(repeat)]
    return min(runs, key=lambda r: r["wall_s"])


def corslint_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "corslint", "check", "--isolated", "--exit-zero", "--format", "concise", *args]


def generate(out: Path, *, files: int = 0, big_nginx: int = 0, seed: int = 1) -> None:
    if not GENERATOR.exists():
        raise SystemExit(f"{GENERATOR} not found: pass --tree to measure an existing tree")
    args = ["--big-nginx", str(big_nginx)] if big_nginx else ["--files", str(files)]
    subprocess.run([sys.executable, str(GENERATOR), *args, "--out", str(out), "--seed", str(seed)],
                   check=True, stdout=subprocess.DEVNULL)


def has_tree_sitter() -> bool:
    probe = "import tree_sitter, tree_sitter_javascript, tree_sitter_typescript"
    return subprocess.run([sys.executable, "-c", probe], capture_output=True).returncode == 0


def floor(tree: Path, repeat: int) -> dict[str, dict[str, float]]:
    kinds = ["read", "nginx", "python"] + (["js"] if has_tree_sitter() else [])
    return {kind: best_of(repeat, [sys.executable, "-c", FLOOR_SCRIPT, str(tree), kind]) for kind in kinds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=10000, help="size of the generated mixed tree")
    parser.add_argument("--big-nginx", type=int, default=5000, help="server blocks in the single big nginx.conf")
    parser.add_argument("--tree", type=Path, help="measure this tree instead of generating one")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the fastest is reported")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    opts = parser.parse_args()

    results: dict[str, object] = {"python": sys.version.split()[0], "cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="corslint-bench-") as scratch:
        work = Path(scratch)
        small = work / "small" / "nginx.conf"
        small.parent.mkdir()
        small.write_text(
            "server {\n    location /api/ {\n"
            "        add_header Access-Control-Allow-Origin $http_origin always;\n"
            "        add_header Access-Control-Allow-Credentials true always;\n    }\n}\n"
        )
        results["small_file"] = best_of(opts.repeat, corslint_argv(str(small)))

        tree = opts.tree
        if tree is None:
            tree = work / "tree"
            generate(tree, files=opts.files, seed=opts.seed)
        results["tree"] = {"path": str(tree), "corslint": best_of(opts.repeat, corslint_argv("."), cwd=tree),
                           "floor": floor(tree, opts.repeat)}

        if opts.big_nginx:
            big = work / "big"
            generate(big, big_nginx=opts.big_nginx, seed=opts.seed)
            conf = next(big.rglob("nginx.conf"))
            lex = [sys.executable, "-c", FLOOR_SCRIPT, str(conf.parent), "nginx"]
            results["big_nginx"] = {
                "servers": opts.big_nginx,
                "bytes": conf.stat().st_size,
                "corslint": best_of(opts.repeat, corslint_argv(str(conf))),
                "crossplane_lex": best_of(opts.repeat, lex),
            }
    report(results)
    if opts.json:
        opts.json.write_text(json.dumps(results, indent=2) + "\n")


def report(results: dict) -> None:
    def row(label: str, m: dict[str, float], note: str = "") -> None:
        print(f"{label:<34} {m['wall_s']:8.3f} s wall {m['cpu_s']:8.3f} s cpu {m['peak_mib']:8.1f} MiB  {note}")

    print(f"Python {results['python']} on {results['cpus']} CPUs")
    row("one small file (pre-commit)", results["small_file"], "target <= 0.10 s")
    tree = results["tree"]
    total_floor = sum(m["wall_s"] for m in tree["floor"].values())
    row("mixed tree: corslint", tree["corslint"], f"target <= 1.0 s, <= 100 MiB; {tree['corslint']['wall_s'] / total_floor:.2f}x the parse floor")
    for kind, m in tree["floor"].items():
        row(f"  floor: {kind}", m)
    if "big_nginx" in results:
        big = results["big_nginx"]
        ratio = big["corslint"]["wall_s"] / big["crossplane_lex"]["wall_s"]
        row(f"{big['servers']}-server nginx.conf: corslint", big["corslint"], f"{ratio:.2f}x crossplane (target <= 2x)")
        row("  floor: crossplane lexer", big["crossplane_lex"])


if __name__ == "__main__":
    main()
