"""The search index's database side: triggers that keep it in step, per engine.

Every incident, post-mortem, action item and visible timeline event has one
row in ``insights_searchdocument`` (kind, object id, incident, title, body,
own status, author). Database triggers on the four source tables write those
rows in the same statement as the change, so the index is in step with every
write path — the ORM, the timeline's raw-SQL batch insert, a conditional
``QuerySet.update`` (how post-mortems are saved), the admin — and a rolled-back
transaction rolls the index back with it.

Full-text search is then the engine's own:

- SQLite: an FTS5 table (``porter unicode61``) with the document table as its
  external content, kept in step by three more triggers;
- PostgreSQL: a generated ``tsvector`` column (``english``; title weight A,
  body weight B) and one of the facet words (``simple``), under one GIN index.

A document's id says what it is without a lookup: ``object id × 16 + kind
code × 2 + restricted`` (``document_id``). Ranking, the restricted filter and
the kind weights then read only the full-text index, which keeps a search
within a small factor of the bare full-text query; changing an incident's
restricted flag re-numbers its documents.

Filters are words in the index too: each document carries a column
``facets`` — a word per fact the search filters on (``facet_words``) — a
third FTS5 column on SQLite, weighing nothing in the score; its own
``tsvector`` on PostgreSQL. Triggers on the tables those facts live in write
the words again for the documents they touch. Only the date range is read
from the incident's row.

A post-mortem's body is indexed without its YAML front matter and guidance
comments through ``hindsight_search_text``: a SQL function on PostgreSQL, the
Python ``core.search.search_text`` registered on each SQLite connection.
Only the first ``MAX_INDEXED_CHARS`` characters of a document are searchable.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db.backends.base.base import BaseDatabaseWrapper

from hindsight.insights import facet_words

log = logging.getLogger(__name__)

DOCUMENTS = "insights_searchdocument"
FTS = "insights_search_fts"
MAX_INDEXED_CHARS = 100_000


@dataclass(frozen=True)
class Source:
    """How one table's rows become search documents; ``{r}`` stands for the row."""

    kind: str
    code: int  # the kind's part of the document id
    table: str
    restricted: str  # 1 when the row belongs to a restricted incident, else 0
    incident: str
    title: str
    body: str
    status: str
    author: str
    watch: tuple[str, ...]  # columns whose change re-indexes the row
    indexed: str = "1 = 1"  # rows not matching are left out (hidden events)


RESTRICTED_OF_INCIDENT = (
    "COALESCE((SELECT CASE WHEN i.restricted THEN 1 ELSE 0 END "
    "FROM incidents_incident i WHERE i.id = {r}.incident_id), 0)"
)
SOURCES = (
    Source(
        kind="incident",
        code=0,
        table="incidents_incident",
        restricted="CASE WHEN {r}.restricted THEN 1 ELSE 0 END",
        incident="{r}.id",
        title="{r}.title",
        body="{r}.summary || {nl} || {r}.customer_impact",
        status="{r}.status",
        author="{r}.created_by_id",
        watch=("title", "summary", "customer_impact", "status", "created_by_id", "restricted"),
    ),
    Source(
        kind="postmortem",
        code=1,
        table="postmortems_postmortem",
        restricted=RESTRICTED_OF_INCIDENT,
        incident="{r}.incident_id",
        title="{r}.title",
        body="hindsight_search_text({r}.body)",
        status="{r}.status",
        author="NULL",  # authors are many: the author filter joins their table
        watch=("title", "body", "status", "incident_id"),
    ),
    Source(
        kind="action_item",
        code=2,
        table="actions_actionitem",
        restricted=RESTRICTED_OF_INCIDENT,
        incident="{r}.incident_id",
        title="{r}.title",
        body="{r}.description || {nl} || {r}.verification_note",
        status="{r}.status",
        author="{r}.owner_id",
        watch=("title", "description", "verification_note", "status", "owner_id", "incident_id"),
    ),
    Source(
        kind="event",
        code=3,
        table="incidents_timelineevent",
        restricted=RESTRICTED_OF_INCIDENT,
        incident="{r}.incident_id",
        title="''",
        body="{r}.text",
        status="''",
        author="{r}.actor_id",
        watch=("text", "hidden", "actor_id", "incident_id"),
        indexed="NOT {r}.hidden",
    ),
)
COLUMNS = (
    "id",
    "kind",
    "object_id",
    "incident_id",
    "title",
    "body",
    "status",
    "author_id",
    "facets",
)
_CHANGING = ("id", "incident_id", "title", "body", "status", "author_id", "facets")
KIND_CODES = {s.kind: s.code for s in SOURCES}
KINDS_BY_CODE = {s.code: s.kind for s in SOURCES}


