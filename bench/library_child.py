"""One engine's run of bench/library.py (started by it with the database's settings).

library_child.py SIZE ROUNDS QUERIES_JSON  → prints one JSON line of figures
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from hindsight.accounts.models import User  # noqa: E402
from hindsight.actions.models import ActionItem  # noqa: E402
from hindsight.catalog.models import Service  # noqa: E402
from hindsight.core.search import fts5_match, parse_query  # noqa: E402
from hindsight.incidents.models import Incident, TimelineEvent  # noqa: E402
from hindsight.insights import engines, rollup, schema  # noqa: E402
from hindsight.insights.factors import reconcile_factors  # noqa: E402
from hindsight.insights.models import SearchDocument  # noqa: E402
from hindsight.insights.search import POOL, Filters, search  # noqa: E402
from hindsight.postmortems.models import PostMortem  # noqa: E402

SERVICES = [
    "checkout",
    "payments",
    "search",
    "catalog",
    "accounts",
    "orders",
    "inventory",
    "shipping",
    "notifications",
    "recommendations",
    "reviews",
    "pricing",
    "cart",
    "auth",
    "gateway",
    "billing",
    "reporting",
    "media",
    "analytics",
    "messaging",
]
VENDORS = ["Stripe", "Twilio", "SendGrid", "AWS", "Cloudflare", "Fastly", "GitHub", "PagerDuty"]
REGIONS = ["eu-west-1", "us-east-1", "ap-south-1", "eu-central-1"]
FIRST = [
    "Ana",
    "Ben",
    "Chloe",
    "Dev",
    "Emma",
    "Farid",
    "Gita",
    "Hugo",
    "Ines",
    "Jonas",
    "Kemal",
    "Lena",
    "Malik",
    "Nora",
    "Omar",
]
LAST = [
    "Okafor",
    "Silva",
    "Chen",
    "Novak",
    "Haddad",
    "Berg",
    "Ito",
    "Costa",
    "Meyer",
    "Dubois",
    "Kaur",
    "Lund",
]
# (title, factors in the root-cause analysis, action items)
SCENARIOS = [
    (
        "TLS certificate expired on the {svc} load balancer",
        [
            "The {svc} certificate expired because renewal was manual.",
            "No alert warned about certificate expiry dates.",
        ],
        ["Automate certificate renewal for {svc}", "Alert 14 days before any certificate expires"],
    ),
    (
        "DNS resolver timeouts in {region}",
        [
            "The internal DNS resolver ran out of file descriptors under load.",
            "Resolver capacity was never load tested.",
        ],
        ["Raise resolver file descriptor limits", "Load test the DNS resolvers quarterly"],
    ),
    (
        "Database connection pool exhausted on {svc}",
        [
            "The connection pool was sized for half the current traffic.",
            "A slow query held connections for minutes.",
        ],
        ["Resize the {svc} connection pool", "Add a statement timeout to the {svc} database"],
    ),
    (
        "Kafka consumer lag on {svc} events",
        [
            "A consumer group rebalance looped after a deploy.",
            "Lag alerts fired only after an hour.",
        ],
        ["Alert on consumer lag above five minutes", "Pin the Kafka client version"],
    ),
    (
        "Bad configuration push to {svc}",
        [
            "A feature flag change was pushed without review.",
            "The configuration change had no staged rollout.",
        ],
        ["Require review for production configuration changes", "Stage configuration rollouts"],
    ),
    (
        "Memory leak in {svc} workers after release {ver}",
        ["Release {ver} leaked request buffers.", "Memory alerts were missing for {svc}."],
        ["Add memory alerts for {svc} workers", "Add a soak test to the release pipeline"],
    ),
    (
        "Disk full on the {svc} database replica",
        [
            "Write-ahead logs filled the disk on the replica.",
            "Nobody owned disk capacity planning.",
        ],
        ["Alert at 80% disk on every replica", "Assign an owner for capacity planning"],
    ),
    (
        "Rate limited by the {vendor} API",
        ["We were throttled by {vendor} after a retry storm.", "Retries had no backoff or jitter."],
        ["Add exponential backoff to {vendor} calls", "Ask {vendor} for a higher rate limit"],
    ),
    (
        "Cache stampede on {svc} after deploy",
        [
            "The deploy flushed the cache and every request missed at once.",
            "No request coalescing existed for hot keys.",
        ],
        ["Warm the {svc} cache before switching traffic", "Coalesce requests for hot keys"],
    ),
    (
        "Replica lag on the {svc} database",
        [
            "A long migration saturated replication.",
            "Reads were not routed away from lagging replicas.",
        ],
        ["Route reads away from lagging replicas", "Run migrations in small batches"],
    ),
    (
        "Clock skew broke {svc} token validation",
        [
            "NTP was disabled on new hosts by a base image change.",
            "Token validation allowed no clock skew.",
        ],
        ["Re-enable NTP in the base image", "Allow 30 seconds of clock skew in validation"],
    ),
    (
        "Network partition between {region} zones",
        ["A provider network event split the zones.", "Failover to another region was manual."],
        ["Automate regional failover", "Write a runbook for zone partitions"],
    ),
    (
        "CDN served stale {svc} assets",
        ["A CDN configuration change cached error pages.", "Cache purges were undocumented."],
        ["Document the CDN purge procedure", "Never cache 5xx responses at the CDN"],
    ),
    (
        "Schema migration locked {svc} tables",
        [
            "The migration took an exclusive lock on a large table.",
            "Migrations were not reviewed for locking.",
        ],
        ["Review migrations for locks", "Use online schema changes for large tables"],
    ),
    (
        "Queue backlog in {svc} after the {vendor} outage",
        [
            "The {vendor} outage stopped deliveries for two hours.",
            "The backlog drained slowly because workers did not scale.",
        ],
        ["Autoscale {svc} workers on queue depth", "Add a {vendor} status check to the runbook"],
    ),
]
FOLLOW_UPS = [
    "Write a runbook for {svc}",
    "Add a dashboard for {svc} saturation",
    "Review the on-call escalation path for {svc}",
    "Add a synthetic check for {svc}",
    "Document the {svc} failover procedure",
    "Share the lessons of this incident with the {other} team",
]
FILLER = [
    "Customers saw errors on the {svc} pages and some orders were delayed.",
    "The on-call engineer checked dashboards for {svc} and the {other} service.",
    "Support received {n} tickets during the incident.",
    "Traffic was shifted to {region} while the team investigated.",
    "We rolled back {svc} to the previous release {ver} after confirming the cause.",
    "Error rates returned to normal and latency recovered within minutes.",
    "A status page update was posted and subscribers were notified.",
    "Communication between the responders happened in the incident channel.",
    "The runbook for {svc} was out of date and missed the failover step.",
    "Detection relied on customer reports rather than our own alerts.",
]


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def _fill(template: str, rng: random.Random, svc: str) -> str:
    return template.format(
        svc=svc,
        other=rng.choice(SERVICES),
        vendor=rng.choice(VENDORS),
        region=rng.choice(REGIONS),
        ver=f"{rng.randint(1, 9)}.{rng.randint(0, 40)}.{rng.randint(0, 9)}",
        n=rng.randint(3, 400),
    )


def _body(rng: random.Random, title: str, svc: str, factors: list[str], actions: list[str]) -> str:
    filler = [_fill(rng.choice(FILLER), rng, svc) for _ in range(8)]
    lines = [
        "---",
        f"title: {title}",
        "severity: SEV2",
        f"services: [{svc}]",
        "---",
        f"# {title}",
        "",
        "## Summary",
        "",
        " ".join(filler[:3]),
        "",
        "## Timeline",
        "",
        "| time | event |",
        "| --- | --- |",
        *(f"| 0{i}:{rng.randint(10, 59)} | {f} |" for i, f in enumerate(filler[3:6])),
        "",
        "## Root cause analysis",
        "",
        *(f"- {f}" for f in factors),
        "",
        "## What went well",
        "",
        filler[6],
        "",
        "## What could be improved",
        "",
        filler[7],
        "",
        "## Action items",
        "",
        *(f"- {a} (owner: {_person(rng)})" for a in actions),
        "",
    ]
    return "\n".join(lines)


def generate(size: int) -> None:
    rng = random.Random(14)
    now = datetime.now(UTC)
    services = {s: Service.objects.create(name=s.title(), slug=s) for s in SERVICES}
    users = [User.objects.create(username=f"user{i}", role="editor") for i in range(40)]
    batch = 2000
    for start in range(0, size, batch):
        with transaction.atomic():
            _generate_batch(rng, now, range(start, min(start + batch, size)), services, users)


def _generate_batch(
    rng: random.Random,
    now: datetime,
    numbers: range,
    services: dict[str, Service],
    users: list[User],
) -> None:
    through = Incident.services.through
    authors = PostMortem.authors.through
    batch = len(numbers)
    incidents, links, pms, events, actions, author_rows = [], [], [], [], [], []
    for _ in numbers:
        title_t, factor_t, action_t = rng.choice(SCENARIOS)
        svc = rng.choice(SERVICES)
        title = _fill(title_t, rng, svc)
        started = now - timedelta(days=rng.uniform(0, 360))
        detected = started + timedelta(minutes=rng.uniform(1, 30))
        acknowledged = (
            detected + timedelta(minutes=rng.uniform(0, 20)) if rng.random() > 0.1 else None
        )
        resolved = detected + timedelta(minutes=rng.uniform(10, 720))
        incident = Incident(
            title=title,
            severity=rng.choice(["SEV1", "SEV2", "SEV2", "SEV3", "SEV3", "SEV4"]),
            status="closed",
            summary=_fill(rng.choice(FILLER), rng, svc),
            restricted=rng.random() < 0.02,
            started_at=started,
            detected_at=detected,
            acknowledged_at=acknowledged,
            mitigated_at=resolved,
            resolved_at=resolved,
            created_at=started,
            updated_at=resolved,
        )
        incidents.append((incident, svc, title, factor_t, action_t, resolved))
    Incident.objects.bulk_create([i[0] for i in incidents], batch_size=batch)
    for incident, svc, title, factor_t, action_t, resolved in incidents:
        links.append(through(incident_id=incident.pk, service_id=services[svc].pk))
        factors = [_fill(f, rng, svc) for f in factor_t]
        action_titles = [_fill(a, rng, svc) for a in action_t]
        action_titles.append(_fill(rng.choice(FOLLOW_UPS), rng, svc))
        status = rng.choices(["published", "approved", "in_review", "draft"], [60, 15, 15, 10])[0]
        written = resolved + timedelta(hours=rng.uniform(2, 120))
        pms.append(
            PostMortem(
                incident_id=incident.pk,
                title=f"Post-mortem: {title}",
                status=status,
                body=_body(rng, title, svc, factors, action_titles),
                quality_score=rng.randint(30, 100),
                approved_at=written if status in ("published", "approved") else None,
                published_at=written if status == "published" else None,
                created_at=resolved,
                updated_at=written,
            )
        )
        for i, text in enumerate(
            [
                f"Alert {svc}-errors firing for {svc}",
                f"Incident declared as {incident.severity} affecting {svc}",
                f"{_person(rng)} acknowledged the page",
                _fill(rng.choice(FILLER), rng, svc),
                "Status changed from investigating to identified",
                _fill(rng.choice(FILLER), rng, svc),
                f"Error rate for {svc} back to normal",
                "Incident resolved",
            ]
        ):
            events.append(
                TimelineEvent(
                    incident_id=incident.pk,
                    occurred_at=incident.started_at + timedelta(minutes=7 * i),
                    recorded_at=incident.started_at + timedelta(minutes=7 * i),
                    text=text,
                    source="system",
                    kind="note",
                )
            )
        for action_title in action_titles:
            state = rng.choices(["done", "open", "in_progress", "wont_do"], [50, 30, 10, 10])[0]
            due = (resolved + timedelta(days=rng.randint(7, 60))).date()
            actions.append(
                ActionItem(
                    incident_id=incident.pk,
                    title=action_title,
                    status=state,
                    due_date=due,
                    created_at=resolved,
                    updated_at=resolved,
                    completed_at=resolved + timedelta(days=rng.randint(1, 70))
                    if state == "done"
                    else None,
                    external_url="https://tracker.example/1" if rng.random() < 0.5 else "",
                )
            )
    through.objects.bulk_create(links, batch_size=batch)
    PostMortem.objects.bulk_create(pms, batch_size=batch)
    for pm in pms:
        author_rows.append(authors(postmortem_id=pm.pk, user_id=rng.choice(users).pk))
    authors.objects.bulk_create(author_rows, batch_size=batch)
    TimelineEvent.objects.bulk_create(events, batch_size=batch)
    ActionItem.objects.bulk_create(actions, batch_size=batch)


def raw_query(text: str) -> tuple[str, list[Any]]:
    """The engine's bare ranked full-text query for the words: top 20, no joins, no count."""
    query = parse_query(text)
    match = engines.match(query, connection.vendor)
    if connection.vendor == "sqlite":
        sql = (
            f"SELECT rowid FROM {schema.FTS} WHERE {schema.FTS} MATCH ? "
            f"ORDER BY {engines.BM25} LIMIT 20"
        )
        return sql, [fts5_match(query)]
    sql = (
        f"SELECT d.id FROM {match.source} WHERE {match.condition} "
        "ORDER BY ts_rank('{0.1, 0.2, 0.4, 1.0}', d.vector, query.q, 1) DESC LIMIT 20"
    )
    return sql, list(match.params)


