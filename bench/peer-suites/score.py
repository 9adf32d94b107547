"""Score corslint on the peers' own CORS test suites (Semgrep rules, CodeQL query tests, gixy-ng fixtures).

    python bench/peer-suites/score.py --semgrep S --codeql C --gixy G [--corslint corslint] [--json out.json]

S is a checkout or snapshot of semgrep/semgrep-rules, C a folder holding github/codeql's test folders at their
repository paths, G an unpacked gixy-ng sdist (see README.md here for how to gather each; nothing is committed).
Each in-scope case is linted as a user would lint it (the file alone, in a temporary folder), and scored:

- Semgrep: a `ruleid:`/`todoruleid:` comment marks the next statement as a positive, `ok:`/`todook:` as a
  negative, unannotated code is an implicit negative. A positive is hit by a finding of the expected kind within
  the statement (±2 lines); such a finding anywhere else is a false alarm.
- CodeQL: the `#select` rows of the `.expected` file are the positives (file and line); findings of the
  expected kind elsewhere in the test files are false alarms.
- gixy-ng: every `*.conf` of an in-scope plugin folder is one case: `*_fp.conf` must give no finding of the
  expected kind, any other at least one (`# Options: {"domains": [...]}` becomes `trusted-origins`).

Deliberate disagreements are listed in DISAGREE with the reason; they are reported apart, not hidden.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

# origins trusted too widely (CORS101–106, 109–111); an origin that can never match (CORS108) and a development
# origin (CORS107) are other kinds of finding
ORIGIN_KINDS = frozenset(f"CORS{n}" for n in (101, 102, 103, 104, 105, 106, 109, 110, 111))
SEMGREP = {  # test file -> the corslint codes that answer the rule
    "javascript/express/security/cors-misconfiguration.js": ORIGIN_KINDS,
    "typescript/nestjs/security/audit/nestjs-header-cors-any.ts": ORIGIN_KINDS,
    "python/fastapi/security/wildcard-cors.py": ORIGIN_KINDS,
    "python/flask/security/audit/flask-cors-misconfiguration.py": ORIGIN_KINDS,
}
SEMGREP_OUT_OF_SCOPE = {
    "generic/nginx/security/header-redefinition.conf": "about Cache-Control/Pragma/X-Frame-Options, no CORS header",
    "typescript/lang/security/audit/cors-regex-wildcard.tsx": "flags regexes by the variable's name (`corsDomains`); none reaches a CORS library or header",
    "java/lang/security/audit/permissive-cors.java": "Java: no corslint source yet",
    "php/lang/security/php-permissive-cors.php": "PHP: no corslint source yet",
    "php/symfony/security/audit/symfony-permissive-cors.php": "PHP: no corslint source yet",
    "terraform/lang/security/s3-cors-all-origins.tf": "Terraform: no corslint source yet",
    "terraform/azure/security/appservice/azure-appservice-disallowed-cors.tf": "Terraform: no corslint source yet",
    "terraform/azure/security/azure-functionapp-disallow-cors.tf": "Terraform: no corslint source yet",
}
CODEQL = {  # test folder -> expected kinds
    "javascript/ql/test/query-tests/Security/CWE-346": ORIGIN_KINDS,
    "javascript/ql/test/query-tests/Security/CWE-942": ORIGIN_KINDS,
    "python/ql/test/experimental/query-tests/Security/CWE-346": ORIGIN_KINDS,
}
# gixy's `origins` also reports origin regexes that can never match (a path after the host)
GIXY = {"origins": ORIGIN_KINDS | {"CORS108", "CORS901"}}
# fixtures the real nginx refuses (`nginx -t`): the right answer is CORS001 with nginx's message, and nothing else
REFUSED_BY_NGINX = {
    "origins/map_origin_allowlist_fp.conf": "an unquoted `{1,5}` inside a map regex: nginx -t says `unexpected \"{\"`",
}
# gixy-ng fixtures corslint answers differently on purpose: name -> reason (with the evidence)
DISAGREE = {
    "origins/safe_origin.conf": (
        "`https://google\\.com$` is unanchored only before the scheme, and no browser origin has anything before its "
        "scheme (a host cannot hold `:` or `/`), so no origin a browser sends passes except https://google.com"
    ),
    "origins/more_origins_2.conf": "the same pattern as safe_origin.conf",
    "origins/more_origins_10.conf": (
        "`^([^!]+)?https://webvisor\\.com$`: whatever precedes `https://` would have to end in a host or port, "
        "which cannot contain `://`; no browser origin but https://webvisor.com passes"
    ),
    "origins/unsafe_origin_1.conf": "the same pattern as more_origins_10.conf",
    "javascript/ql/test/query-tests/Security/CWE-346/tst.js:29": (
        "OK for CodeQL's credentials query only; its own permissive-CORS query (CWE-942/tst.js) calls the same code BAD: "
        "any page picks the origin it is answered with, so corslint reports it (CORS102, a warning without credentials)"
    ),
    "javascript/ql/test/query-tests/Security/CWE-346/tst.js:33": (
        "`null` trusted without credentials: OK for the credentials query; any site can send `Origin: null` from a "
        "sandboxed iframe and read the anonymous response, what `*` allows, so corslint warns (CORS104, warning)"
    ),
    "javascript/ql/test/query-tests/Security/CWE-346/tst.js:37": "the same as tst.js:33",
    "javascript/ql/test/query-tests/Security/CWE-942/express-test.js:38": (
        "`origin: '*'` without credentials is GOOD for CodeQL; corslint warns at medium confidence (CORS103) that `*` "
        "on an application's responses lets every site read them, which suits only public data"
    ),
    "javascript/ql/test/query-tests/Security/CWE-942/tst.js:25": (
        "`cors: { origin: null }` is BAD for CodeQL, but npm `cors` (2.8.6, run on Node 20) sends no CORS header at all "
        "for a falsy origin: it fails closed, so nothing is permissive"
    ),
    "javascript/ql/test/query-tests/Security/CWE-942/apollo-test.js:20": "the same `cors: { origin: null }` as tst.js:25",
    "javascript/ql/test/query-tests/Security/CWE-346/apollo-test.js:20": "the same `cors: { origin: null }` as CWE-942/tst.js:25",
    "python/ql/test/experimental/query-tests/Security/CWE-346/Cors.py:8": (
        "`origin.startswith('domain.com')` is a bypass for CodeQL; no browser Origin starts with a host (the scheme "
        "comes first), so the test never passes: corslint reports the check as broken (CORS108), not as bypassable"
    ),
    "origins/origin_fp.conf": (
        "`^https?:\\/\\/l.o\\.yandex\\.ru$` lets plain-HTTP origins through: gixy checks the scheme only with its "
        "`https_only` option, corslint always (CORS105: anyone on the network path of the http site can act as it)"
    ),
}
_STATEMENT_LIMIT = 60


@dataclass
class Score:
    suite: str
    positives: int = 0
    hits: int = 0
    negatives: int = 0
    false_alarms: int = 0
    missed: list[str] = field(default_factory=list)
    alarms: list[str] = field(default_factory=list)
    disagreements: list[str] = field(default_factory=list)


def lint(corslint: str, files: dict[str, str], config: str = "") -> list[dict]:
    """Findings of one run over `files` (name -> text), as JSON, with every rule selected."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for name, text in files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text, encoding="utf-8")
        (root / "corslint.toml").write_text(config or "select = [\"ALL\"]\n", encoding="utf-8")
        done = subprocess.run([corslint, "check", "--format", "json", "--exit-zero", "--quiet", "."], cwd=root,
                              capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise SystemExit(f"corslint failed on {sorted(files)}: {done.stderr}")
        return json.loads(done.stdout)["findings"]


def lines_of(finding: dict) -> set[int]:
    """The finding's own line and the lines of its related places in the same file (where a value is used)."""
    own = {finding["line"]}
    own.update(r["line"] for r in finding.get("related", ()) if r.get("path") == finding["path"])
    return own


def within(finding: dict, span: tuple[int, int], slack: int = 2) -> bool:
    """Whether the finding (or a related place of it in the same file) lies in the statement, ±`slack` lines."""
    return any(span[0] - slack <= line <= span[1] + slack for line in lines_of(finding))


def statement_end(lines: list[str], start: int) -> int:
    """The last line (1-based) of the statement starting at `start`: brackets balanced, bounded."""
    depth, index = 0, start - 1
    while index < len(lines) and index < start - 1 + _STATEMENT_LIMIT:
        code = re.sub(r"(['\"`]).*?\1", "", lines[index].split("//")[0].split(" #")[0])
        depth += sum(code.count(c) for c in "([{") - sum(code.count(c) for c in ")]}")
        decorator = code.strip().startswith("@")  # a decorator belongs to the declaration after it
        if depth <= 0 and code.strip() and not decorator:
            return index + 1
        index += 1
    return index


def semgrep_annotations(text: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(positive statements, negative statements) as (first line, last line)."""
    lines = text.splitlines()
    positives, negatives = [], []
    for number, line in enumerate(lines, 1):
        found = re.search(r"(?:#|//)\s*(todoruleid|ruleid|todook|ok)\s*:", line)
        if not found:
            continue
        start = number + 1
        while start <= len(lines) and (not lines[start - 1].strip() or re.match(r"\s*(#|//)", lines[start - 1])):
            start += 1
        span = (start, statement_end(lines, start))
        (positives if found.group(1) in ("ruleid", "todoruleid") else negatives).append(span)
    return positives, negatives


def score_semgrep(root: Path, corslint: str) -> Score:
    score = Score("Semgrep")
    for name, kinds in SEMGREP.items():
        path = root / name
        if not path.exists():
            score.disagreements.append(f"{name}: not in this snapshot")
            continue
        text = path.read_text(encoding="utf-8")
        positives, negatives = semgrep_annotations(text)
        findings = [f for f in lint(corslint, {path.name: text}) if f["rule"] in kinds]
        covered: set[int] = set()
        for first, last in positives:
            near = [f for f in findings if within(f, (first, last))]
            score.positives += 1
            covered.update(id(f) for f in near)
            if near:
                score.hits += 1
            else:
                score.missed.append(f"{name}:{first}")
        score.negatives += len(negatives)
        for finding in findings:
            if id(finding) not in covered:
                score.false_alarms += 1
                score.alarms.append(f"{name}:{finding['line']} {finding['rule']}")
    for name, reason in SEMGREP_OUT_OF_SCOPE.items():
        score.disagreements.append(f"{name}: out of scope ({reason})")
    return score


def expected_alerts(expected: str) -> set[tuple[str, int]]:
    """(file, line) of each row of the `#select` section of a CodeQL `.expected` file."""
    alerts: set[tuple[str, int]] = set()
    section = "#select"
    for line in expected.splitlines():
        if line.startswith(("edges", "nodes", "subpaths", "#select", "testFailures")):
            section = line.strip()
            continue
        if section != "#select":
            continue
        found = re.search(r"\|\s*([\w./-]+\.(?:js|ts|py)):(\d+):", line)
        if found:
            alerts.add((Path(found.group(1)).name, int(found.group(2))))
    return alerts


_PROSE = re.compile(r"(?://|#)\s*(?:\$\s*)?(NOT OK|BAD|Alert|MISSING: Alert|OK|GOOD)\b")


def prose_annotations(text: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """CodeQL's prose marks: a trailing `// NOT OK`, `// BAD`, `// $ Alert` marks its line; an own-line
    `// BAD: …` or `// GOOD: …` marks the statements under it, up to the next blank or comment line."""
    lines = text.splitlines()
    positives, negatives = [], []
    for number, line in enumerate(lines, 1):
        found = _PROSE.search(line)
        if not found:
            continue
        positive = found.group(1) in ("NOT OK", "BAD", "Alert", "MISSING: Alert")
        code = line[: found.start()].strip()
        if code:
            span = (number, number)
        else:
            last = number
            while last < len(lines) and lines[last].strip() and not re.match(r"\s*(//|#)", lines[last]):
                last += 1
            if last == number:
                continue
            span = (number + 1, last)
        (positives if positive else negatives).append(span)
    return positives, negatives


def score_codeql(root: Path, corslint: str) -> Score:
    score = Score("CodeQL")
    for folder, kinds in CODEQL.items():
        base = root / folder
        if not base.exists():
            score.disagreements.append(f"{folder}: not gathered")
            continue
        sources = {p.relative_to(base).as_posix(): p.read_text(encoding="utf-8") for p in sorted(base.rglob("*"))
                   if p.suffix in (".js", ".ts", ".py") and p.is_file()}
        positives: dict[str, list[tuple[int, int]]] = {name: [] for name in sources}
        negatives: dict[str, list[tuple[int, int]]] = {name: [] for name in sources}
        for expected in base.rglob("*.expected"):
            for file, line in expected_alerts(expected.read_text(encoding="utf-8")):
                for name in sources:
                    if Path(name).name == file:
                        positives[name].append((line, line))
        for name, text in sources.items():
            marked_yes, marked_no = prose_annotations(text)
            positives[name].extend(marked_yes)
            negatives[name].extend(span for span in marked_no if not any(_overlap(span, p) for p in positives[name]))
        findings = [f for f in lint(corslint, sources) if f["rule"] in kinds]
        for name in sources:
            mine = [f for f in findings if f["path"] == name]
            spans = _merged(positives[name])
            for first, last in spans:
                key = f"{folder}/{name}:{first}"
                hit = any(within(f, (first, last)) for f in mine)
                if not hit and key in DISAGREE:
                    score.disagreements.append(f"{key}: {DISAGREE[key]}")
                    continue
                score.positives += 1
                if hit:
                    score.hits += 1
                else:
                    score.missed.append(key)
            for first, last in negatives[name]:
                score.negatives += 1
                wrong = [f for f in mine if within(f, (first, last), slack=0) and not any(within(f, span) for span in spans)]
                key = f"{folder}/{name}:{first}"
                if key in DISAGREE:
                    score.disagreements.append(f"{key}: {DISAGREE[key]}")
                    score.negatives -= 1
                elif wrong:
                    score.false_alarms += 1
                    score.alarms.append(f"{key} {', '.join(sorted({f['rule'] for f in wrong}))}")
    return score


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Positive spans with overlapping ones (an alert row inside a `// BAD` block) counted once."""
    merged: list[tuple[int, int]] = []
    for span in sorted(set(spans)):
        if merged and span[0] <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], span[1]))
        else:
            merged.append(span)
    return merged


