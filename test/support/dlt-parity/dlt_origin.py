"""Loads a pipeline into DuckDB with dlt itself, as a dlt user does before moving to Sluice.

usage: dlt_origin.py DB PIPELINE DATASET WORKDIR
Merges `users` (nested pets) with an incremental cursor on a datetime, so the state dlt stores
holds a typed value. Prints one JSON document: the schema's name, version and hash, the state's
version and sources (datetimes as ISO text), and the load id.
"""
import json
import shutil
import sys

import dlt
import pendulum

db, pipeline_name, dataset, workdir = sys.argv[1:5]
shutil.rmtree(workdir, ignore_errors=True)


@dlt.resource(name="users", primary_key="id", write_disposition="merge")
def users(updated_at=dlt.sources.incremental("updated_at", initial_value=pendulum.datetime(2024, 1, 1))):
    yield [
        {"id": 1, "name": "Alice", "updated_at": pendulum.datetime(2024, 5, 1), "pets": [{"name": "Fluffy"}]},
        {"id": 2, "name": "Bob", "updated_at": pendulum.datetime(2024, 6, 1), "pets": []},
    ]


pipeline = dlt.pipeline(
    pipeline_name=pipeline_name,
    destination=dlt.destinations.duckdb(db),
    dataset_name=dataset,
    pipelines_dir=workdir,
)
info = pipeline.run(users())
schema = pipeline.default_schema
state = pipeline.state
print(
    json.dumps(
        {
            "schema": {"name": schema.name, "version": schema.version, "version_hash": schema.version_hash},
            "state": {"version": state["_state_version"], "sources": state.get("sources")},
            "loads": list(info.loads_ids),
        },
        default=lambda value: value.isoformat(),
    )
)
