"""The local warehouse's executor: one long-lived Spark + Delta Lake process driven over a line
protocol. Each request on stdin is one JSON line; each answer on stdout is one JSON line:

  {"id": 1, "op": "open", "session": "s", "catalog": "main", "schema": "default"}
  {"id": 2, "op": "execute", "session": "s", "sql": "SELECT 1"}
  {"id": 3, "op": "close", "session": "s"}
  -> {"id": 2, "ok": true, "columns": [{"name": "1", "type": "int"}], "rows": [[1]]}
  -> {"id": 2, "ok": false, "error_class": "...", "sqlstate": "42P01", "message": "..."}

Spark's own logging goes to stderr. Run with: python spark_engine.py CONFIG.json
"""
import base64
import datetime
import decimal
import json
import math
import os
import re
import sys
import time

from copy_executor import CopyExecutor
from copy_parser import is_copy_into, parse_copy_into
from errors import WarehouseError
from info_schema import VIEW_NAMES, register_views
from sql_rewrite import rewrite, use_catalog

os.environ.setdefault("TZ", "UTC")
time.tzset()


def start_spark(config):
    from delta import configure_spark_with_delta_pip
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.master("local[2]").appName("sluice-local-warehouse")
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        .config("spark.sql.warehouse.dir", os.path.join(config["warehouse_dir"], "tables"))
        .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={config['warehouse_dir']}")
        .config("spark.sql.sources.default", "delta")
        .config("spark.sql.legacy.createHiveTableByDefault", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.ansi.enabled", "true")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.databricks.delta.snapshotPartitions", "1")
        .config("spark.sql.adaptive.enabled", "false")
        .config("spark.default.parallelism", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.jars.ivy", config["ivy_dir"])
    )
    if config.get("delta_jars"):
        builder = builder.config("spark.jars", ",".join(config["delta_jars"]))
    else:
        builder = configure_spark_with_delta_pip(builder)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


class Engine:
    def __init__(self, config):
        self.config = config
        self.catalogs = {c.lower() for c in config["catalogs"]}
        self.spark = start_spark(config)
        self.sessions = {}
        self.copier = CopyExecutor(config, os.path.join(config["warehouse_dir"], "copy_into_log"))

    def open(self, request):
        catalog = request.get("catalog") or self.config["catalogs"][0]
        if catalog.lower() not in self.catalogs:
            raise WarehouseError("NO_SUCH_CATALOG_EXCEPTION", "42704", f"Catalog '{catalog}' was not found.")
        session = self.spark.newSession()
        schema = request.get("schema")
        # Databricks opens a session in a schema that does not exist yet (dlt opens its sessions
        # in the dataset it is about to create): such a session starts in the default schema
        if schema and session.catalog.databaseExists(schema):
            session.sql(f"USE spark_catalog.`{schema.replace('`', '``')}`")
        self.sessions[request["session"]] = {"spark": session, "catalog": catalog}
        return {}

    def close(self, request):
        self.sessions.pop(request["session"], None)
        return {}

    def execute(self, request):
        state = self.sessions.get(request["session"])
        if state is None:
            raise WarehouseError("INVALID_HANDLE", "HY000", "The session is not open.")
        spark, sql = state["spark"], request["sql"]
        catalog = use_catalog(sql)
        if catalog is not None:
            if catalog.lower() not in self.catalogs:
                raise WarehouseError("NO_SUCH_CATALOG_EXCEPTION", "42704", f"Catalog '{catalog}' was not found.")
            state["catalog"] = catalog
            return result(None)
        rewritten, views = rewrite(sql, self.catalogs, VIEW_NAMES)
        if views:
            only = re.search(r"\b(?:table_schema|schema_name)\s*=\s*'([^'\\]*)'", sql, re.I)
            register_views(spark, state["catalog"], views, only.group(1) if only else None)
        if is_copy_into(rewritten):
            copy = parse_copy_into(rewritten)
            table = ".".join(f"`{p.replace('`', '``')}`" for p in copy.target)
            inserted = self.copier.run(spark, copy, table)
            return {"columns": [{"name": "num_affected_rows", "type": "bigint"}, {"name": "num_inserted_rows", "type": "bigint"}],
                    "rows": [[str(inserted), str(inserted)]]}
        # automatic liquid clustering is Databricks-only; OSS Delta tables simply stay unclustered
        rewritten = re.sub(r"\bCLUSTER\s+BY\s+AUTO\b", "", rewritten, flags=re.I)
        clone = re.match(r"^\s*CREATE\s+(OR\s+REPLACE\s+)?TABLE\s+(.+?)\s+(?:DEEP\s+)?CLONE\s+(.+?)\s*;?\s*$", rewritten, re.I | re.S)
        if clone:
            # OSS Delta clones only shallowly; a deep clone is a full copy of the data
            spark.sql(f"CREATE {clone.group(1) or ''}TABLE {clone.group(2)} AS SELECT * FROM {clone.group(3)}")
            return result(None)
        truncate = re.match(r"^\s*TRUNCATE\s+TABLE\s+(.+?)\s*;?\s*$", rewritten, re.I | re.S)
        if truncate:
            # OSS Delta has no TRUNCATE; DELETE gives the same table contents.
            spark.sql(f"DELETE FROM {truncate.group(1)}")
            return result(None)
        return result(spark.sql(rewritten))


