// The built-in catalog (compiled from the vendored DigitalOcean spec) covers today's API: at least 650
// operations, each one reachable by a statement. SELECT methods are reached through SQL against the sandbox
// (the request doql hands the API is the judge); every other method through its own verb's statement or EXEC.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Method, Resource } from '../../src/catalog/types.js';
import { VENDORED_SPEC } from '../../src/catalog/vendored.js';
import { createSession } from '../../src/engine/session.js';
import { buildMissing, catalog } from './helpers.js';

const missing = buildMissing();

/** `/v2/droplets/{droplet_id}` → a regex matching the path with any values in its slots. */
function pathPattern(path: string): RegExp {
  const escaped = path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+').replace(/\{[^}]+\}/g, '[^/]+');
  return new RegExp(`^${escaped}$`);
}

/** A literal SQL value of the param's type, so typed params pass their checks. */
function literal(m: Method, name: string): string {
  const p = m.params.find((x) => x.name === name);
  if (p?.enum?.length) return typeof p.enum[0] === 'string' ? `'${String(p.enum[0]).replace(/'/g, "''")}'` : String(p.enum[0]);
  return p?.sqlType === 'INTEGER' || p?.sqlType === 'REAL' ? '1' : "'x1'";
}

function resources(): Resource[] {
  return Object.values(catalog().catalog.services).flatMap((s) => Object.values(s.resources));
}

describe.skipIf(Boolean(missing))('the built-in catalog', () => {
  it('is the vendored spec: at least 650 operations, each in exactly one resource with a statement verb', () => {
    const spec = JSON.parse(readFileSync(VENDORED_SPEC, 'utf8')) as { paths: Record<string, Record<string, { operationId?: string }>> };
    const ids = Object.values(spec.paths).flatMap((item) =>
      ['get', 'post', 'put', 'patch', 'delete', 'head'].flatMap((m) => (item[m]?.operationId ? [item[m].operationId as string] : [])),
    );
    const methods = resources().flatMap((r) => r.methods);
    expect(catalog().catalog.operationCount).toBeGreaterThanOrEqual(650);
    expect(catalog().catalog.operationCount).toBe(ids.length);
    expect(methods.map((m) => m.operationId).sort()).toEqual([...ids].sort());
    for (const m of methods) expect(['select', 'insert', 'update', 'replace', 'delete', 'exec'], m.operationId).toContain(m.verb);
    expect(catalog().catalog.services.genai.resources.agents).toBeDefined();
  });

  it('reaches every SELECT method with a SELECT whose WHERE gives its parameters', async () => {
    const unreachable: string[] = [];
    let reached = 0;
    for (const resource of resources()) {
      for (const m of resource.methods.filter((x) => x.verb === 'select')) {
        const sent: string[] = [];
        // Like the sandbox, it serves the operations the spec puts on other hosts (inference), which doql
        // refuses to send to DigitalOcean's API with its token (other-servers.test.ts).
        const api = {
          servesEveryPath: true,
          request: async (req: { method: string; path: string }) => {
            sent.push(`${req.method.toLowerCase()} ${req.path}`);
            throw new Error('recorded');
          },
          list: async (req: { path: string }) => {
            sent.push(`get ${req.path}`);
            throw new Error('recorded');
          },
        };
        const session = createSession({ catalog: catalog(), api: () => api as never, cacheTtlMs: 0 });
        // Its required params first; if another method wins with those, every param it takes.
        const tries = [m.requiredParams, m.params.filter((p) => p.name !== 'page' && p.name !== 'per_page').map((p) => p.name)];
        let ok = false;
        for (const names of tries) {
          sent.length = 0;
          const where = names.map((n) => `"${n}" = ${literal(m, n)}`).join(' AND ');
          await session.execute(`SELECT * FROM ${resource.id}${where ? ` WHERE ${where}` : ''}`).catch(() => undefined);
          if (sent.some((s) => s.startsWith(`${m.httpMethod} `) && pathPattern(m.path).test(s.slice(m.httpMethod.length + 1).split('?')[0]))) {
            ok = true;
            break;
          }
        }
        if (ok) reached++;
        else unreachable.push(`${resource.id}.${m.name} (${m.httpMethod.toUpperCase()} ${m.path}): sent ${sent.join(', ') || 'nothing'}`);
      }
    }
    expect(unreachable).toEqual([]);
    expect(reached).toBeGreaterThan(250);
  });

  it('reaches every other method with its verb (INSERT, UPDATE, REPLACE, DELETE) or EXEC, in dry-run', async () => {
    // Nothing is sent: a dry run plans the request, or body validation refuses it naming the method it chose.
    const api = {
      servesEveryPath: true,
      request: async () => {
        throw new Error('a dry run sent a request');
      },
      list: async () => {
        throw new Error('a dry run sent a request');
      },
    };
    const session = createSession({ catalog: catalog(), api: () => api as never, cacheTtlMs: 0, mutation: { dryRun: true, yes: true, waitTimeoutMs: 0 } });
    const unreachable: string[] = [];
    const byVerbStatement: Record<string, number> = {};
    let byExec = 0;
    for (const resource of resources()) {
      for (const m of resource.methods.filter((x) => x.verb !== 'select')) {
        const reached = async (sql: string): Promise<boolean> => {
          try {
            const [result] = await session.execute(sql);
            return result.rows.some((row) => {
              const path = new URL(String(row[1]), 'http://x').pathname;
              return String(row[0]).toLowerCase() === m.httpMethod && pathPattern(m.path).test(path);
            });
          } catch (err) {
            return (err as Error).message.startsWith(`${resource.id}.${m.name}: `);
          }
        };
        const params = m.requiredParams;
        const where = params.map((n) => `"${n}" = ${literal(m, n)}`).join(' AND ');
        const field = m.body?.fields[0];
        const set = field ? `"data__${field.name}" = ${field.sqlType === 'INTEGER' || field.sqlType === 'REAL' ? '1' : "'x1'"}` : undefined;
        let sql: string | undefined;
        if (m.verb === 'insert' && (params.length || field)) {
          const cols = [...params, ...(params.length ? [] : [`data__${field?.name}`])];
          sql = `INSERT INTO ${resource.id} (${cols.map((c) => `"${c}"`).join(', ')}) SELECT ${cols.map((c) => (params.includes(c) ? literal(m, c) : "'x1'")).join(', ')}`;
        } else if ((m.verb === 'update' || m.verb === 'replace') && set && where) sql = `${m.verb.toUpperCase()} ${resource.id} SET ${set} WHERE ${where}`;
        else if (m.verb === 'delete' && where) sql = `DELETE FROM ${resource.id} WHERE ${where}`;
        if (sql && (await reached(sql))) {
          byVerbStatement[m.verb] = (byVerbStatement[m.verb] ?? 0) + 1;
          continue;
        }
        const args = params.map((n) => `@${n}=${literal(m, n)}`).join(', ');
        if (await reached(`EXEC ${resource.id}.${m.name}${args ? ` ${args}` : ''}`)) byExec++;
        else unreachable.push(`${resource.id}.${m.name} (${m.verb}, ${m.httpMethod.toUpperCase()} ${m.path})`);
      }
    }
    console.log(`non-SELECT methods reached by their own verb: ${JSON.stringify(byVerbStatement)}; by EXEC: ${byExec}`);
    expect(unreachable).toEqual([]);
    expect(Object.values(byVerbStatement).reduce((a, b) => a + b, 0) + byExec).toBeGreaterThan(300);
  });
});
