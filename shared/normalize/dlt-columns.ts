import { type ColumnSchema, DLT_COLUMNS } from '../schema/types.js';

/** The schema of dlt's linkage columns, as dlt's `extend_schema` hints them. */
export const LINKAGE_COLUMNS: Readonly<Record<string, ColumnSchema>> = {
  [DLT_COLUMNS.loadId]: { name: DLT_COLUMNS.loadId, data_type: 'text', nullable: false },
  [DLT_COLUMNS.id]: { name: DLT_COLUMNS.id, data_type: 'text', nullable: false, unique: true, row_key: true },
  [DLT_COLUMNS.parentId]: {
    name: DLT_COLUMNS.parentId,
    data_type: 'text',
    nullable: false,
    parent_key: true,
  },
  [DLT_COLUMNS.listIdx]: { name: DLT_COLUMNS.listIdx, data_type: 'bigint', nullable: false },
  [DLT_COLUMNS.rootId]: { name: DLT_COLUMNS.rootId, data_type: 'text', nullable: false, root_key: true },
};
