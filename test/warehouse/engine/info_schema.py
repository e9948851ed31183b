"""information_schema views a loader reads, answered like Databricks' (OSS Spark has none)."""
import re

from pyspark.sql.types import (
    BooleanType, DecimalType, IntegerType, LongType, StringType, StructField, StructType,
)

VIEW_NAMES = {name: f"__sluice_information_schema_{name}" for name in ("schemata", "tables", "columns")}

INTEGER_PRECISION = {"tinyint": 3, "smallint": 5, "int": 10, "bigint": 19}
UPPER_NAMES = {"int": "INT", "timestamp_ntz": "TIMESTAMP_NTZ"}

SCHEMATA = StructType([
    StructField("catalog_name", StringType()), StructField("schema_name", StringType()),
    StructField("schema_owner", StringType()), StructField("comment", StringType()),
])
TABLES = StructType([
    StructField("table_catalog", StringType()), StructField("table_schema", StringType()),
    StructField("table_name", StringType()), StructField("table_type", StringType()),
    StructField("data_source_format", StringType()), StructField("comment", StringType()),
])
COLUMNS = StructType([
    StructField("table_catalog", StringType()), StructField("table_schema", StringType()),
    StructField("table_name", StringType()), StructField("column_name", StringType()),
    StructField("ordinal_position", IntegerType()), StructField("is_nullable", StringType()),
    StructField("data_type", StringType()), StructField("full_data_type", StringType()),
    StructField("numeric_precision", IntegerType()), StructField("numeric_precision_radix", IntegerType()),
    StructField("numeric_scale", IntegerType()), StructField("comment", StringType()),
    StructField("is_partitioned", BooleanType()),
])


def data_type_names(spark_type):
    """(data_type, full_data_type) as Databricks shows them: ('DECIMAL', 'decimal(10,2)')."""
    full = spark_type.simpleString()
    base = re.split(r"[<(]", full, maxsplit=1)[0]
    return UPPER_NAMES.get(base, base.upper()), full


def numeric_details(spark_type):
    if isinstance(spark_type, DecimalType):
        return spark_type.precision, 10, spark_type.scale
    precision = INTEGER_PRECISION.get(spark_type.simpleString())
    return (precision, 10, 0) if precision is not None else (None, None, None)


def register_views(spark, catalog, views, only_schema=None):
    """Builds the requested views as temporary views of this session. With `only_schema` (the
    query filters on one schema) only that schema is scanned: listing every table of every
    schema per query grows slow as a long test run creates schemas."""
    databases = [db.name for db in spark.catalog.listDatabases()]
    scanned = [db for db in databases if only_schema is None or db == only_schema]
    if "schemata" in views:
        rows = [(catalog, db, None, None) for db in databases] + [(catalog, "information_schema", None, None)]
        spark.createDataFrame(rows, SCHEMATA).createOrReplaceTempView(VIEW_NAMES["schemata"])
    if views & {"tables", "columns"}:
        tables, columns = [], []
        for db in scanned:
            for table in spark.catalog.listTables(f"spark_catalog.`{db}`"):
                if table.isTemporary:
                    continue
                tables.append((catalog, db, table.name, "MANAGED", "DELTA", table.description))
                if "columns" in views:
                    schema = spark.table(f"spark_catalog.`{db}`.`{table.name}`").schema
                    for position, field in enumerate(schema.fields):
                        data_type, full_type = data_type_names(field.dataType)
                        precision, radix, scale = numeric_details(field.dataType)
                        comment = field.metadata.get("comment") if field.metadata else None
                        columns.append((catalog, db, table.name, field.name, position, "YES" if field.nullable else "NO",
                                        data_type, full_type, precision, radix, scale, comment, False))
        spark.createDataFrame(tables, TABLES).createOrReplaceTempView(VIEW_NAMES["tables"])
        if "columns" in views:
            spark.createDataFrame(columns, COLUMNS).createOrReplaceTempView(VIEW_NAMES["columns"])
