"""Restores a pipeline that Sluice loaded into DuckDB with dlt itself, then loads more into it.

usage: dlt_restore.py DB PIPELINE DATASET WORKDIR TABLE ITEMS_JSON
dlt starts without local state (a fresh WORKDIR), so `sync_destination` must rebuild the pipeline
from what the dataset holds: the schema in `_dlt_version` and the state in `_dlt_pipeline_state`.
Then ITEMS_JSON (a JSON list) is loaded into TABLE. Prints one JSON document: the restored
schema's name, version and hash, its tables, the restored state's dataset and sources (where
incremental cursors live), dlt's load ids, and the state's version and hash after dlt's load.
"""
import json
import shutil
import sys

import dlt

db, pipeline_name, dataset, workdir, table, items = sys.argv[1:7]
shutil.rmtree(workdir, ignore_errors=True)
pipeline = dlt.pipeline(
    pipeline_name=pipeline_name,
    destination=dlt.destinations.duckdb(db),
    dataset_name=dataset,
    pipelines_dir=workdir,
)
pipeline.sync_destination()
schema = pipeline.default_schema
restored = {
    "schema": {"name": schema.name, "version": schema.version, "version_hash": schema.version_hash},
    "tables": sorted(schema.tables.keys()),
    "state": {"dataset_name": pipeline.state.get("dataset_name"), "sources": pipeline.state.get("sources")},
}
info = pipeline.run(json.loads(items), table_name=table)
after = {"version": pipeline.state["_state_version"], "version_hash": pipeline.state["_version_hash"]}
print(json.dumps({**restored, "loads": list(info.loads_ids), "state_after_load": after}))
