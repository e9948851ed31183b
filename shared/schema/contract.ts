import type { SchemaContract, SchemaContractSettings } from './types.js';

export type ContractEntity = 'tables' | 'columns' | 'data_type';

/** Resolves a contract (shorthand or per entity) to full settings; missing entities evolve. */
export function expandContract(contract: SchemaContract | undefined): Required<SchemaContractSettings> {
  if (contract === undefined) return { tables: 'evolve', columns: 'evolve', data_type: 'evolve' };
  if (typeof contract === 'string') return { tables: contract, columns: contract, data_type: contract };
  return {
    tables: contract.tables ?? 'evolve',
    columns: contract.columns ?? 'evolve',
    data_type: contract.data_type ?? 'evolve',
  };
}

/** Raised when data breaks a `freeze` contract: nothing of the item is loaded. */
export class DataValidationError extends Error {
  override name = 'DataValidationError';
  constructor(
    readonly table: string,
    readonly column: string | undefined,
    readonly entity: ContractEntity,
    message: string,
  ) {
    super(message);
  }
}