def result(frame):
    if frame is None or not frame.columns:
        return {"columns": [], "rows": []}
    columns = [{"name": f.name, "type": f.dataType.simpleString()} for f in frame.schema.fields]
    return {"columns": columns, "rows": [[to_json(v) for v in row] for row in frame.collect()]}


def to_json(value):
    """Values as the wire carries them: exact integers and decimals as text, times as ISO text."""
    if isinstance(value, float) and not math.isfinite(value):
        # JSON has no infinities or NaN; Number() on the other side reads these names back
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if value is None or isinstance(value, (bool, float, str)):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.datetime):
        # Spark's own text form: no trailing zeros in the fraction
        text = value.strftime("%Y-%m-%d %H:%M:%S")
        return f"{text}.{value.microsecond:06d}".rstrip("0") if value.microsecond else text
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode()
    # arrays, maps and structs travel as JSON text, which the driver parses
    if isinstance(value, (list, tuple)):
        return json.dumps([to_json(v) for v in value])
    if isinstance(value, dict):
        return json.dumps({str(k): to_json(v) for k, v in value.items()})
    if hasattr(value, "asDict"):
        return json.dumps({k: to_json(v) for k, v in value.asDict().items()})
    return str(value)


def error_answer(error):
    if isinstance(error, WarehouseError):
        return {"ok": False, "error_class": error.error_class, "sqlstate": error.sqlstate, "message": error.message}
    condition = getattr(error, "getCondition", None) or getattr(error, "getErrorClass", None)
    sqlstate = getattr(error, "getSqlState", None)
    error_class = condition() if condition else None
    state = sqlstate() if sqlstate else None
    java = getattr(error, "java_exception", None)
    # a Java failure carries its JVM stack in str(); its own message is what a client should see
    message = (java.getMessage() if java is not None else str(error)).strip()
    message = message.split("\n\tat ")[0][:2000]
    if not error_class:
        match = re.match(r"\[([A-Z0-9_.]+)\]", message)
        error_class = match.group(1) if match else "INTERNAL_ERROR"
    if state and "SQLSTATE" not in message:
        message = f"{message} SQLSTATE: {state}"
    return {"ok": False, "error_class": error_class, "sqlstate": state or "XX000", "message": message}


def main():
    config = json.load(open(sys.argv[1]))
    protocol = sys.stdout
    sys.stdout = sys.stderr  # nothing but answers may reach the protocol stream
    started = time.time()
    engine = Engine(config)
    protocol.write(json.dumps({"id": 0, "ok": True, "ready": True, "startup_seconds": round(time.time() - started, 2)}) + "\n")
    protocol.flush()
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
        except ValueError as error:
            protocol.write(json.dumps({"id": -1, "ok": False, "error_class": "PROTOCOL", "sqlstate": "HY000", "message": str(error)}) + "\n")
            protocol.flush()
            continue
        try:
            answer = {"ok": True, **getattr(engine, request["op"])(request)}
        except Exception as error:  # every failure becomes an answer; the engine keeps serving
            answer = error_answer(error)
        answer["id"] = request["id"]
        protocol.write(json.dumps(answer) + "\n")
        protocol.flush()


if __name__ == "__main__":
    main()
