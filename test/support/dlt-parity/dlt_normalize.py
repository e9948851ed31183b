"""Normalizes a JSONL file with dlt itself and prints what it produced, for the parity tests.

usage: dlt_normalize.py FILE WORKDIR OPTIONS_JSON
OPTIONS_JSON: {"table": str, "mergeStrategy"?: "upsert"|"scd2", "primaryKey"?: str, "maxNesting"?: int}
Prints one JSON document: {"tables": {name: {"parent", "columns": [[name, type]]}}, "rows": {table: [row]}}.
"""
import glob
import json
import os
import shutil
import sys

os.environ["NORMALIZE__DATA_WRITER__DISABLE_COMPRESSION"] = "true"
import dlt  # noqa: E402

path, workdir, options = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
shutil.rmtree(workdir, ignore_errors=True)
pipeline = dlt.pipeline(pipeline_name="parity", destination="duckdb", dataset_name="parity", pipelines_dir=workdir)


def items():
    with open(path, encoding="utf-8") as f:
        for line in f:
            yield json.loads(line)


hints = {}
if options.get("mergeStrategy"):
    hints["write_disposition"] = {"disposition": "merge", "strategy": options["mergeStrategy"]}
if options.get("primaryKey"):
    hints["primary_key"] = options["primaryKey"]
if options.get("maxNesting") is not None:
    hints["max_table_nesting"] = options["maxNesting"]
pipeline.extract(dlt.resource(items(), name=options["table"], **hints), loader_file_format="jsonl")
pipeline.normalize()

tables = {
    name: {"parent": table.get("parent"), "columns": [[c, col.get("data_type")] for c, col in table["columns"].items()]}
    for name, table in pipeline.default_schema.tables.items()
    if not name.startswith("_dlt")
}
rows = {}
for job in glob.glob(os.path.join(workdir, "parity", "load", "normalized", "*", "new_jobs", "*.jsonl")):
    table = os.path.basename(job).split(".")[0]
    if table in tables:
        with open(job, encoding="utf-8") as f:
            rows.setdefault(table, []).extend(json.loads(line) for line in f if line.strip())
print(json.dumps({"tables": tables, "rows": rows}, default=str))
