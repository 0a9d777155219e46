// `doql sync --to postgres://…`: snapshots in PostgreSQL 13+ with its own types (timestamptz, numeric, jsonb, boolean);
// rows go in as one bound JSON array per batch, expanded by json_to_recordset, so no value is pasted into SQL.
import pg from 'pg';
import { DoqlError } from '../errors.js';
import type { CellValue } from '../engine/types.js';
import type { SyncColumn, SyncType } from './plan.js';
import { quoteIdent, type Destination, type Snapshot } from './destination.js';

const TYPES: Record<SyncType, string> = { text: 'text', integer: 'bigint', real: 'numeric', boolean: 'boolean', json: 'jsonb', timestamp: 'timestamptz' };
const BATCH = 5000;

/** The URL as shown in messages: never the password. */
export function redactUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:@/]*):[^@/]*@/i, '$1:…@');
}

/** A cell as json_to_recordset reads it for the column's type (JSON columns travel as their JSON text). */
function jsonCell(v: CellValue, type: SyncType): unknown {
  if (v === null) return null;
  if (typeof v === 'bigint') return v.toString();
  // An unparseable date would fail the whole batch; the API documents these as ISO 8601, so this is a guard.
  if (type === 'timestamp' && (typeof v !== 'string' || Number.isNaN(Date.parse(v)))) return null;
  if (type === 'boolean' && typeof v === 'number') return v !== 0;
  return v;
}

/** The batch field holding a row's context (no DigitalOcean field is named so). */
const ROW_CONTEXT = '__doql_context';

export async function openPostgres(url: string): Promise<Destination> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {}); // a dropped connection surfaces on the next query, as an error there
  try {
    await client.connect();
  } catch (err) {
    throw new DoqlError('network', `--to ${redactUrl(url)}: cannot connect: ${(err as Error).message}`, { hint: 'check the URL, and that the server runs and accepts you' });
  }
  return {
    label: redactUrl(url),
    async write(table: string, columns: SyncColumn[], rows: CellValue[][], s: Snapshot): Promise<void> {
      const t = quoteIdent(table);
      await client.query('BEGIN');
      try {
        const all = [...columns.map((c) => `${quoteIdent(c.name)} ${TYPES[c.type]}`), 'context text NOT NULL', 'synced_at timestamptz NOT NULL'];
        await client.query(`CREATE TABLE IF NOT EXISTS ${t} (${all.join(', ')})`);
        await client.query(`CREATE INDEX IF NOT EXISTS ${quoteIdent(`${table}_snapshot`)} ON ${t} (context, synced_at)`);
        const have = new Set(
          (await client.query<{ column_name: string }>('SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1', [table])).rows.map(
            (r) => r.column_name,
          ),
        );
        for (const c of columns) if (!have.has(c.name)) await client.query(`ALTER TABLE ${t} ADD COLUMN ${quoteIdent(c.name)} ${TYPES[c.type]}`);
        if (s.mode === 'replace') await client.query(`DELETE FROM ${t} WHERE context = ANY($1::text[])`, [[...(s.contexts ?? [s.context])]]);
        const names = columns.map((c) => quoteIdent(c.name));
        // JSON columns arrive as JSON text, cast once in Postgres: parsing them in JavaScript only to serialise
        // them again took longer than the insert itself (json, not jsonb, for the batch: it is read once).
        // Each row carries its account in the batch (ROW_CONTEXT), as the context column's value.
        const shape = [...columns.map((c) => `${quoteIdent(c.name)} ${c.type === 'json' ? 'text' : TYPES[c.type]}`), `${quoteIdent(ROW_CONTEXT)} text`].join(', ');
        const values = columns.map((c) => (c.type === 'json' ? `${quoteIdent(c.name)}::jsonb` : quoteIdent(c.name)));
        // `AS x()` is not SQL: a resource without columns of its own still gets one row per item.
        const source = `json_to_recordset($1::json) AS x(${shape})`;
        const sql = `INSERT INTO ${t} (${[...names, 'context', 'synced_at'].join(', ')}) SELECT ${[...values, `COALESCE(${quoteIdent(ROW_CONTEXT)}, $2)`, '$3'].join(', ')} FROM ${source}`;
        for (let i = 0; i < rows.length; i += BATCH) {
          const batch = rows
            .slice(i, i + BATCH)
            .map((r, j) => ({ ...Object.fromEntries(columns.map((c, k) => [c.name, jsonCell(r[k], c.type)])), [ROW_CONTEXT]: s.rowContexts?.[i + j] ?? null }));
          await client.query(sql, [JSON.stringify(batch), s.context, s.syncedAt]);
        }
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      }
    },
    async close(): Promise<void> {
      await client.end();
    },
  };
}
