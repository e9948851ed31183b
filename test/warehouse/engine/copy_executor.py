"""Carries out COPY INTO: resolves the credential, lists and fetches the files from S3 (moto),
skips files already loaded into the table unless `force`, aligns columns by name, and appends."""
import fnmatch
import json
import os
import shutil
import tempfile
from urllib.parse import urlparse

import boto3
from botocore.exceptions import BotoCoreError, ClientError
from pyspark.sql import functions as F

from errors import WarehouseError

# Source types that load into a target type without a lossy cast (Parquet is read as written).
WIDENINGS = {
    ("tinyint", "smallint"), ("tinyint", "int"), ("tinyint", "bigint"), ("smallint", "int"),
    ("smallint", "bigint"), ("int", "bigint"), ("float", "double"), ("int", "double"), ("bigint", "double"),
    ("date", "timestamp"), ("void", "*"),
}


class CopyExecutor:
    def __init__(self, config, log_dir):
        self.s3 = config["s3"]
        self.credentials = config.get("storage_credentials", {})
        self.locations = config.get("external_locations", [])
        self.log_dir = log_dir
        os.makedirs(log_dir, exist_ok=True)

    def run(self, spark, copy, table_name):
        bucket, prefix = self._split(copy.location)
        client = self._client(copy)
        keys = self._select_keys(client, bucket, prefix, copy)
        table = spark.table(table_name)
        log = self._log_path(spark, table_name)
        loaded = set(json.load(open(log))) if os.path.exists(log) else set()
        force = str(copy.copy_options.get("force", "false")).lower() == "true"
        todo = [k for k in keys if force or f"s3://{bucket}/{k}" not in loaded]
        if not todo:
            return 0
        workdir = tempfile.mkdtemp(prefix="copy-into-")
        try:
            paths = [self._download(client, bucket, key, workdir, n) for n, key in enumerate(todo)]
            if str(copy.copy_options.get("mergeSchema", "false")).lower() == "true":
                table = self._merge_schema(spark, table_name, table, copy, paths)
            frame = self._read(spark, copy, paths, table.schema)
            count = frame.count()
            frame.write.format("delta").mode("append").insertInto(table_name)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        with open(log, "w") as out:
            json.dump(sorted(loaded | {f"s3://{bucket}/{k}" for k in todo}), out)
        return count

    # -- where the files are and who may read them ---------------------------------------------

    def _split(self, location):
        url = urlparse(location)
        if url.scheme not in ("s3", "s3a"):
            raise WarehouseError("INVALID_PARAMETER_VALUE.LOCATION", "22023", f"Only s3:// locations are supported, got {location}.")
        return url.netloc, url.path.lstrip("/")

    def _client(self, copy):
        credential = copy.credential
        if isinstance(credential, dict):
            keys = {k.upper(): v for k, v in credential.items()}
            if "AWS_ACCESS_KEY" not in keys or "AWS_SECRET_KEY" not in keys:
                raise WarehouseError("INVALID_PARAMETER_VALUE", "22023", "CREDENTIAL needs AWS_ACCESS_KEY and AWS_SECRET_KEY.")
            return self._s3(keys["AWS_ACCESS_KEY"], keys["AWS_SECRET_KEY"], keys.get("AWS_SESSION_TOKEN"))
        if isinstance(credential, str):
            named = self.credentials.get(credential)
            if named is None:
                raise WarehouseError("NO_SUCH_STORAGE_CREDENTIAL", "42704", f"Storage credential '{credential}' does not exist.")
            return self._s3(named["aws_access_key_id"], named["aws_secret_access_key"], named.get("aws_session_token"))
        for location in self.locations:
            if copy.location.rstrip("/").startswith(location["url"].rstrip("/")):
                named = self.credentials[location["credential"]]
                return self._s3(named["aws_access_key_id"], named["aws_secret_access_key"], named.get("aws_session_token"))
        raise WarehouseError(
            "UNAUTHORIZED_ACCESS", "42501",
            f"No credential was given for {copy.location} and no external location covers it.",
        )

    def _s3(self, key, secret, token):
        return boto3.client(
            "s3", endpoint_url=self.s3["endpoint"], region_name=self.s3.get("region", "us-east-1"),
            aws_access_key_id=key, aws_secret_access_key=secret, aws_session_token=token or None,
        )

    def _select_keys(self, client, bucket, prefix, copy):
        base = prefix if prefix.endswith("/") or prefix == "" else prefix + "/"
        if copy.files is not None:
            keys = [base + name.lstrip("/") for name in copy.files]
            for key in keys:
                self._guard(lambda: client.head_object(Bucket=bucket, Key=key), f"s3://{bucket}/{key}")
            return keys
        listed = []
        paginator = client.get_paginator("list_objects_v2")
        self._guard(lambda: [listed.extend(o["Key"] for o in page.get("Contents", [])) for page in paginator.paginate(Bucket=bucket, Prefix=prefix)], copy.location)
        if copy.pattern is not None:
            listed = [k for k in listed if fnmatch.fnmatchcase(k[len(base):], copy.pattern)]
        return sorted(k for k in listed if not k.endswith("/"))

    def _guard(self, action, where):
        try:
            return action()
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code in ("404", "NoSuchKey", "NoSuchBucket", "NotFound"):
                raise WarehouseError("PATH_NOT_FOUND", "42K03", f"Path does not exist: {where}.")
            raise WarehouseError("UNAUTHORIZED_ACCESS", "42501", f"Access to {where} was denied by the storage ({code}).")
        except BotoCoreError as error:
            raise WarehouseError("UNAUTHORIZED_ACCESS", "42501", f"Access to {where} failed: {type(error).__name__}.")

    def _download(self, client, bucket, key, workdir, n):
        target = os.path.join(workdir, str(n), os.path.basename(key))
        os.makedirs(os.path.dirname(target))
        self._guard(lambda: client.download_file(bucket, key, target), f"s3://{bucket}/{key}")
        return target

    def _log_path(self, spark, table_name):
        table_id = spark.sql(f"DESCRIBE DETAIL {table_name}").collect()[0]["id"]
        return os.path.join(self.log_dir, f"{table_id}.json")

    # -- reading and aligning ----------------------------------------------------------------

    def _read(self, spark, copy, paths, target_schema):
        options = {k: v for k, v in copy.format_options.items() if k != "mergeSchema"}
        if copy.file_format == "PARQUET":
            # Spark 3 (under Databricks Runtime up to 16.x) reads a date before 1582-10-15 from a
            # Parquet file without Spark's calendar marks (any other writer's) with EXCEPTION
            # unless told how it was written; Spark 4 assumes the standard calendar. The
            # strictest of the two is what a loader may meet, so that is the default here.
            options.setdefault("datetimeRebaseMode", "EXCEPTION")
            frames = [self._align(spark.read.options(**options).parquet(p), target_schema, p) for p in paths]
            frame = frames[0]
            for other in frames[1:]:
                frame = frame.unionByName(other)
            return frame
        if copy.file_format == "JSON":
            # JSON fields are found by name; FAILFAST turns a value of the wrong type into an error
            return spark.read.options(**options).option("mode", "FAILFAST").schema(target_schema).json(paths)
        # CSV fields are text: matched by header name, then cast (ANSI: text that does not parse fails)
        frame = spark.read.options(**options).option("mode", "FAILFAST").option("header", options.get("header", "true")).csv(paths)
        source = {name.lower(): name for name in frame.columns}
        return frame.select(*[
            (F.col(f"`{source[f.name.lower()]}`") if f.name.lower() in source else F.lit(None)).cast(f.dataType).alias(f.name)
            for f in target_schema.fields
        ])

    def _align(self, frame, target_schema, path):
        """Target columns in order: matched by name (case-insensitive), missing ones null."""
        source = {f.name.lower(): f for f in frame.schema.fields}
        columns = []
        for field in target_schema.fields:
            found = source.get(field.name.lower())
            if found is None:
                columns.append(F.lit(None).cast(field.dataType).alias(field.name))
                continue
            have, want = found.dataType.simpleString(), field.dataType.simpleString()
            if have != want and (have, want) not in WIDENINGS and not _decimal_widens(have, want) and have != "void":
                raise WarehouseError(
                    "DELTA_FAILED_TO_MERGE_FIELDS", "22005",
                    f"Failed to merge fields '{field.name}' and '{found.name}': {have} in {os.path.basename(path)} cannot be loaded into {want}.",
                )
            columns.append(F.col(f"`{found.name}`").cast(field.dataType).alias(field.name))
        return frame.select(*columns)

    def _merge_schema(self, spark, table_name, table, copy, paths):
        if copy.file_format != "PARQUET":
            return table
        existing = {f.name.lower() for f in table.schema.fields}
        new = {}
        for path in paths:
            for field in spark.read.parquet(path).schema.fields:
                if field.name.lower() not in existing:
                    new.setdefault(field.name, field.dataType.simpleString())
        if new:
            columns = ", ".join(f"`{name}` {kind}" for name, kind in new.items())
            spark.sql(f"ALTER TABLE {table_name} ADD COLUMNS ({columns})")
        return spark.table(table_name)


def _decimal_widens(have, want):
    import re
    a, b = re.match(r"decimal\((\d+),(\d+)\)", have), re.match(r"decimal\((\d+),(\d+)\)", want)
    if not a or not b:
        return False
    (p1, s1), (p2, s2) = map(int, a.groups()), map(int, b.groups())
    return s2 >= s1 and p2 - s2 >= p1 - s1
