import { own } from '../util/own.js';
import { addPropagation } from './dlt-schema.js';
import { withColumn } from './schema.js';
import type { StoredSchema } from './types.js';
import { bumpVersionIfModified } from './version.js';

/**
 * Folds a package's schema into the pipeline's: tables and columns it added are appended in
 * its order, hints it set win, and nothing the pipeline already has is dropped. Used under
 * compare-and-swap, so two packages normalized in parallel both keep their columns.
 */
export function mergeSchemas(base: StoredSchema, update: StoredSchema): StoredSchema {
  const merged = structuredClone(base);
  for (const [name, table] of Object.entries(update.tables)) {
    const target = own(merged.tables, name);
    if (target === undefined) {
      merged.tables[name] = structuredClone(table);
      continue;
    }
    const { columns, ...hints } = table;
    Object.assign(target, structuredClone(hints));
    for (const column of Object.values(columns)) withColumn(target.columns, structuredClone(column));
  }
  merged.settings = { ...merged.settings, ...update.settings };
  const propagated = update.normalizers?.json.config?.propagation?.tables;
  if (propagated !== undefined) addPropagation(merged, propagated);
  return bumpVersionIfModified(merged);
}
