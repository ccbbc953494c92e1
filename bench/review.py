"""Review throughput: parse and review 2,000 generated post-mortems on one core.

Usage: python bench/review.py [--documents 2000] [--runs 5] [--seed 7]

Prints documents per second (median of the runs, by wall clock and by CPU
time of this process) and peak memory: the process's
maximum resident set size, and the peak of Python allocations during one
review pass measured separately with tracemalloc (which slows the pass down).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import statistics
import sys
import time
import tracemalloc

from hindsight.core.parser import parse
from hindsight.core.review import review

SERVICES = ["checkout", "payments-api", "search", "auth", "ingest", "billing", "cdn", "mail"]
PEOPLE = ["@maria", "@tom", "@priya", "@chen", "@ola", "Sam Ortiz", "platform team"]
EVENTS = [
    "Alertmanager paged on-call: error rate above 5%",
    "{who} acknowledged the page and opened the incident",
    "{who} rolled back the deploy",
    "Latency on {svc} rose to 2.4 s at the 99th percentile",
    "{who} scaled {svc} from 6 to 12 replicas",
    "Customers reported failed logins on the status page",
    "{who} found the connection pool exhausted on {svc}",
    "Service restored; error rate back to normal",
    "{who} closed the incident",
    "Investigated the dashboards",
]
FACTORS = [
    "The connection pool limit of 50 was shared by all {svc} workers.",
    "The deploy checklist has no step for load testing new queries.",
    "Alerts on {svc} fired only after 10 minutes of errors.",
    "Nobody owned the runbook for {svc}, so it was out of date.",
    "A retry storm from clients tripled the request rate.",
    "Human error during the deploy.",
]
ACTIONS = [
    "Add CPU utilisation alerts at 80% and 90% on {svc}",
    "Improve monitoring",
    "Raise the {svc} connection pool to 200 and alert at 150",
    "Write the {svc} failover runbook",
    "Look into alerting",
    "Load-test {svc} before each release",
]


def generate(rng: random.Random, index: int) -> str:
    """One post-mortem of realistic size; some sections are missing or weak on purpose."""
    svc = rng.choice(SERVICES)
    start = dt.datetime(2026, 1, 1, 8) + dt.timedelta(days=index % 300, minutes=rng.randint(0, 600))
    lines = [
        "---",
        f"title: {svc} outage {index}",
        f"incident: INC-{1000 + index}",
        f"severity: SEV{rng.randint(1, 4)}",
        f"services: [{svc}]",
        f"authors: [{rng.choice(['Maria Lopez', 'Tom Berg', 'Priya Shah'])}]",
        f"started: {start:%Y-%m-%d %H:%M:%S}",
        f"resolved: {start + dt.timedelta(minutes=rng.randint(20, 300)):%Y-%m-%d %H:%M:%S}",
        f"written: {(start + dt.timedelta(days=rng.randint(1, 5))).date()}",
    ]
    if rng.random() < 0.7:
        lines.append(f"review_date: {(start + dt.timedelta(days=30)).date()}")
    lines += ["---", "", f"# {svc} outage {index}", "", "## Summary", ""]
    lines.append(
        f"On {start:%d %B %Y} at {start:%H:%M} UTC, {svc} returned errors for "
        f"{rng.randint(10, 90)} minutes. About {rng.randint(5, 60)}% of customers could not "
        f"sign in. The SLO budget for the month was used up."
    )
    lines += ["", "## Timeline", "", "| Time | Actor | Event |", "| --- | --- | --- |"]
    moment = start
    for _ in range(rng.randint(5, 25)):
        moment += dt.timedelta(minutes=rng.randint(1, 70))
        who = rng.choice(PEOPLE)
        event = rng.choice(EVENTS).format(who=who, svc=svc)
        actor = "" if "{who}" in event else rng.choice(["", "Alertmanager"])
        lines.append(f"| {moment:%Y-%m-%d %H:%M} UTC | {actor} | {event} |")
    if rng.random() < 0.9:
        lines += ["", "## Root cause analysis", ""]
        lines += [f"- {f.format(svc=svc)}" for f in rng.sample(FACTORS, rng.randint(1, 4))]
    if rng.random() < 0.8:
        lines += ["", "## What went well", "", "- The alert fired within 4 minutes."]
    if rng.random() < 0.8:
        lines += ["", "## What could be improved", "", "- Better communication."]
        lines.append(f"- The {svc} dashboard has no panel for pool saturation.")
    lines += ["", "## Action items", ""]
    for _ in range(rng.randint(2, 8)):
        text = rng.choice(ACTIONS).format(svc=svc)
        owner = rng.choice(PEOPLE)
        due = (start + dt.timedelta(days=rng.randint(-5, 400))).date()
        lines.append(f"- [ ] {text} — {owner}, due {due}, P{rng.randint(0, 3)}")
    return "\n".join(lines) + "\n"


def review_all(documents: list[str]) -> int:
    findings = 0
    for text in documents:
        findings += len(review(parse(text)).findings)
    return findings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    documents = [generate(rng, i) for i in range(args.documents)]
    size = sum(len(d) for d in documents) / len(documents)
    review_all(documents[:50])  # warm up: compile regexes, import the rules

    rates, cpu_rates = [], []
    for _ in range(args.runs):
        begin, cpu_begin = time.perf_counter(), time.process_time()
        findings = review_all(documents)
        rates.append(len(documents) / (time.perf_counter() - begin))
        cpu_rates.append(len(documents) / (time.process_time() - cpu_begin))

    tracemalloc.start()
    review_all(documents)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    max_rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    print(f"documents:           {len(documents)} (average {size / 1024:.1f} KB)")
    print(f"findings per pass:   {findings}")
    print(
        f"documents/s:         {statistics.median(rates):.0f} wall clock (median of {args.runs} "
        f"runs; min {min(rates):.0f}, max {max(rates):.0f})"
    )
    # CPU time is what one core does for this process when the machine is shared.
    print(
        f"documents/CPU-s:     {statistics.median(cpu_rates):.0f} (median; min "
        f"{min(cpu_rates):.0f}, max {max(cpu_rates):.0f})"
    )
    print(f"peak RSS:            {max_rss_kb / 1024:.1f} MB (whole process, documents included)")
    print(f"peak traced Python:  {traced_peak / 1024 / 1024:.1f} MB during one review pass")
    print(f"python:              {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