def raw_bounded(text: str) -> tuple[str, list[Any]]:
    """The bare query of the service's bounded shape: rank the newest 4 x POOL matches only."""
    sql, params = raw_query(text)
    pool = 4 * POOL
    if connection.vendor == "sqlite":
        where = f"WHERE {schema.FTS} MATCH ?"
        newest = f"SELECT rowid FROM {schema.FTS} {where} ORDER BY rowid DESC LIMIT 1 OFFSET {pool}"
        sql = sql.replace(where, f"{where} AND rowid > coalesce(({newest}), -1)")
        return sql, [*params, *params]
    match = engines.match(parse_query(text), connection.vendor)
    newest = (
        f"SELECT d.id FROM {match.source} WHERE {match.condition} "
        f"ORDER BY d.id DESC LIMIT 1 OFFSET {pool}"
    )
    sql = sql.replace(
        f"WHERE {match.condition}", f"WHERE {match.condition} AND d.id > coalesce(({newest}), -1)"
    )
    return sql, [*params, *params]


def raw_count(text: str) -> tuple[str, list[Any]]:
    """The engine's bare count of the documents holding the words: the least an exact count costs."""
    query = parse_query(text)
    if connection.vendor == "sqlite":
        sql = f"SELECT count(*) FROM {schema.FTS} WHERE {schema.FTS} MATCH ?"
        return sql, [fts5_match(query)]
    match = engines.match(query, connection.vendor)
    return f"SELECT count(*) FROM {match.source} WHERE {match.condition}", list(match.params)


