// `doql sync --to postgres://…`: snapshots in PostgreSQL 13+ with its own types (timestamptz, numeric, jsonb, boolean);
// rows go in with COPY FROM STDIN (text format, src/sync/copy-text.ts), so no value is pasted into SQL.
import { finished } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DoqlError } from '../errors.js';
import type { SyncColumn, SyncType } from './plan.js';
import { quoteIdent, writeAll, type Destination, type Snapshot, type TableWriter } from './destination.js';
import { copyRows } from './copy-text.js';

const TYPES: Record<SyncType, string> = { text: 'text', integer: 'bigint', real: 'numeric', boolean: 'boolean', json: 'jsonb', timestamp: 'timestamptz' };

/** The URL as shown in messages: never the password. */
export function redactUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:@/]*):[^@/]*@/i, '$1:…@');
}

export async function openPostgres(url: string): Promise<Destination> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {}); // a dropped connection surfaces on the next query, as an error there
  try {
    await client.connect();
  } catch (err) {
    throw new DoqlError('network', `--to ${redactUrl(url)}: cannot connect: ${(err as Error).message}`, { hint: 'check the URL, and that the server runs and accepts you' });
  }
  // Wide rows (a droplet is ~2 kB of JSON) are compressed as they are stored; pglz, the default, cost a third of the
  // server's time for a snapshot, lz4 half as much for about the same size. For this connection only, and only
  // where the server has it (14+, built with lz4): elsewhere the SET fails and the default stays.
  await client.query("SET default_toast_compression = 'lz4'").catch(() => {});
  const rollback = async (): Promise<void> => {
    await client.query('ROLLBACK').catch(() => {});
  };
  const begin = async (table: string, columns: SyncColumn[], s: Snapshot): Promise<TableWriter> => {
    const t = quoteIdent(table);
    const all = [...columns.map((c) => `${quoteIdent(c.name)} ${TYPES[c.type]}`), 'context text NOT NULL', 'synced_at timestamptz NOT NULL'];
    try {
      // One round trip for the statements that take no value (a simple query may hold several): what a remote
      // server's latency costs each resource is counted in round trips.
      await client.query(`BEGIN; CREATE TABLE IF NOT EXISTS ${t} (${all.join(', ')}); CREATE INDEX IF NOT EXISTS ${quoteIdent(`${table}_snapshot`)} ON ${t} (context, synced_at)`);
      const have = new Set(
        (await client.query<{ column_name: string }>('SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1', [table])).rows.map(
          (r) => r.column_name,
        ),
      );
      // Only when a column is missing: ALTER TABLE locks out the table's readers until the commit.
      const added = columns.filter((c) => !have.has(c.name)).map((c) => `ADD COLUMN ${quoteIdent(c.name)} ${TYPES[c.type]}`);
      if (added.length) await client.query(`ALTER TABLE ${t} ${added.join(', ')}`);
      if (s.mode === 'replace') await client.query(`DELETE FROM ${t} WHERE context = ANY($1::text[])`, [[...(s.contexts ?? [s.context])]]);
    } catch (err) {
      await rollback();
      throw err;
    }
    const names = [...columns.map((c) => quoteIdent(c.name)), 'context', 'synced_at'];
    // COPY rather than INSERT: Postgres reads each value with its type's own input function (JSON text straight into
    // jsonb). It stays open while the rows come, so the server reads one page while the next is being fetched.
    const copy = client.query(copyFrom(`COPY ${t} (${names.join(', ')}) FROM STDIN`));
    const done = finished(copy);
    let failed = false;
    done.catch(() => {
      failed = true; // a value Postgres refused: commit() reports it
    });
    let open = true;
    const types = columns.map((c) => c.type);
    return {
      add(rows, context) {
        // The stream buffers what the server has not read yet: at most the resource's rows, which a sync holds anyway.
        if (open && !failed) for (const chunk of copyRows(types, rows, context, s.syncedAt)) copy.write(chunk);
      },
      async commit() {
        open = false;
        copy.end();
        await done;
        await client.query('COMMIT');
      },
      async rollback() {
        // A COPY still open is ended with CopyFail, which rolls back its rows; then the transaction goes.
        if (open) copy.destroy(new Error('the rows were not all fetched'));
        open = false;
        await done.catch(() => {});
        await rollback();
      },
    };
  };
  return {
    label: redactUrl(url),
    begin,
    write: (table, columns, rows, s) => writeAll(begin, table, columns, rows, s),
    async close(): Promise<void> {
      await client.end();
    },
  };
}
