"""Real Python clients against `doql serve`: SQLAlchemy (psycopg2 and psycopg 3), pandas, psycopg's
server-side cursors. Run by bi-clients.test.ts as `python3 bi_clients.py PORT SCENARIO [ARG…]`; prints one JSON
object with what the client saw (types as Python type names, times as ISO text), which the test checks."""
import datetime
import decimal
import json
import sys

PORT = sys.argv[1]
SCENARIO = sys.argv[2]
ARGS = sys.argv[3:]
DSN = f"host=127.0.0.1 port={PORT} user=tester dbname=digitalocean"


def jsonable(value):
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            raise AssertionError(f"a naive datetime came back: {value!r}")
        return value.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    if hasattr(value, "item"):  # numpy scalars from pandas
        return value.item()
    return value


def rows(result):
    return [[jsonable(v) for v in row] for row in result]


def params():
    """The threshold time and the id list the test chose, as Python values."""
    threshold = datetime.datetime.strptime(ARGS[0], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    ids = [int(x) for x in ARGS[1].split(",")]
    return threshold, ids


def sqlalchemy_scenario(driver):
    import sqlalchemy as sa

    engine = sa.create_engine(f"postgresql+{driver}://tester@127.0.0.1:{PORT}/digitalocean")
    threshold, ids = params()
    out = {}
    with engine.connect() as conn:
        inspector = sa.inspect(conn)
        columns = inspector.get_columns("droplets", schema="compute")
        out["columns"] = {c["name"]: type(c["type"]).__name__ for c in columns}
        created_at = next(c["type"] for c in columns if c["name"] == "created_at")
        out["created_at_python_type"] = created_at.python_type.__name__
        out["created_at_timezone"] = created_at.timezone
        out["pk"] = inspector.get_pk_constraint("droplets", schema="compute")
        out["schemas_include_compute"] = "compute" in inspector.get_schema_names()
        out["tables_include_droplets"] = "droplets" in inspector.get_table_names(schema="compute")
        # What BI tools (Superset and the like) ask of a table besides its columns.
        out["has_table"] = [inspector.has_table("droplets", schema="compute"), inspector.has_table("no_such_table", schema="compute")]
        out["indexes"] = inspector.get_indexes("droplets", schema="compute")
        out["foreign_keys"] = inspector.get_foreign_keys("droplets", schema="compute")
        out["unique_constraints"] = inspector.get_unique_constraints("droplets", schema="compute")
        out["comment"] = inspector.get_table_comment("droplets", schema="compute")["text"]
        out["sqlalchemy_version"] = sa.__version__
        table = sa.Table("droplets", sa.MetaData(), autoload_with=conn, schema="compute")
        out["table_columns"] = list(table.columns.keys())
        query = (
            sa.select(table.c.id, table.c.name, table.c.created_at)
            .where(table.c.created_at < threshold)
            .where(table.c.id.in_(ids))
            .order_by(table.c.id)
        )
        out["select_in"] = rows(conn.execute(query))
        any_query = sa.text(
            "SELECT id, name, created_at FROM compute.droplets WHERE created_at < :t AND id = ANY(:ids) ORDER BY id"
        ).bindparams(sa.bindparam("ids", type_=sa.ARRAY(sa.BigInteger)))
        out["select_any"] = rows(conn.execute(any_query, {"t": threshold, "ids": ids}))
        # A boolean parameter (psycopg 3 binds it; psycopg2 inlines `false`) compared with a boolean column.
        unlocked = sa.select(table.c.id).where(table.c.locked == sa.bindparam("locked", False)).order_by(table.c.id)
        out["select_bool"] = [r[0] for r in conn.execute(unlocked)]
        # A server-side cursor (DECLARE … FETCH), as pandas' chunksize and BI tools' large reads stream results.
        streamed = conn.execute(sa.select(table.c.id).order_by(table.c.id).execution_options(stream_results=True, yield_per=2))
        batches = streamed.partitions()
        out["streamed_batches"] = [[r[0] for r in next(batches)]]
        out["cursors_while_streaming"] = conn.execute(sa.text("SELECT count(*) FROM pg_catalog.pg_cursors")).scalar()
        out["streamed_batches"] += [[r[0] for r in batch] for batch in batches]
        out["now_type"] = type(conn.execute(sa.text("SELECT now()")).scalar()).__name__
    return out


def pandas_scenario():
    import pandas as pd
    import sqlalchemy as sa

    engine = sa.create_engine(f"postgresql+psycopg2://tester@127.0.0.1:{PORT}/digitalocean")
    threshold, ids = params()
    table = pd.read_sql_table("droplets", engine, schema="compute")
    frame = pd.read_sql(
        "SELECT id, name, created_at FROM compute.droplets WHERE created_at < %(t)s AND id = ANY(%(ids)s) ORDER BY id",
        engine,
        params={"t": threshold, "ids": ids},
    )
    return {
        "table_dtypes": {c: str(t) for c, t in table.dtypes.items()},
        "table_rows": rows(table[["id", "name", "created_at"]].sort_values("id").itertuples(index=False)),
        "query_dtypes": {c: str(t) for c, t in frame.dtypes.items()},
        "query_rows": rows(frame.itertuples(index=False)),
    }


def pandas_connection_scenario(driver):
    """pandas over a SQLAlchemy Connection and text(): the way that works with SQLAlchemy 2 (pandas 1.5, Debian 12's,
    calls Engine.execute, which SQLAlchemy 2 removed, so it is given a Connection, as pandas 2 recommends)."""
    import pandas as pd
    import sqlalchemy as sa

    engine = sa.create_engine(f"postgresql+{driver}://tester@127.0.0.1:{PORT}/digitalocean")
    threshold, ids = params()
    with engine.connect() as conn:
        table = pd.read_sql_table("droplets", conn, schema="compute")
        query = sa.text(
            "SELECT id, name, created_at FROM compute.droplets WHERE created_at < :t AND id = ANY(:ids) ORDER BY id"
        ).bindparams(sa.bindparam("ids", type_=sa.ARRAY(sa.BigInteger)))
        frame = pd.read_sql(query, conn, params={"t": threshold, "ids": ids})
    return {
        "sqlalchemy_version": sa.__version__,
        "table_dtypes": {c: str(t) for c, t in table.dtypes.items()},
        "table_rows": rows(table[["id", "name", "created_at"]].sort_values("id").itertuples(index=False)),
        "query_dtypes": {c: str(t) for c, t in frame.dtypes.items()},
        "query_rows": rows(frame.itertuples(index=False)),
    }


def psycopg_scenario():
    import psycopg
    from psycopg.types import TypeInfo

    threshold, ids = params()
    out = {}
    with psycopg.connect(DSN) as conn:
        # What SQLAlchemy 2's psycopg dialect asks on connect (to_regtype), and psycopg's own type lookups.
        out["hstore"] = TypeInfo.fetch(conn, "hstore") is not None
        out["jsonb_oid"] = TypeInfo.fetch(conn, "jsonb").oid
        out["to_regtype"] = conn.execute("SELECT to_regtype('timestamptz')::oid, to_regtype('nope')").fetchone()
        # Parameters in binary (%b) and text (%t): a datetime, a list.
        for fmt in ("b", "t"):
            cur = conn.execute(
                f"SELECT id, name, created_at FROM compute.droplets WHERE created_at < %{fmt} AND id = ANY(%{fmt}) ORDER BY id",
                [threshold, ids],
            )
            out[f"params_{fmt}"] = rows(cur.fetchall())
            out[f"types_{fmt}"] = [d.type_code for d in cur.description]
        for fmt in ("b", "t"):
            cur = conn.execute(f"SELECT id FROM compute.droplets WHERE locked = %{fmt} ORDER BY id", [False])
            out[f"bool_{fmt}"] = [r[0] for r in cur.fetchall()]
            cur = conn.execute(f"SELECT id FROM compute.droplets WHERE locked = ANY(%{fmt}) ORDER BY id", [[True]])
            out[f"bool_any_{fmt}"] = [r[0] for r in cur.fetchall()]
        binary = conn.cursor(binary=True)
        binary.execute("SELECT id, name, created_at, tags FROM compute.droplets ORDER BY id")
        out["binary_results"] = [[jsonable(v) for v in row[:3]] + [type(row[3]).__name__] for row in binary.fetchall()]
        out["binary_types"] = [d.type_code for d in binary.description]
        for fmt in ("b", "t"):
            placeholders = ", ".join(f"%{fmt}::{t}" for t in ("int2", "int4", "int8", "float4", "float8", "numeric", "bool", "text", "date", "jsonb", "json", "timestamptz"))
            typed = conn.execute(
                f"SELECT {placeholders}",
                [1, 2, 3, 1.5, 2.5, decimal.Decimal("12.34"), True, "x", datetime.date(2024, 6, 1), psycopg.types.json.Jsonb({"a": 1}), psycopg.types.json.Json([1]), threshold],
            ).fetchone()
            out[f"typed_params_{fmt}"] = [v if isinstance(v, (bool, int, float, str, dict, list)) else jsonable(v) if isinstance(v, datetime.datetime) else str(v) for v in typed]
        for fmt in ("b", "t"):
            out[f"text_array_{fmt}"] = rows(conn.execute(f"SELECT name FROM compute.droplets WHERE name = ANY(%{fmt}) ORDER BY name", [ARGS[2].split(",")]))
        with conn.cursor(name="batches") as cur:
            cur.itersize = 2
            cur.execute("SELECT id, created_at FROM compute.droplets WHERE id > %s ORDER BY id", [0])
            first = cur.fetchmany(2)
            out["first_batch_rows_from_server"] = cur.pgresult.ntuples
            out["cursor_listed"] = conn.execute("SELECT name FROM pg_catalog.pg_cursors").fetchall()
            out["named_cursor"] = rows(first + cur.fetchall())
        conn.commit()
        out["cursors_after_commit"] = conn.execute("SELECT count(*) FROM pg_catalog.pg_cursors").fetchone()[0]
    return out


def money_scenario():
    """Decimal strings (money) are numeric: Decimal in Python, in text and binary results."""
    import psycopg

    out = {}
    with psycopg.connect(DSN) as conn:
        for binary in (False, True):
            cur = conn.cursor(binary=binary)
            cur.execute("SELECT account_balance, month_to_date_usage, generated_at FROM billing.balances")
            row = cur.fetchone()
            out["binary" if binary else "text"] = {
                "oids": [d.type_code for d in cur.description],
                "types": [type(v).__name__ for v in row],
                "values": [str(v) if isinstance(v, decimal.Decimal) else jsonable(v) for v in row],
            }
    return out


def psycopg2_cursor_scenario():
    import psycopg2

    conn = psycopg2.connect(DSN)
    try:
        cur = conn.cursor("batches2")
        cur.itersize = 2
        cur.execute("SELECT id, created_at FROM compute.droplets ORDER BY id")
        fetched = rows(list(cur))
        cur.close()
        conn.commit()
        return {"named_cursor": fetched}
    finally:
        conn.close()


def failed_block_scenario():
    """psycopg 3: an error in a transaction fails it (every statement refused, 25P02) until rollback; a nested
    transaction is a savepoint, and an error inside it is rolled back to that savepoint, the outer one going on."""
    import psycopg

    out = {}
    with psycopg.connect(DSN) as conn:
        try:
            conn.execute("SELECT nope")
        except psycopg.Error as e:
            out["error"] = e.sqlstate
        out["status_after_error"] = conn.info.transaction_status.name
        try:
            conn.execute("SELECT 1")
        except psycopg.Error as e:
            out["refused"] = [e.sqlstate, e.diag.message_primary]
        conn.rollback()
        out["after_rollback"] = conn.execute("SELECT 'again'").fetchone()[0]
        conn.rollback()
        with conn.transaction():
            conn.execute("SELECT 1")
            try:
                with conn.transaction():
                    conn.execute("SELECT nope")
            except psycopg.Error as e:
                out["nested_error"] = e.sqlstate
            out["status_in_outer"] = conn.info.transaction_status.name
            out["outer_goes_on"] = conn.execute("SELECT 'outer'").fetchone()[0]
        out["status_at_end"] = conn.info.transaction_status.name
    return out


def psycopg2_failed_block_scenario():
    """psycopg2: the failed transaction's InFailedSqlTransaction, and rollback() ending it."""
    import psycopg2
    import psycopg2.errors
    import psycopg2.extensions as ext

    conn = psycopg2.connect(DSN)
    out = {}
    try:
        cur = conn.cursor()
        try:
            cur.execute("SELECT nope")
        except psycopg2.Error as e:
            out["error"] = e.pgcode
        out["in_error"] = conn.get_transaction_status() == ext.TRANSACTION_STATUS_INERROR
        try:
            cur.execute("SELECT %s", (1,))
        except psycopg2.errors.InFailedSqlTransaction as e:
            out["refused"] = e.pgcode
        conn.rollback()
        cur.execute("SELECT 'again'")
        out["after_rollback"] = cur.fetchone()[0]
        conn.commit()
    finally:
        conn.close()
    return out


SCENARIOS = {
    "failed-block": failed_block_scenario,
    "psycopg2-failed-block": psycopg2_failed_block_scenario,
    "sqlalchemy-psycopg2": lambda: sqlalchemy_scenario("psycopg2"),
    "sqlalchemy-psycopg": lambda: sqlalchemy_scenario("psycopg"),
    "pandas": pandas_scenario,
    "pandas-psycopg": lambda: pandas_connection_scenario("psycopg"),
    "psycopg": psycopg_scenario,
    "psycopg2-cursor": psycopg2_cursor_scenario,
    "money": money_scenario,
}

print(json.dumps(SCENARIOS[SCENARIO](), default=str))
