"""Prints the schema of each Parquet file given, as pyarrow reads it: {file: [[field, type, nullable]]}."""
import json
import sys

import pyarrow.parquet as pq


def parquet_schema(path):
    return [[field.name, str(field.type), field.nullable] for field in pq.read_schema(path)]


if __name__ == "__main__":
    print(json.dumps({path: parquet_schema(path) for path in sys.argv[1:]}))