def raw_connection() -> Any:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        import sqlite3

        return sqlite3.connect(settings["NAME"])
    import psycopg

    return psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        autocommit=True,
    )


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> None:
    size, rounds, queries = int(sys.argv[1]), int(sys.argv[2]), json.loads(sys.argv[3])
    call_command("migrate", verbosity=0)
    started = generated = indexed = factored = time.perf_counter()
    reused = Incident.objects.count() >= size  # --reuse / --data-dir of an earlier run's data
    if not reused:
        schema.uninstall(connection)  # load first, index once: as `insights reindex` does
        generate(size)
        generated = time.perf_counter()
        # Factors first: the index reads them (facet words) when it is built.
        reconcile_factors()
        factored = time.perf_counter()
        with transaction.atomic():
            schema.install(connection)
        indexed = time.perf_counter()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
    viewer, _ = User.objects.get_or_create(username="viewer", defaults={"role": "viewer"})
    raw = raw_connection()
    measures = ("service", "raw", "bounded", "count")
    times: dict[str, list[float]] = {name: [] for name in measures}
    per_query: dict[str, list[float]] = {}
    bare = {"raw": raw_query, "bounded": raw_bounded, "count": raw_count}
    for round_number in range(rounds + 1):
        for number, (text, filters) in enumerate(queries):
            filters = {k: tuple(v) for k, v in filters.items()}
            took: dict[str, float] = {}
            found = None
            # The first statement over a word's matches pays for reading pages
            # the next ones find cached: each measure goes first in turn.
            turn = (round_number + number) % len(measures)
            for name in measures[turn:] + measures[:turn]:
                t0 = time.perf_counter()
                if name == "service":
                    found = search(text=text, user=viewer, filters=Filters(**filters))
                else:
                    sql, params = bare[name](text)
                    raw.execute(sql, params).fetchall()
                took[name] = time.perf_counter() - t0
            if round_number and found is not None:  # the first round warms caches
                for name in measures:
                    times[name].append(took[name])
                label = text + (f" [{', '.join(filters)}]" if filters else "")
                per_query.setdefault(label, [found.count]).extend(took[n] for n in measures)
    service_times, raw_times, bounded_times, count_times = (times[n] for n in measures)
    rolled = time.perf_counter()
    rollup.refresh()
    rollup_s = time.perf_counter() - rolled
    client = Client(HTTP_HOST="localhost")
    client.force_login(viewer)
    pages = []
    for _ in range(11):
        t0 = time.perf_counter()
        assert client.get("/insights/").status_code == 200
        pages.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    client.get("/insights/time-to-resolve.svg")
    chart_first = time.perf_counter() - t0
    t0 = time.perf_counter()
    client.get("/insights/time-to-resolve.svg")
    chart_cached = time.perf_counter() - t0
    by_query = [
        (
            label,
            v[0],
            statistics.median(v[1::4]),
            statistics.median(v[2::4]),
            statistics.median(v[3::4]),
            statistics.median(v[4::4]),
        )
        for label, v in per_query.items()
    ]
    print(
        json.dumps(
            {
                "size": size,
                "reused": reused,
                "documents": SearchDocument.objects.count(),
                "incidents": Incident.objects.count(),
                "generate_s": generated - started,
                "index_s": indexed - factored,
                "factors_s": factored - generated,
                "samples": len(service_times),
                "service_p50": statistics.median(service_times),
                "service_p95": p95(service_times),
                "raw_p50": statistics.median(raw_times),
                "raw_p95": p95(raw_times),
                "bounded_p50": statistics.median(bounded_times),
                "bounded_p95": p95(bounded_times),
                "count_p50": statistics.median(count_times),
                "count_p95": p95(count_times),
                "pool": POOL,
                "by_query": sorted(by_query, key=lambda q: q[1]),
                "rollup_s": rollup_s,
                "page_p50": statistics.median(pages[1:]),
                "chart_first": chart_first,
                "chart_cached": chart_cached,
            }
        )
    )


if __name__ == "__main__":
    main()
