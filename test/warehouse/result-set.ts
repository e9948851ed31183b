import { thrift } from '@databricks/sql';
import Int64 from 'node-int64';
import type { EngineColumn } from './engine-client.js';

const T = thrift.TCLIService_types;

/** The Thrift type id of a Spark type name, as Databricks reports it. */
export function typeId(sparkType: string): number {
  const base = sparkType.replace(/[<(].*$/, '');
  const ids: Record<string, number> = {
    boolean: T.TTypeId.BOOLEAN_TYPE,
    tinyint: T.TTypeId.TINYINT_TYPE,
    smallint: T.TTypeId.SMALLINT_TYPE,
    int: T.TTypeId.INT_TYPE,
    bigint: T.TTypeId.BIGINT_TYPE,
    float: T.TTypeId.FLOAT_TYPE,
    double: T.TTypeId.DOUBLE_TYPE,
    string: T.TTypeId.STRING_TYPE,
    binary: T.TTypeId.BINARY_TYPE,
    date: T.TTypeId.DATE_TYPE,
    timestamp: T.TTypeId.TIMESTAMP_TYPE,
    timestamp_ntz: T.TTypeId.TIMESTAMP_TYPE,
    decimal: T.TTypeId.DECIMAL_TYPE,
    array: T.TTypeId.ARRAY_TYPE,
    map: T.TTypeId.MAP_TYPE,
    struct: T.TTypeId.STRUCT_TYPE,
    void: T.TTypeId.NULL_TYPE,
  };
  return ids[base] ?? T.TTypeId.STRING_TYPE;
}

export function tableSchema(columns: readonly EngineColumn[]) {
  return new T.TTableSchema({
    columns: columns.map((column, i) => {
      const decimal = /^decimal\((\d+),(\d+)\)$/.exec(column.type);
      const qualifiers = decimal
        ? new T.TTypeQualifiers({
            qualifiers: {
              precision: new T.TTypeQualifierValue({ i32Value: Number(decimal[1]) }),
              scale: new T.TTypeQualifierValue({ i32Value: Number(decimal[2]) }),
            },
          })
        : undefined;
      const entry = new T.TPrimitiveTypeEntry({ type: typeId(column.type), typeQualifiers: qualifiers });
      return new T.TColumnDesc({
        columnName: column.name,
        typeDesc: new T.TTypeDesc({ types: [new T.TTypeEntry({ primitiveEntry: entry })] }),
        position: i + 1,
        comment: '',
      });
    }),
  });
}

function nullBitmap(values: readonly unknown[]): Buffer {
  const bits = Buffer.alloc(Math.ceil(values.length / 8));
  values.forEach((v, i) => {
    if (v === null || v === undefined) bits[i >> 3]! |= 1 << (i & 7);
  });
  return bits;
}

function int64(text: string): Int64 {
  return new Int64(BigInt.asUintN(64, BigInt(text)).toString(16).padStart(16, '0'));
}

/** One column of a column-based row set, in the Thrift field its type travels in. */
export function thriftColumn(type: string, values: readonly (string | number | boolean | null)[]) {
  const nulls = nullBitmap(values);
  switch (typeId(type)) {
    case T.TTypeId.BIGINT_TYPE:
      return new T.TColumn({
        i64Val: new T.TI64Column({ values: values.map((v) => int64(v === null ? '0' : String(v))), nulls }),
      });
    case T.TTypeId.INT_TYPE:
      return new T.TColumn({
        i32Val: new T.TI32Column({ values: values.map((v) => Number(v ?? 0)), nulls }),
      });
    case T.TTypeId.SMALLINT_TYPE:
      return new T.TColumn({
        i16Val: new T.TI16Column({ values: values.map((v) => Number(v ?? 0)), nulls }),
      });
    case T.TTypeId.TINYINT_TYPE:
      return new T.TColumn({
        byteVal: new T.TByteColumn({ values: values.map((v) => Number(v ?? 0)), nulls }),
      });
    case T.TTypeId.DOUBLE_TYPE:
    case T.TTypeId.FLOAT_TYPE:
      return new T.TColumn({
        doubleVal: new T.TDoubleColumn({ values: values.map((v) => (v === null ? 0 : Number(v))), nulls }),
      });
    case T.TTypeId.BOOLEAN_TYPE:
      return new T.TColumn({ boolVal: new T.TBoolColumn({ values: values.map((v) => v === true), nulls }) });
    case T.TTypeId.BINARY_TYPE:
      return new T.TColumn({
        binaryVal: new T.TBinaryColumn({
          values: values.map((v) => (v === null ? Buffer.alloc(0) : Buffer.from(String(v), 'base64'))),
          nulls,
        }),
      });
    default:
      return new T.TColumn({
        stringVal: new T.TStringColumn({ values: values.map((v) => (v === null ? '' : String(v))), nulls }),
      });
  }
}

/** Rows [from, to) of a result as a column-based row set. */
export function rowSet(
  columns: readonly EngineColumn[],
  rows: readonly (string | number | boolean | null)[][],
  from: number,
  to: number,
) {
  const slice = rows.slice(from, to);
  return new T.TRowSet({
    startRowOffset: new Int64(from),
    rows: [],
    columns: columns.map((column, c) =>
      thriftColumn(
        column.type,
        slice.map((row) => row[c] ?? null),
      ),
    ),
  });
}
