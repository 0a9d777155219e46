// Every placeholder of StackQL's DigitalOcean docs (../shared) fills as plain text substitution always filled
// it, for the values those places take: binding values changed nothing for the documented uses.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderTemplate } from '../../src/sql/template.js';
import { splitStatements } from '../../src/sql/split.js';
import { parseStatement } from '../../src/sql/statement.js';
import { parseMutation } from '../../src/sql/tree/mutation.js';

const DOCS = join(import.meta.dirname, '..', '..', '..', 'shared', 'stackql-digitalocean', 'docs');
const have = existsSync(DOCS);

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.md') ? [p] : [];
  });
}

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_-]+)\s*\}\}/g;

/** Values by where the docs put a placeholder: '…' SQL text, "…" JSON text, or bare (numbers, booleans). */
const ROUNDS: [string, (quote: string) => string][] = [
  ['numbers', () => '42'],
  ['booleans', () => 'true'],
  ['the values each place takes', (q) => (q === "'" ? '["web","db"]' : q === '"' ? 's-1vcpu-1gb' : '7')],
];

describe.skipIf(!have)('StackQL docs placeholders', () => {
  const examples = have
    ? walk(DOCS).flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => ({ file, sql: m[1]!.trim() })))
    : [];

  it.each(ROUNDS)('fill as text substitution did, with %s, and parse', async (_what, valueFor) => {
    let filled = 0;
    for (const ex of examples.filter((e) => e.sql.includes('{{'))) {
      const vars: Record<string, string> = {};
      const naive = ex.sql.replace(PLACEHOLDER, (_m, name: string, at: number) => {
        vars[name] ??= valueFor(ex.sql[at - 1] ?? '');
        return vars[name]!;
      });
      expect(renderTemplate(ex.sql, vars), ex.file).toBe(naive);
      for (const st of splitStatements(naive)) {
        const stmt = parseStatement(st.text, st.tokens);
        if (stmt.kind === 'mutation') await parseMutation(stmt.text, stmt.tokens);
      }
      filled++;
    }
    expect(filled).toBeGreaterThan(100);
  });
});
