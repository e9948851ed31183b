import type { DestinationCapabilities } from '../destination.js';

/** What the Databricks destination can load; the normalize stage reads it without the driver. */
export const databricksCapabilities: DestinationCapabilities = {
  name: 'databricks',
  maxIdentifierLength: 255,
  preferredFormat: 'parquet',
  supportedFormats: ['parquet', 'jsonl'],
  mergeStrategies: ['delete-insert', 'upsert', 'insert-only', 'scd2'],
  replaceStrategies: ['truncate-and-insert', 'insert-from-staging', 'staging-optimized'],
  supportsTransactions: false,
  // COPY INTO reads the package's files from the S3 staging prefix, as dlt's filesystem staging
  stateNames: { type: 'dlt.destinations.databricks', staging: 'dlt.destinations.filesystem' },
  refusesColumn(format, column) {
    // what Databricks cannot read from JSON (dlt refuses the same), and Spark cannot from Parquet
    if (format === 'jsonl') {
      if (['decimal', 'wei', 'binary', 'json', 'date'].includes(column.data_type ?? ''))
        return `${column.data_type} cannot be loaded from JSONL; use parquet`;
      if (column.data_type === 'timestamp' && column.timezone === false)
        return 'naive timestamps cannot be loaded from JSONL; use parquet';
    }
    return undefined;
  },
  // Spark cannot read Parquet's TIME (dlt refuses such columns); a time column is a STRING here
  timeAsTextInParquet: true,
};
