// Which Postgres type a resource column is to a wire client: the spec's date-time strings are timestamptz,
// its decimal strings (money: `"12.34"`) numeric, its objects and arrays jsonb. SQLite keeps the values as
// they are (DigitalOcean's text); only what clients are told, and how values are printed for them, changes.
import type { Column } from '../catalog/types.js';
import type { PgTypeName } from './types.js';

export function pgTypeOfColumn(column: Pick<Column, 'sqlType' | 'format'>): PgTypeName | undefined {
  if (column.sqlType === 'JSON') return 'jsonb';
  if (column.sqlType !== 'TEXT') return undefined;
  switch (column.format) {
    case 'date-time':
      return 'timestamptz';
    case 'date':
      return 'date';
    case 'decimal':
      return 'numeric';
    default:
      return undefined;
  }
}
