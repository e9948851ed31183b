"""Benchmark helper: dlt's own normalize on a JSONL file (extract in one process, normalize timed in another).

usage: dlt_normalize.py extract|normalize FILE WORKDIR
Prints one JSON line: items, rows, seconds, CPU seconds (with NORMALIZE__WORKERS, its worker
processes' too), peak RSS of the normalizing process (with workers, of the largest of its
processes) and the worker tasks dlt ran again after a schema conflict.
"""
import json
import logging
import os
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

    def cpu_seconds():
        # the pool's processes count once they have ended, which they have when normalize returns
        usages = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
        return sum(usage.ru_utime + usage.ru_stime for usage in usages)

    class ConflictCount(logging.Handler):
        """Counts the tasks dlt's workers did twice: a schema change one worker made that another's
        conflicts with is retried, which can double the time of a run with workers."""

        count = 0

        def emit(self, record):
            if "Parallel schema update conflict" in record.getMessage():
                ConflictCount.count += 1

    logging.getLogger("dlt").addHandler(ConflictCount())
    started = time.perf_counter()
    cpu_started = cpu_seconds()
    info = pipeline.normalize()
    seconds = time.perf_counter() - started
    cpu = cpu_seconds() - cpu_started
    # the data tables' rows, as ours counts them (dlt also writes its state table's one row), from
    # the files written: with several workers, dlt 1.26's table metrics keep one worker's
    jobs = [job for step in info.metrics[info.loads_ids[0]] for job in step["job_metrics"].values()]
    tables = [(os.path.basename(job.file_path).split(".")[0], job.items_count) for job in jobs]
    rows = sum(count for table, count in tables if not table.startswith("_dlt"))
    items = sum(count for table, count in tables if table == "orders")
    # with workers, the largest of the processes (the pool's, ended by now, or this one)
    peak_kb = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    peak_mb = peak_kb / 1024
    print(
        json.dumps(
            {
                "items": items,
                "rows": rows,
                "seconds": seconds,
                "cpuSeconds": cpu,
                "peakRssMB": peak_mb,
                "retriedTasks": ConflictCount.count,
            }
        )
    )
