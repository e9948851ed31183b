"""Pulls a REST API incrementally into DuckDB with dlt's rest_api source, as a dlt user does.

usage: dlt_rest_origin.py BASE_URL DB PIPELINE DATASET WORKDIR
`/ticks?since=<at>` is pulled into `ticks` (primary key `id`, appended), the cursor on `at` kept
in the state under the source's own section (`rest_api`). Prints the state's sources as JSON.
"""
import json
import shutil
import sys

import dlt
from dlt.sources.rest_api import rest_api_source

base_url, db, pipeline_name, dataset, workdir = sys.argv[1:6]
shutil.rmtree(workdir, ignore_errors=True)
source = rest_api_source(
    {
        "client": {"base_url": base_url},
        "resource_defaults": {"write_disposition": "append"},
        "resources": [
            {
                "name": "ticks",
                "primary_key": "id",
                "endpoint": {
                    "path": "ticks",
                    "paginator": "single_page",
                    "params": {
                        "since": {
                            "type": "incremental",
                            "cursor_path": "at",
                            "initial_value": "2024-01-01T00:00:00Z",
                        }
                    },
                },
            }
        ],
    }
)
pipeline = dlt.pipeline(
    pipeline_name=pipeline_name,
    destination=dlt.destinations.duckdb(db),
    dataset_name=dataset,
    pipelines_dir=workdir,
)
pipeline.run(source)
print(json.dumps(pipeline.state.get("sources"), default=str))
