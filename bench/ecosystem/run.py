#!/usr/bin/env python3
"""Ecosystem check: lint real repositories as a user would, apply the judged verdicts, list what is new.

    python bench/ecosystem/run.py --repos /tmp/ecorepos               # corslint on PATH
    python bench/ecosystem/run.py --corslint /path/to/venv/bin/corslint --json figures.json

Each repository of repos.tsv (`owner/name<TAB>commit<TAB>kinds<TAB>why`) is expected as a checkout in
`--repos`, in a folder named `owner__name` (see README.md for how to recreate them at the listed commits).
corslint runs inside each checkout as `corslint check --isolated --format json --exit-zero --jobs 1 .`
(`--isolated`: these projects have no corslint configuration, and a stray one must not change the figures).
Every finding is matched to verdicts.tsv by (repo, path, line, rule, severity); the report gives, per severity, how
many findings are TRUE, FALSE or NOISE, the precision at warning and error, NOISE per repository, the findings nobody
has judged yet (new ones, to judge next) and the verdicts this version no longer produces (gone: kept, because an
earlier version still produces them and is scored with the same file).
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
TIMEOUT_S = 300
VERDICTS = ("TRUE", "FALSE", "NOISE")
Key = tuple[str, str, int, str, str]


def read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def lint(corslint: str, checkout: Path) -> list[dict[str, Any]]:
    argv = [corslint, "check", "--isolated", "--format", "json", "--exit-zero", "--jobs", "1", "."]
    done = subprocess.run(argv, cwd=checkout, capture_output=True, text=True, timeout=TIMEOUT_S)
    if done.returncode != 0:
        raise SystemExit(f"corslint failed on {checkout} ({done.returncode}):\n{done.stderr}")
    return json.loads(done.stdout)["findings"]


def key_of(repo: str, finding: dict[str, Any]) -> Key:
    return repo, finding["path"], int(finding["line"] or 0), finding["rule"], finding["severity"]


def judge(repos: list[dict[str, str]], verdicts: dict[Key, dict[str, str]], folder: Path, corslint: str) -> dict[str, Any]:
    counts: Counter[tuple[str, str]] = Counter()
    per_repo: Counter[str] = Counter()
    noise_per_repo: Counter[str] = Counter()
    unjudged: list[tuple[Key, dict[str, Any]]] = []
    seen: set[Key] = set()
    linted = 0
    checked: set[str] = set()
    for row in repos:
        repo = row["repo"]
        checkout = folder / repo.replace("/", "__")
        if not checkout.is_dir():
            print(f"skipped {repo}: no checkout at {checkout}", file=sys.stderr)
            continue
        linted += 1
        checked.add(repo)
        for finding in lint(corslint, checkout):
            key = key_of(repo, finding)
            seen.add(key)
            per_repo[repo] += 1
            verdict = verdicts.get(key)
            if verdict is None:
                unjudged.append((key, finding))
                counts[(finding["severity"], "UNJUDGED")] += 1
                continue
            counts[(finding["severity"], verdict["verdict"])] += 1
            if verdict["verdict"] == "NOISE":
                noise_per_repo[repo] += 1
    gone = sorted(key for key in verdicts if key not in seen and key[0] in checked)
    return {"linted": linted, "counts": counts, "per_repo": per_repo, "noise": noise_per_repo,
            "unjudged": unjudged, "gone": gone}


def figures(result: dict[str, Any]) -> dict[str, Any]:
    counts = result["counts"]
    table = {sev: {v: counts[(sev, v)] for v in (*VERDICTS, "UNJUDGED")} for sev in ("error", "warning", "info")}
    loud_true = sum(counts[(s, "TRUE")] for s in ("error", "warning"))
    loud_judged = sum(counts[(s, v)] for s in ("error", "warning") for v in VERDICTS)
    linted = max(result["linted"], 1)
    return {
        "repositories": result["linted"],
        "findings": sum(counts.values()),
        "by_severity": table,
        "precision_warning_error": round(loud_true / loud_judged, 3) if loud_judged else None,
        "noise_per_repo": round(sum(result["noise"].values()) / linted, 2),
        "unjudged": len(result["unjudged"]),
        "gone": len(result["gone"]),
    }


def report(result: dict[str, Any], numbers: dict[str, Any]) -> None:
    print(f"{numbers['repositories']} repositories, {numbers['findings']} findings")
    print(f"{'severity':<9} {'TRUE':>5} {'FALSE':>6} {'NOISE':>6} {'new':>5}")
    for severity, row in numbers["by_severity"].items():
        print(f"{severity:<9} {row['TRUE']:>5} {row['FALSE']:>6} {row['NOISE']:>6} {row['UNJUDGED']:>5}")
    precision = numbers["precision_warning_error"]
    print(f"precision at warning+error: {precision:.0%}" if precision is not None else "precision: nothing judged")
    print(f"NOISE per repository: {numbers['noise_per_repo']}")
    for repo, count in sorted(result["per_repo"].items()):
        print(f"  {repo}: {count}")
    for key, finding in result["unjudged"]:
        print(f"NEW {key[0]}\t{key[1]}\t{key[2]}\t{key[3]}\t{finding['severity']}\t{finding['message'][:200]}")
    for key in result["gone"]:
        print(f"GONE {key[0]}\t{key[1]}\t{key[2]}\t{key[3]}\t{key[4]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repos", type=Path, default=Path("/tmp/ecorepos"), help="folder of owner__name checkouts")
    parser.add_argument("--corslint", default="corslint", help="the corslint executable to measure")
    parser.add_argument("--verdicts", type=Path, default=HERE / "verdicts.tsv")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    opts = parser.parse_args()
    repos = read_tsv(HERE / "repos.tsv")
    verdicts = {(v["repo"], v["path"], int(v["line"]), v["rule"], v["severity"]): v for v in read_tsv(opts.verdicts)}
    result = judge(repos, verdicts, opts.repos, opts.corslint)
    numbers = figures(result)
    report(result, numbers)
    if opts.json:
        opts.json.write_text(json.dumps(numbers, indent=2) + "\n")


if __name__ == "__main__":
    main()
