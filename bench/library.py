"""Library search and insights at 100,000 post-mortems, on SQLite and PostgreSQL.

    .venv/bin/python bench/library.py [--size 100000] [--rounds 5]
        [--pg postgresql://postgres@127.0.0.1:5432/bench_library] [--only sqlite|postgresql]
        [--reuse] [--data-dir DIR]

For each engine, in a fresh database (the PostgreSQL one is dropped and
re-created): generate SIZE incidents over the last 360 days, each with a
post-mortem (about 2 KB of Markdown with a root-cause analysis), 8 timeline
events and 3 action items; derive the contributing factors, then build the
search index (the same code as `hindsight insights reindex`; the index reads
the factors as facet words). With --reuse / --data-dir the data of an earlier
run is measured again (new migrations are applied to it). Then, in the same
run:

- search latency through the service (``insights.search.search`` as a viewer:
  restricted incidents filtered out, filters applied, total count and
  snippets built) over a fixed mix of searches, ROUNDS rounds after one
  warm-up round;
- the reference: the raw full-text query for the same words through the
  database driver (sqlite3 / psycopg), ranked top 20 with the same weights,
  no joins, no count, no snippets;
- the same bare query of the service's bounded shape: ranking only the
  newest 4 x POOL matches (a common word's service search ranks the newest
  POOL matches of each of the 4 kinds), the fair reference when the service
  is cheaper than the full bare query;
- the bare count of the documents holding the words (no filter, no ranking):
  the least any search that reports an exact count pays;
- the ratios (goal: p95 under 50 ms and within 2x of the raw query);
- the insights rollup job's time and GET /insights/ (goal under 500 ms)
  with its snapshot stored.

For each search the four measures (service, raw, bounded, count) take turns
at going first: the first statement over a word's matches reads the pages
the next ones find cached (PostgreSQL's table is larger than its default
shared buffers), and a fixed order charged that to the service alone.

Each engine runs in a child process with its own settings. Medians and p95s
are printed; the machine's load is printed with them.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parents[1]

QUERIES: list[tuple[str, dict[str, tuple[str, ...]]]] = [
    ("certificate", {}),
    ("certificate expired", {}),
    ('"connection pool"', {}),
    ("kafka lag", {}),
    ("dns resolver", {}),
    ("cert*", {}),
    ("rollback", {}),
    ("stripe", {}),
    ("memory leak -staging", {}),
    ("disk OR replica", {}),
    ("checkout timeout", {}),
    ("failover eu-west-1", {}),
    ("payments", {"severities": ("SEV1",)}),
    ("database", {"services": ("orders",)}),
    ("migration", {"kinds": ("postmortem",)}),
    ("throttled", {"factors": ("capacity",)}),
    ("clock skew", {}),
    ("stampede", {}),
    ("runbook", {}),
    ("cdn stale assets", {}),
]


def _recreate_pg(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.replace("_", "").isalnum():
        raise SystemExit(f"refusing odd database name {name!r}")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def _run_engine(engine: str, args: argparse.Namespace) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="hindsight-bench-library-") as scratch:
        data_dir = args.data_dir or scratch
        env = {k: v for k, v in os.environ.items() if not k.startswith("HINDSIGHT_")}
        env.update(
            HINDSIGHT_DATA_DIR=data_dir,
            HINDSIGHT_LOG_LEVEL="WARNING",
            DJANGO_SETTINGS_MODULE="hindsight.settings",
            PYTHONPATH=str(REPO),
        )
        if engine == "postgresql":
            if not args.reuse:
                _recreate_pg(args.pg)
            env["HINDSIGHT_DATABASE_URL"] = args.pg
        child = [sys.executable, str(REPO / "bench" / "library_child.py")]
        child += [str(args.size), str(args.rounds), json.dumps(QUERIES)]
        done = subprocess.run(child, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise SystemExit(f"{engine} run failed:\n{done.stderr[-4000:]}")
        sys.stderr.write(done.stderr)
        return json.loads(done.stdout.strip().splitlines()[-1])


def _ms(value: float) -> str:
    return f"{value * 1000:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/bench_library")
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument(
        "--reuse", action="store_true", help="PostgreSQL: measure the data of an earlier run again"
    )
    parser.add_argument(
        "--data-dir",
        help="SQLite: keep the database in this directory; a later run with it measures again",
    )
    args = parser.parse_args()
    engines = [args.only] if args.only else ["sqlite", "postgresql"]
    print(f"load before: {os.getloadavg()[0]:.2f} (1-min average, {os.cpu_count()} CPUs)")
    for engine in engines:
        r = _run_engine(engine, args)
        print(f"\n== {engine}: {r['size']:,} post-mortems, {r['documents']:,} documents indexed")
        if r["reused"]:
            print("the data of an earlier run, measured again (migrations applied)")
        else:
            print(
                f"generate {r['generate_s']:.0f} s · factors {r['factors_s']:.0f} s · "
                f"index {r['index_s']:.0f} s"
            )
        print(f"searches: {r['samples']} ({len(QUERIES)} kinds x {args.rounds} rounds)")
        print(f"{'':24}{'p50':>10}{'p95':>10}")
        print(f"{'service (search())':24}{_ms(r['service_p50']):>10}{_ms(r['service_p95']):>10}")
        print(f"{'raw FTS via driver':24}{_ms(r['raw_p50']):>10}{_ms(r['raw_p95']):>10}")
        bounded = f"raw, newest {4 * r['pool']:,} only"
        print(f"{bounded:24}{_ms(r['bounded_p50']):>10}{_ms(r['bounded_p95']):>10}")
        print(f"{'raw count(*) only':24}{_ms(r['count_p50']):>10}{_ms(r['count_p95']):>10}")
        for name, key in (("raw", "raw"), ("raw bounded", "bounded")):
            print(
                f"ratio service/{name}: p50 {r['service_p50'] / r[key + '_p50']:.2f}x, "
                f"p95 {r['service_p95'] / r[key + '_p95']:.2f}x (goal: p95 < 50 ms, <= 2x)"
            )
        header = f"{'search':40}{'hits':>9}{'service p50':>13}{'raw p50':>10}{'bounded':>10}"
        print(header + f"{'count':>10}")
        for label, hits, service, raw, cut, count in r["by_query"]:
            row = f"{label[:40]:40}{hits:>9,}{_ms(service):>13}{_ms(raw):>10}{_ms(cut):>10}"
            print(row + f"{_ms(count):>10}")
        print(f"insights rollup job: {r['rollup_s']:.1f} s for {r['incidents']:,} incidents")
        print(
            f"GET /insights/ p50 {_ms(r['page_p50'])} (goal < 500 ms); "
            f"a chart: first {_ms(r['chart_first'])}, then {_ms(r['chart_cached'])}"
        )
    print(f"\nload after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
