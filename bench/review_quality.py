"""How far the reviewer agrees with a careful reader on the real post-mortems.

Usage: python bench/review_quality.py [--corpus DIR] [--tolerance 3] [--wrong] [--missed]
                                      [--documents] [--acronyms]

Reviews the 37 real post-mortems in shared/corpus/postmortems (not the
templates) with the default configuration and compares the findings with the
judgments written down before the rules were tuned (bench/review_eval/):

* per-rule precision: a finding is right when a judgment has the same file and
  category and either covers the whole document (line 0) or lies within
  `--tolerance` lines of the finding (a judgment may span lines, `12-18`);
* per-category recall: a judgment is caught when some finding is right by it;
* findings per document, documents not reviewed (their one finding is counted
  as wrong: all of them are post-mortems), and Spearman's rho between
  the score and the quality ranking (a document that is not reviewed counts
  as the lowest score).

`--wrong` lists the findings no judgment supports, `--missed` the judgments no
finding catches, `--documents` one line per document.

`--acronyms` measures `undefined-acronym` alone over each document's whole text
(as for `--audience public`) against `review_eval/acronyms.tsv`: precision is the
share of reported abbreviations judged worth spelling out, recall the share of
those that are reported.
"""

from __future__ import annotations

import argparse
import csv
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from hindsight.core.parser import parse
from hindsight.core.review import CATEGORIES, REGISTRY, Finding, Registry, review

HERE = Path(__file__).resolve().parent
EVAL = HERE / "review_eval"
CORPUS = HERE.parent.parent / "shared" / "corpus" / "postmortems"


@dataclass(frozen=True)
class Judgment:
    file: str
    first: int  # 0: the whole document
    last: int
    category: str
    text: str

    def supports(self, finding: Finding, tolerance: int) -> bool:
        if finding.category != self.category:
            return False
        if self.first == 0:
            return True
        return self.first - tolerance <= finding.line <= self.last + tolerance


def load_judgments(path: Path) -> list[Judgment]:
    judgments = []
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            first, _, last = row["line"].partition("-")
            category = row["category"]
            if category not in CATEGORIES:
                raise SystemExit(f"{path}: unknown category {category!r} for {row['file']}")
            judgments.append(
                Judgment(row["file"], int(first), int(last or first), category, row["judgment"])
            )
    return judgments


def load_ranking(path: Path) -> dict[str, int]:
    with path.open(encoding="utf-8") as handle:
        return {row["file"]: int(row["rank"]) for row in csv.DictReader(handle, delimiter="\t")}


