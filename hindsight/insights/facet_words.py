"""Facet words: what the search filters on, written into the index beside the text.

Each search document carries a word per fact a filter reads — its
incident's severity, services and contributing factors, its own status (an
event's is its incident's), its author or owner and a post-mortem's authors.
A filtered search then matches those words in the full-text index itself
(the engine intersects lists of ids) instead of reading each match's
incident. ``schema`` writes them with every document; the triggers built
here write them again when a fact changes in the table it lives in.
"""

from __future__ import annotations

# Letters and digits only, so every tokenizer keeps a word whole.
FACETS = {
    "severity": "zzsev",  # zzsevsev1
    "status": "zzst",  # zzstinreview
    "author": "zzau",  # zzau12 (a user id)
    "service": "zzsvc",  # zzsvc3 (a service id)
    "factor": "zzfac",  # zzfaccertificateexpiry
}
INCIDENTS = "incidents_incident"
INCIDENT_SERVICES = "incidents_incident_services"
FACTORS = "insights_postmortemfactor"
POSTMORTEM_AUTHORS = "postmortems_postmortem_authors"

# Where the facts live: (name, table, events, which documents, as SQL on the row {r}).
FACT_TABLES = (
    ("incident", INCIDENTS, "UPDATE OF severity, status", "incident_id = {r}.id"),
    ("services", INCIDENT_SERVICES, "INSERT OR DELETE", "incident_id = {r}.incident_id"),
    ("factors", FACTORS, "INSERT OR DELETE OR UPDATE", "incident_id = {r}.incident_id"),
    (
        "authors",
        POSTMORTEM_AUTHORS,
        "INSERT OR DELETE",
        "kind = 'postmortem' AND object_id = {r}.postmortem_id",
    ),
)


def facet_word(facet: str, value: object) -> str:
    """Return the index word for one filter value (as ``of_document`` writes it in SQL)."""
    text = str(value).lower().replace("_", "").replace("-", "")
    if not text.isalnum() or not text.isascii():
        raise ValueError(f"{facet} {value!r} can't be a facet word")
    return FACETS[facet] + text


def of_document(
    incident: str, kind: str, object_id: str, status: str, author: str, vendor: str
) -> str:
    """SQL for a document's facet words, from SQL for its incident id, kind, object id…"""
    concat = "group_concat({}, ' ')" if vendor == "sqlite" else "string_agg({}, ' ')"

    def words(facet: str, column: str, table: str, where: str) -> str:
        word = f"'{FACETS[facet]}' || {column}"
        if facet == "factor":
            word = f"'{FACETS[facet]}' || replace({column}, '-', '')"
        agg = concat.format(word)
        return f"coalesce((SELECT ' ' || {agg} FROM {table} WHERE {where}), '')"

    # One lookup of the incident row gives its severity, status, services and factors.
    own_status = f"coalesce(nullif({status}, ''), i.status)"
    of_incident = " || ".join(
        [
            f"' {FACETS['severity']}' || lower(i.severity)",
            f"' {FACETS['status']}' || replace({own_status}, '_', '')",
            words("service", "service_id", INCIDENT_SERVICES, "incident_id = i.id"),
            words("factor", "tag", FACTORS, "incident_id = i.id"),
        ]
    )
    return " || ".join(
        [
            f"coalesce((SELECT {of_incident} FROM {INCIDENTS} i WHERE i.id = {incident}), '')",
            f"coalesce(' {FACETS['author']}' || {author}, '')",
            f"(CASE WHEN {kind} = 'postmortem' THEN "
            + words("author", "user_id", POSTMORTEM_AUTHORS, f"postmortem_id = {object_id}")
            + " ELSE '' END)",
        ]
    )


def _refresh(documents: str, vendor: str, where: str) -> str:
    """UPDATE the facet words of the documents ``where`` selects (facts they read changed)."""
    d = documents
    facets = of_document(
        f"{d}.incident_id", f"{d}.kind", f"{d}.object_id", f"{d}.status", f"{d}.author_id", vendor
    )
    differs = "IS NOT" if vendor == "sqlite" else "IS DISTINCT FROM"
    return f"UPDATE {d} SET facets = {facets} WHERE {where} AND facets {differs} ({facets})"


def _rows(name: str, event: str) -> list[str]:
    """The trigger rows whose documents change: OLD, NEW or both."""
    if name == "incident":
        return ["NEW"]
    return {"INSERT": ["NEW"], "DELETE": ["OLD"]}.get(event.split()[0], ["OLD", "NEW"])


def sqlite_triggers(documents: str) -> list[str]:
    """SQLite: a trigger per fact table and event (SQLite's triggers take one event each)."""
    statements = []
    for name, table, events, where in FACT_TABLES:
        for event in events.split(" OR "):
            refresh = " ".join(
                f"{_refresh(documents, 'sqlite', where.format(r=row))};"
                for row in _rows(name, event)
            )
            statements.append(
                f"CREATE TRIGGER insights_facets_{name}_{event.split()[0].lower()} "
                f"AFTER {event} ON {table} BEGIN {refresh} END"
            )
    return statements


def postgresql_triggers(documents: str) -> list[str]:
    """PostgreSQL: a trigger function per fact table, its events told apart by TG_OP."""
    statements = []
    for name, table, events, where in FACT_TABLES:
        function = f"insights_facets_{name}"
        steps = [
            f"IF TG_OP IN ('DELETE', 'UPDATE') THEN "
            f"{_refresh(documents, 'postgresql', where.format(r='OLD'))}; END IF;",
            f"IF TG_OP IN ('INSERT', 'UPDATE') THEN "
            f"{_refresh(documents, 'postgresql', where.format(r='NEW'))}; END IF;",
        ]
        if name == "incident":
            steps = [f"{_refresh(documents, 'postgresql', where.format(r='NEW'))};"]
        statements += [
            f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {' '.join(steps)} RETURN NULL; END $$",
            f"CREATE TRIGGER {function} AFTER {events} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}()",
        ]
    return statements


def postgresql_uninstall() -> list[str]:
    statements = []
    for name, table, *_ in FACT_TABLES:
        statements += [
            f"DROP TRIGGER IF EXISTS insights_facets_{name} ON {table}",
            f"DROP FUNCTION IF EXISTS insights_facets_{name}()",
        ]
    return statements


def trigger_names(vendor: str) -> list[str]:
    """The names of the triggers above, for ``schema.missing_triggers``."""
    if vendor == "postgresql":
        return [f"insights_facets_{name}" for name, *_ in FACT_TABLES]
    return [
        f"insights_facets_{name}_{event.split()[0].lower()}"
        for name, _, events, _ in FACT_TABLES
        for event in events.split(" OR ")
    ]
