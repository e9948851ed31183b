"""Benchmark helper: dlt's own normalize on a JSONL file (extract in one process, normalize timed in another).

usage: dlt_normalize.py extract|normalize FILE WORKDIR
Prints one JSON line: items, rows, seconds, peak RSS of the normalizing process.
"""
import json
import resource
import sys
import time

import dlt

mode, path, workdir = sys.argv[1:4]
pipeline = dlt.pipeline(pipeline_name="bench", destination="duckdb", dataset_name="bench", pipelines_dir=workdir)


@dlt.resource(name="orders")
def orders():
    with open(path, "rb") as f:
        batch = []
        for line in f:
            batch.append(json.loads(line))
            if len(batch) == 5000:
                yield batch
                batch = []
        if batch:
            yield batch


if mode == "extract":
    pipeline.extract(orders(), loader_file_format="parquet")
    print(json.dumps({"extracted": True}))
else:
    started = time.perf_counter()
    info = pipeline.normalize()
    seconds = time.perf_counter() - started
    metrics = info.metrics[info.loads_ids[0]][0]
    # the data tables' rows, as ours counts them (dlt also writes its state table's one row)
    rows = sum(m.items_count for name, m in metrics["table_metrics"].items() if not name.startswith("_dlt"))
    items = metrics["table_metrics"]["orders"].items_count
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"items": items, "rows": rows, "seconds": seconds, "peakRssMB": peak_mb}))