def gixy_config(text: str) -> str:
    """`# Options: {"domains": [...]}` as corslint's trusted-origins allowlist (CORS901), else the default."""
    found = re.search(r"^#\s*Options:\s*(\{.*\})\s*$", text, re.MULTILINE)
    domains = json.loads(found.group(1)).get("domains", []) if found else []
    if not domains:
        return ""
    trusted = [f"https://{d}" for d in domains] + [f"https://*.{d}" for d in domains]
    return f"select = [\"ALL\"]\ntrusted-origins = {json.dumps(trusted)}\n"


def score_gixy(root: Path, corslint: str) -> Score:
    score = Score("gixy-ng")
    plugins = root / "tests" / "plugins" / "simply"
    for plugin, kinds in GIXY.items():
        for path in sorted((plugins / plugin).glob("*.conf")):
            text = path.read_text(encoding="utf-8")
            if "$http_origin" not in text:
                continue  # Referer-only fixtures are out of scope
            name = f"{plugin}/{path.name}"
            every = lint(corslint, {"nginx.conf": text}, gixy_config(text))
            if name in REFUSED_BY_NGINX:
                score.positives += 1
                codes = sorted({f["rule"] for f in every})
                if codes == ["CORS001"]:
                    score.hits += 1
                else:
                    score.missed.append(f"{name}: expected CORS001 alone, got {codes}")
                score.disagreements.append(f"{name}: nginx refuses it ({REFUSED_BY_NGINX[name]}), so CORS001, not gixy's verdict")
                continue
            found = [f for f in every if f["rule"] in kinds]
            expected = re.search(r'#\s*Expected:\s*\{"issues":\s*(\d+)\}', text)
            positive = not path.stem.endswith("_fp") and not (expected and expected.group(1) == "0")
            if name in DISAGREE:
                verdict = "agrees" if bool(found) == positive else "differs"
                score.disagreements.append(f"{name}: {verdict} with gixy on purpose — {DISAGREE[name]}")
                continue
            if positive:
                score.positives += 1
                if found:
                    score.hits += 1
                else:
                    score.missed.append(name)
            else:
                score.negatives += 1
                if found:
                    score.false_alarms += 1
                    score.alarms.append(f"{name}: {', '.join(sorted({f['rule'] for f in found}))}")
    return score


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--semgrep", type=Path)
    parser.add_argument("--codeql", type=Path)
    parser.add_argument("--gixy", type=Path)
    parser.add_argument("--corslint", default=shutil.which("corslint") or "corslint")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    scores = []
    if args.semgrep:
        scores.append(score_semgrep(args.semgrep, args.corslint))
    if args.codeql:
        scores.append(score_codeql(args.codeql, args.corslint))
    if args.gixy:
        scores.append(score_gixy(args.gixy, args.corslint))
    print(f"{'suite':10} {'hits':>9} {'false alarms':>14}")
    for s in scores:
        print(f"{s.suite:10} {s.hits:>4}/{s.positives:<4} {s.false_alarms:>6}/{s.negatives:<6}")
    total = [sum(getattr(s, a) for s in scores) for a in ("hits", "positives", "false_alarms", "negatives")]
    print(f"{'all':10} {total[0]:>4}/{total[1]:<4} {total[2]:>6}/{total[3]:<6}")
    for s in scores:
        for item in s.missed:
            print(f"MISS   {s.suite}: {item}")
        for item in s.alarms:
            print(f"ALARM  {s.suite}: {item}")
        for item in s.disagreements:
            print(f"NOTE   {s.suite}: {item}")
    if args.json:
        args.json.write_text(json.dumps([s.__dict__ for s in scores], indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
