"""Loads JSONL files into the local Databricks warehouse with dlt's own Databricks destination.

usage: dlt_databricks.py WORKDIR DATASET FILE...
Each FILE is one dlt run appending to table `parity` (dlt's merge SQL cannot run on the local
warehouse's open-source Delta), with primary key `id` and the column hints in $COLUMNS (JSON), staged as Parquet under
s3://$STAGING_BUCKET/dlt/ on moto and copied in with the storage credential $STORAGE_CREDENTIAL.
The warehouse: $WAREHOUSE_HOST, $WAREHOUSE_PORT, $WAREHOUSE_HTTP_PATH, $WAREHOUSE_TOKEN, $WAREHOUSE_CA_FILE;
moto: $AWS_ENDPOINT_URL with $AWS_ACCESS_KEY_ID and $AWS_SECRET_ACCESS_KEY.
"""
import json
import os
import sys

import dlt

workdir, dataset, *files = sys.argv[1:]
env = os.environ
os.environ.update(
    {
        "DESTINATION__DATABRICKS__CREDENTIALS__SERVER_HOSTNAME": env["WAREHOUSE_HOST"],
        "DESTINATION__DATABRICKS__CREDENTIALS__HTTP_PATH": env["WAREHOUSE_HTTP_PATH"],
        "DESTINATION__DATABRICKS__CREDENTIALS__ACCESS_TOKEN": env["WAREHOUSE_TOKEN"],
        "DESTINATION__DATABRICKS__CREDENTIALS__CATALOG": "main",
        # the connector's own port and CA settings, passed through by dlt
        "DESTINATION__DATABRICKS__CREDENTIALS__CONNECTION_PARAMETERS": json.dumps(
            {"_port": int(env["WAREHOUSE_PORT"]), "_tls_trusted_ca_file": env["WAREHOUSE_CA_FILE"]}
        ),
        "DESTINATION__DATABRICKS__STAGING_CREDENTIALS_NAME": env["STORAGE_CREDENTIAL"],
        "DESTINATION__FILESYSTEM__BUCKET_URL": f"s3://{env['STAGING_BUCKET']}/dlt/{dataset}",
        "DESTINATION__FILESYSTEM__CREDENTIALS__AWS_ACCESS_KEY_ID": env["AWS_ACCESS_KEY_ID"],
        "DESTINATION__FILESYSTEM__CREDENTIALS__AWS_SECRET_ACCESS_KEY": env["AWS_SECRET_ACCESS_KEY"],
        "DESTINATION__FILESYSTEM__CREDENTIALS__ENDPOINT_URL": env["AWS_ENDPOINT_URL"],
        "DESTINATION__FILESYSTEM__CREDENTIALS__REGION_NAME": "us-east-1",
        "RUNTIME__LOG_LEVEL": "WARNING",
    }
)
pipeline = dlt.pipeline(
    pipeline_name="databricks_parity",
    destination="databricks",
    staging="filesystem",
    dataset_name=dataset,
    pipelines_dir=workdir,
)
for path in files:
    with open(path, encoding="utf-8") as f:
        items = [json.loads(line) for line in f if line.strip()]
    pipeline.run(
        items,
        table_name="parity",
        primary_key="id",
        write_disposition="append",
        columns=json.loads(env.get("COLUMNS", "{}")),
    ).raise_on_failed_jobs()