def ranks(values: list[float]) -> list[float]:
    """1-based ranks, ties sharing their average rank."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    result = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        for position in range(start, end + 1):
            result[order[position]] = (start + end) / 2 + 1
        start = end + 1
    return result


def spearman(xs: list[float], ys: list[float]) -> float:
    """Spearman's rank correlation (Pearson's r of the ranks, so ties are handled)."""
    rx, ry = ranks(xs), ranks(ys)
    mx, my = statistics.fmean(rx), statistics.fmean(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    var = (sum((a - mx) ** 2 for a in rx) * sum((b - my) ** 2 for b in ry)) ** 0.5
    return cov / var if var else 0.0


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f} %" if whole else "    – "


def acronym_quality(corpus: Path) -> None:
    """Print the undefined-acronym rule's precision and recall on the whole texts."""
    with (EVAL / "acronyms.tsv").open(encoding="utf-8", newline="") as handle:
        judged = {
            (row["file"], row["acronym"]): row["flag"] == "yes"
            for row in csv.DictReader(handle, delimiter="\t")
        }
    only = Registry()
    only.register(REGISTRY.get("undefined-acronym"))
    reported: set[tuple[str, str]] = set()
    for path in sorted(corpus.glob("*.md")):
        document = parse(path.read_text(encoding="utf-8"), path.name)
        for finding in review(document, audience="public", registry=only, explicit=True).findings:
            reported.add((path.name, finding.message.split('"')[1]))
    right = {key for key in reported if judged.get(key)}
    unjudged = sorted(key for key in reported if key not in judged)
    wanted = {key for key, flag in judged.items() if flag}
    print(f"undefined-acronym over whole texts: {len(reported)} reported, {len(wanted)} wanted")
    print(f"  precision {len(right):4} / {len(reported):<4} {percent(len(right), len(reported))}")
    print(f"  recall    {len(right):4} / {len(wanted):<4} {percent(len(right), len(wanted))}")
    for name, word in sorted(reported - right):
        print(f"  wrong: {name} {word}" + ("  (not judged)" if (name, word) in unjudged else ""))
    for name, word in sorted(wanted - reported):
        print(f"  missed: {name} {word}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--tolerance", type=int, default=3)
    parser.add_argument("--wrong", action="store_true", help="list unsupported findings")
    parser.add_argument("--missed", action="store_true", help="list judgments not caught")
    parser.add_argument("--documents", action="store_true", help="one line per document")
    parser.add_argument("--acronyms", action="store_true", help="undefined-acronym on whole texts")
    args = parser.parse_args()
    if args.acronyms:
        acronym_quality(args.corpus)
        return

    judgments = load_judgments(EVAL / "judgments.tsv")
    ranking = load_ranking(EVAL / "ranking.tsv")
    files = sorted(path for path in args.corpus.glob("*.md"))
    if sorted(path.name for path in files) != sorted(ranking):
        raise SystemExit("ranking.tsv and the corpus folder list different documents")
    by_file: dict[str, list[Judgment]] = defaultdict(list)
    for judgment in judgments:
        by_file[judgment.file].append(judgment)

    per_rule: Counter[str] = Counter()
    right_per_rule: Counter[str] = Counter()
    caught: set[Judgment] = set()
    wrong: list[tuple[str, Finding]] = []
    scores: dict[str, float] = {}
    counts: dict[str, int] = {}
    skipped: list[str] = []
    for path in files:
        report = review(parse(path.read_text(encoding="utf-8"), path.name))
        if not report.postmortem:
            skipped.append(path.name)
        scores[path.name] = float(report.score) if report.postmortem else -1.0
        counts[path.name] = len(report.findings)
        for finding in report.findings:
            per_rule[finding.rule] += 1
            # Every corpus document is a post-mortem: saying otherwise is wrong whatever the
            # judgments say about its structure.
            supporting = [
                j
                for j in by_file[path.name]
                if report.postmortem and j.supports(finding, args.tolerance)
            ]
            if supporting:
                right_per_rule[finding.rule] += 1
                caught.update(supporting)
            else:
                wrong.append((path.name, finding))

    total, right = sum(per_rule.values()), sum(right_per_rule.values())
    print(f"documents: {len(files)}   judgments: {len(judgments)}   findings: {total}")
    print(f"\nprecision by rule (right / findings), tolerance ±{args.tolerance} lines")
    for rule_id, count in sorted(per_rule.items(), key=lambda kv: (-kv[1], kv[0])):
        print(
            f"  {rule_id:28} {right_per_rule[rule_id]:4} / {count:<4} {percent(right_per_rule[rule_id], count)}"
        )
    print(f"  {'all rules':28} {right:4} / {total:<4} {percent(right, total)}")

    print("\nrecall by category (judgments caught / judged)")
    judged = Counter(j.category for j in judgments)
    found = Counter(j.category for j in caught)
    for category in CATEGORIES:
        if judged[category]:
            print(
                f"  {category:28} {found[category]:4} / {judged[category]:<4} {percent(found[category], judged[category])}"
            )
    print(
        f"  {'all categories':28} {len(caught):4} / {len(judgments):<4} {percent(len(caught), len(judgments))}"
    )

    names = sorted(files, key=lambda p: ranking[p.name])
    rho = spearman([scores[p.name] for p in names], [-ranking[p.name] for p in names])
    per_doc = [counts[p.name] for p in names]
    print(
        f"\nfindings per document: median {statistics.median(per_doc):.0f}, "
        f"mean {statistics.fmean(per_doc):.1f}, max {max(per_doc)}"
    )
    print(
        f"documents not reviewed: {len(skipped)}" + (f" ({', '.join(skipped)})" if skipped else "")
    )
    print(f"Spearman rho, score vs ranking: {rho:.2f}")

    if args.documents:
        print("\nrank  score  findings  document")
        for path in names:
            score = "  –  " if scores[path.name] < 0 else f"{scores[path.name]:5.0f}"
            print(f"{ranking[path.name]:4}  {score}  {counts[path.name]:8}  {path.name}")
    if args.wrong:
        print("\nfindings no judgment supports")
        for name, finding in wrong:
            print(f"  {name}:{finding.line} {finding.rule}: {finding.message[:110]}")
    if args.missed:
        print("\njudgments no finding catches")
        for judgment in judgments:
            if judgment not in caught:
                span = f"{judgment.first}" + (
                    f"-{judgment.last}" if judgment.last != judgment.first else ""
                )
                print(f"  {judgment.file}:{span} {judgment.category}: {judgment.text[:100]}")


if __name__ == "__main__":
    main()