def document_id(kind: str, object_id: int, restricted: bool) -> int:
    """Return the id of a document: what it is and whether it is restricted, in its bits."""
    return object_id * 16 + KIND_CODES[kind] * 2 + int(restricted)


def _values(source: Source, row: str, vendor: str) -> list[str]:
    nl = "char(10)" if vendor == "sqlite" else "chr(10)"

    def fill(expression: str) -> str:
        return expression.format(r=row, nl=nl)

    facets = facet_words.of_document(
        fill(source.incident),
        f"'{source.kind}'",
        f"{row}.id",
        fill(source.status),
        fill(source.author),
        vendor,
    )
    return [
        f"{row}.id * 16 + {source.code * 2} + {fill(source.restricted)}",
        f"'{source.kind}'",
        f"{row}.id",
        fill(source.incident),
        fill(source.title),
        f"substr({fill(source.body)}, 1, {MAX_INDEXED_CHARS})",
        fill(source.status),
        fill(source.author),
        facets,
    ]


def _upsert(source: Source, row: str, vendor: str) -> str:
    """INSERT … SELECT of the row's document; an existing document is updated only if it differs."""
    values = ", ".join(_values(source, row, vendor))
    differs = " OR ".join(
        f"{DOCUMENTS}.{c} IS {'NOT' if vendor == 'sqlite' else 'DISTINCT FROM'} excluded.{c}"
        for c in _CHANGING
    )
    updates = ", ".join(f"{c} = excluded.{c}" for c in _CHANGING)
    return (
        f"INSERT INTO {DOCUMENTS} ({', '.join(COLUMNS)}) SELECT {values} "
        f"WHERE {source.indexed.format(r=row)} "
        f"ON CONFLICT (kind, object_id) DO UPDATE SET {updates} WHERE {differs}"
    )


def _renumber(source: Source, row: str) -> str:
    """For an incident: move its documents to the restricted (odd) or open (even) ids."""
    if source.kind != "incident":
        return ""
    flag = source.restricted.format(r=row)
    return (
        f"UPDATE {DOCUMENTS} SET id = id - (id % 2) + {flag} "
        f"WHERE incident_id = {row}.id AND id % 2 <> {flag};"
    )


def _delete(source: Source, row: str) -> str:
    return f"DELETE FROM {DOCUMENTS} WHERE kind = '{source.kind}' AND object_id = {row}.id"


