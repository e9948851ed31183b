import { LOADS_TABLE, VERSION_TABLE } from '../../schema/dlt-schema.js';
import type { ColumnSchema } from '../../schema/types.js';

/** The columns of dlt's `_dlt_loads`, in dlt's order. */
export const LOADS_COLUMNS: readonly ColumnSchema[] = Object.values(LOADS_TABLE.columns);

/** The columns of dlt's `_dlt_version`. */
export const VERSION_COLUMNS: readonly ColumnSchema[] = Object.values(VERSION_TABLE.columns);
