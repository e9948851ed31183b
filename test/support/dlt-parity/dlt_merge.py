"""Loads two JSONL files into DuckDB with dlt, then prints what both databases hold.

usage: dlt_merge.py FIRST SECOND WORKDIR DISPOSITION OURS_DB DATASET
DISPOSITION is append, replace, or a merge strategy (upsert, delete-insert, scd2).
Runs dlt 1.26 twice (FIRST, then SECOND) with primary key `id` and that disposition into its own
DuckDB file, then reads the user tables of DATASET from that file and from OURS_DB with the same
client, so values print alike: {"dlt": {table: [row]}, "ours": {table: [row]}}, each value as str(),
and the schema each stored last in `_dlt_version`: {"schemas": {"dlt": ..., "ours": ...}}.
"""
import json
import os
import shutil
import sys

import dlt
import duckdb

first, second, workdir, disposition, ours_db, dataset = sys.argv[1:7]
shutil.rmtree(workdir, ignore_errors=True)
dlt_db = os.path.join(workdir, "dlt.duckdb")


class ParquetDuckDb(dlt.destinations.duckdb):
    """DuckDB preferring Parquet, as Sluice's does. Passing loader_file_format to run() instead
    would also record it as each table's file_format hint, which Sluice's schema does not carry."""

    def _raw_capabilities(self):
        caps = super()._raw_capabilities()
        caps.preferred_loader_file_format = "parquet"
        return caps


pipeline = dlt.pipeline(
    pipeline_name="merge_parity",
    destination=ParquetDuckDb(dlt_db),
    dataset_name=dataset,
    pipelines_dir=workdir,
)
for path in (first, second):
    with open(path, encoding="utf-8") as f:
        items = [json.loads(line) for line in f]
    how = disposition if disposition in ("append", "replace") else {"disposition": "merge", "strategy": disposition}
    pipeline.run(dlt.resource(items, name=dataset, primary_key="id", write_disposition=how))


def tables(db):
    con = duckdb.connect(db, read_only=True)
    names = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = ? AND table_name NOT LIKE '\\_dlt%' ESCAPE '\\'",
        [dataset],
    ).fetchall()
    out = {}
    for (name,) in names:
        cursor = con.execute(f'SELECT * FROM "{dataset}"."{name}"')
        columns = [d[0] for d in cursor.description]
        out[name] = [{c: None if v is None else str(v) for c, v in zip(columns, row)} for row in cursor.fetchall()]
    con.close()
    return out


def stored_schema(db):
    """The schema of the last `_dlt_version` row: what dlt restores a pipeline from."""
    con = duckdb.connect(db, read_only=True)
    row = con.execute(f'SELECT schema FROM "{dataset}"._dlt_version ORDER BY inserted_at DESC LIMIT 1').fetchone()
    con.close()
    return json.loads(row[0])


print(json.dumps({
    "dlt": tables(dlt_db),
    "ours": tables(ours_db),
    "schemas": {"dlt": stored_schema(dlt_db), "ours": stored_schema(ours_db)},
}))