def _sqlite_install() -> list[str]:
    statements = [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5(title, body, facets, "
        f"content='{DOCUMENTS}', content_rowid='id', "
        "tokenize='porter unicode61 remove_diacritics 2')",
        f"CREATE TRIGGER insights_fts_insert AFTER INSERT ON {DOCUMENTS} BEGIN "
        f"INSERT INTO {FTS} (rowid, title, body, facets) "
        "VALUES (NEW.id, NEW.title, NEW.body, NEW.facets); END",
        f"CREATE TRIGGER insights_fts_delete AFTER DELETE ON {DOCUMENTS} BEGIN "
        f"INSERT INTO {FTS} ({FTS}, rowid, title, body, facets) "
        "VALUES ('delete', OLD.id, OLD.title, OLD.body, OLD.facets); END",
        f"CREATE TRIGGER insights_fts_update AFTER UPDATE OF id, title, body, facets "
        f"ON {DOCUMENTS} WHEN OLD.id <> NEW.id OR OLD.title IS NOT NEW.title "
        "OR OLD.body IS NOT NEW.body OR OLD.facets IS NOT NEW.facets BEGIN "
        f"INSERT INTO {FTS} ({FTS}, rowid, title, body, facets) "
        "VALUES ('delete', OLD.id, OLD.title, OLD.body, OLD.facets); "
        f"INSERT INTO {FTS} (rowid, title, body, facets) "
        "VALUES (NEW.id, NEW.title, NEW.body, NEW.facets); END",
    ]
    for s in SOURCES:
        name = f"insights_{s.kind}"
        statements += [
            f"CREATE TRIGGER {name}_insert AFTER INSERT ON {s.table} "
            f"BEGIN {_upsert(s, 'NEW', 'sqlite')}; END",
            f"CREATE TRIGGER {name}_update AFTER UPDATE OF {', '.join(s.watch)} ON {s.table} "
            f"BEGIN {_delete(s, 'OLD')} AND NOT ({s.indexed.format(r='NEW')}); "
            f"{_upsert(s, 'NEW', 'sqlite')}; {_renumber(s, 'NEW')} END",
            f"CREATE TRIGGER {name}_delete AFTER DELETE ON {s.table} BEGIN {_delete(s, 'OLD')}; END",
        ]
    return statements + facet_words.sqlite_triggers(DOCUMENTS)


def _sqlite_uninstall() -> list[str]:
    names = ["insights_fts_insert", "insights_fts_delete", "insights_fts_update"]
    names += [f"insights_{s.kind}_{op}" for s in SOURCES for op in ("insert", "update", "delete")]
    names += facet_words.trigger_names("sqlite")
    return [f"DROP TRIGGER IF EXISTS {name}" for name in names] + [f"DROP TABLE IF EXISTS {FTS}"]


_PG_SEARCH_TEXT = (
    # The same as core.search.search_text; the first quantifier of each pattern is
    # lazy, which PostgreSQL needs to treat the whole pattern as lazy.
    "CREATE OR REPLACE FUNCTION hindsight_search_text(body text) RETURNS text "
    "LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT regexp_replace(regexp_replace("
    "replace(body, chr(13), ''), '^---\\n.*?\\n---(\\n|$)', ''), '<!--.*?-->', ' ', 'g') $$"
)


def _pg_install() -> list[str]:
    statements = [
        _PG_SEARCH_TEXT,
        f"ALTER TABLE {DOCUMENTS} ADD COLUMN IF NOT EXISTS vector tsvector GENERATED ALWAYS AS "
        "(setweight(to_tsvector('english'::regconfig, title), 'A') || "
        "setweight(to_tsvector('english'::regconfig, body), 'B')) STORED",
        f"ALTER TABLE {DOCUMENTS} ADD COLUMN IF NOT EXISTS facet_vector tsvector "
        "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, facets)) STORED",
        # One index over both: a filtered search is one scan intersecting both lists.
        f"CREATE INDEX IF NOT EXISTS insights_document_vector ON {DOCUMENTS} "
        "USING gin (vector, facet_vector)",
    ]
    statements += facet_words.postgresql_triggers(DOCUMENTS)
    for s in SOURCES:
        function = f"insights_index_{s.kind}"
        statements += [
            f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN "
            f"IF TG_OP = 'DELETE' THEN {_delete(s, 'OLD')}; RETURN OLD; END IF; "
            f"IF NOT ({s.indexed.format(r='NEW')}) THEN {_delete(s, 'NEW')}; RETURN NEW; END IF; "
            f"{_upsert(s, 'NEW', 'postgresql')}; {_renumber(s, 'NEW')} RETURN NEW; "
            "END $$",
            f"CREATE TRIGGER {function} AFTER DELETE OR UPDATE OF {', '.join(s.watch)} "
            f"ON {s.table} FOR EACH ROW EXECUTE FUNCTION {function}()",
            # New rows are indexed once per statement, set-based: a batch of
            # 1,000 timeline events is one INSERT … SELECT, not 1,000 calls.
            f"CREATE OR REPLACE FUNCTION insights_insert_{s.kind}() RETURNS trigger "
            f"LANGUAGE plpgsql AS $$ BEGIN {_insert_rows(s, 'postgresql', 'inserted')} "
            "ON CONFLICT (kind, object_id) DO NOTHING; RETURN NULL; END $$",
            f"CREATE TRIGGER insights_insert_{s.kind} AFTER INSERT ON {s.table} "
            "REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT "
            f"EXECUTE FUNCTION insights_insert_{s.kind}()",
        ]
    return statements


def _pg_uninstall() -> list[str]:
    statements = []
    for s in SOURCES:
        statements += [
            f"DROP TRIGGER IF EXISTS insights_index_{s.kind} ON {s.table}",
            f"DROP FUNCTION IF EXISTS insights_index_{s.kind}()",
            f"DROP TRIGGER IF EXISTS insights_insert_{s.kind} ON {s.table}",
            f"DROP FUNCTION IF EXISTS insights_insert_{s.kind}()",
        ]
    statements += facet_words.postgresql_uninstall()
    return statements + [
        f"ALTER TABLE {DOCUMENTS} DROP COLUMN IF EXISTS vector",
        f"ALTER TABLE {DOCUMENTS} DROP COLUMN IF EXISTS facet_vector",
        "DROP FUNCTION IF EXISTS hindsight_search_text(text)",
    ]


def _insert_rows(source: Source, vendor: str, table: str) -> str:
    """INSERT … SELECT of the documents of every (indexed) row of ``table``."""
    return (
        f"INSERT INTO {DOCUMENTS} ({', '.join(COLUMNS)}) "
        f"SELECT {', '.join(_values(source, 'r', vendor))} FROM {table} r "
        f"WHERE {source.indexed.format(r='r')}"
    )


def _backfill(vendor: str) -> list[str]:
    return [f"DELETE FROM {DOCUMENTS}"] + [_insert_rows(s, vendor, s.table) for s in SOURCES]


def install(connection: BaseDatabaseWrapper) -> None:
    """Create the engine's full-text index and triggers, and index what is already stored."""
    uninstall(connection)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Index the existing rows before the GIN index and triggers exist: one pass.
            cursor.execute(_PG_SEARCH_TEXT)
            for statement in _backfill(connection.vendor) + _pg_install():
                cursor.execute(statement)
            # Statistics of the new tsvector columns: the planner picks the index by them.
            cursor.execute(f"ANALYZE {DOCUMENTS}")
        else:
            for statement in _backfill(connection.vendor) + _sqlite_install():
                cursor.execute(statement)
            cursor.execute(f"INSERT INTO {FTS} ({FTS}) VALUES ('rebuild')")


def uninstall(connection: BaseDatabaseWrapper) -> None:
    """Drop the full-text index and its triggers (the document table stays)."""
    statements = _pg_uninstall() if connection.vendor == "postgresql" else _sqlite_uninstall()
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def rebuild(connection: BaseDatabaseWrapper) -> None:
    """Index everything again from the source tables (after a restore or a bulk load)."""
    install(connection)


def _expected_triggers(vendor: str) -> set[str]:
    facts = set(facet_words.trigger_names(vendor))
    if vendor == "postgresql":
        return facts | {f"insights_{op}_{s.kind}" for s in SOURCES for op in ("index", "insert")}
    names = {"insights_fts_insert", "insights_fts_delete", "insights_fts_update"}
    return (
        names
        | facts
        | {f"insights_{s.kind}_{op}" for s in SOURCES for op in ("insert", "update", "delete")}
    )


def missing_triggers(connection: BaseDatabaseWrapper) -> set[str]:
    """Return the index triggers that are not in the database."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        present = {row[0] for row in cursor.fetchall()}
    return _expected_triggers(connection.vendor) - present


def ensure_installed(connection: BaseDatabaseWrapper) -> bool:
    """Rebuild the index if a trigger is missing; return whether it had to.

    SQLite cannot alter most columns in place: Django copies the table into a
    new one, and the old table's triggers go with it. Run after every migrate,
    this notices and re-indexes everything, so the index never silently stops
    following a table.
    """
    if DOCUMENTS not in connection.introspection.table_names():
        return False
    missing = missing_triggers(connection)
    if not missing:
        return False
    log.warning("search index triggers missing (%s); re-indexing", ", ".join(sorted(missing)))
    install(connection)
    return True
