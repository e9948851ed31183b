"""Normalizes a JSONL file with dlt itself and prints what it produced, for the parity tests.

usage: dlt_normalize.py FILE WORKDIR OPTIONS_JSON
OPTIONS_JSON: {"table": str, "mergeStrategy"?: "upsert"|"scd2", "primaryKey"?: str, "maxNesting"?: int,
"contract"?: dict, "format"?: "jsonl"|"parquet", "columns"?: dict of column hints}. With a contract, the first half of the items is normalized first without it,
and what is printed is the second package, normalized under the contract.
Prints one JSON document: {"tables": {name: {"parent", "columns": [[name, type]]}}, "rows": {table: [row]}};
for Parquet, "parquet": {table: [[field, Arrow type, nullable]]} (the file's schema) instead of rows.
"""
import glob
import json
import os
import shutil
import sys

os.environ["NORMALIZE__DATA_WRITER__DISABLE_COMPRESSION"] = "true"
sys.path.insert(0, os.path.dirname(__file__))
from parquet_schemas import parquet_schema  # noqa: E402
import dlt  # noqa: E402

path, workdir, options = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
shutil.rmtree(workdir, ignore_errors=True)
pipeline = dlt.pipeline(pipeline_name="parity", destination="duckdb", dataset_name="parity", pipelines_dir=workdir)


def items():
    with open(path, encoding="utf-8") as f:
        for line in f:
            yield json.loads(line)


file_format = options.get("format", "jsonl")
hints = {}
if options.get("mergeStrategy"):
    hints["write_disposition"] = {"disposition": "merge", "strategy": options["mergeStrategy"]}
if options.get("primaryKey"):
    hints["primary_key"] = options["primaryKey"]
if options.get("columns"):
    hints["columns"] = options["columns"]
if options.get("maxNesting") is not None:
    hints["max_table_nesting"] = options["maxNesting"]
if options.get("contract"):
    every = list(items())
    half = len(every) // 2
    pipeline.extract(dlt.resource(every[:half], name=options["table"], **hints), loader_file_format=file_format)
    pipeline.normalize()
    shutil.rmtree(os.path.join(workdir, "parity", "load", "normalized"), ignore_errors=True)
    contracted = dlt.resource(every[half:], name=options["table"], schema_contract=options["contract"], **hints)
    pipeline.extract(contracted, loader_file_format=file_format)
else:
    pipeline.extract(dlt.resource(items(), name=options["table"], **hints), loader_file_format=file_format)
pipeline.normalize()

tables = {
    name: {"parent": table.get("parent"), "columns": [[c, col.get("data_type")] for c, col in table["columns"].items()]}
    for name, table in pipeline.default_schema.tables.items()
    if not name.startswith("_dlt")
}
found = {}
for job in glob.glob(os.path.join(workdir, "parity", "load", "normalized", "*", "new_jobs", f"*.{file_format}")):
    table = os.path.basename(job).split(".")[0]
    if table in tables:
        found.setdefault(table, []).append(job)
if file_format == "parquet":
    print(json.dumps({"tables": tables, "parquet": {table: parquet_schema(jobs[0]) for table, jobs in found.items()}}))
else:
    rows = {}
    for table, jobs in found.items():
        for job in jobs:
            with open(job, encoding="utf-8") as f:
                rows.setdefault(table, []).extend(json.loads(line) for line in f if line.strip())
    print(json.dumps({"tables": tables, "rows": rows}, default=str))
