// The token path of the emulated Postgres catalog's queries (engine/pg-catalog.ts): 3-part resource names
// (`digitalocean.databases.backups`) into quoted SQLite table names and `$1` placeholders into SQLite's `?1`,
// leaving strings and comments untouched. SELECTs over resources are translated from the syntax tree instead
// (sql/tree/translate-select.ts).
import { DoqlError } from '../errors.js';
import { identValue, type Token } from './lexer.js';

export interface Rewritten {
  sql: string;
  /** Resource ids referenced, lower-cased (`digitalocean.databases.backups`). */
  resources: string[];
}

const PROVIDERS = new Set(['digitalocean']);
function nameToken(t: Token | undefined): string | undefined {
  if (!t) return undefined;
  if (t.kind === 'word') return t.text;
  if (t.kind === 'quoted') return identValue(t);
  return undefined;
}

interface Piece {
  text: string;
  kind: Token['kind'];
  /** Set on a piece that names a resource table. */
  resource?: string;
}

export function rewriteResourceNames(tokens: Token[]): Rewritten {
  const pieces: Piece[] = [];
  const resources = new Set<string>();
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const a = nameToken(t);
    // A quoted name that already holds the whole id: "digitalocean.databases.backups".
    if (t.kind === 'quoted' && a && /^[A-Za-z_]+\.[A-Za-z0-9_]+\.[A-Za-z0-9_]+$/.test(a) && PROVIDERS.has(a.split('.')[0].toLowerCase())) {
      const id = a.toLowerCase();
      resources.add(id);
      pieces.push({ text: `"${id}"`, kind: 'quoted', resource: id });
      continue;
    }
    // `digitalocean."databases.backups"`: the name psql and BI tools see in schema digitalocean.
    const b2 = nameToken(tokens[i + 2]);
    if (a && PROVIDERS.has(a.toLowerCase()) && tokens[i + 1]?.text === '.' && tokens[i + 2]?.kind === 'quoted' && b2 && /^[A-Za-z0-9_]+\.[A-Za-z0-9_]+$/.test(b2) && tokens[i - 1]?.text !== '.') {
      const id = `${a}.${b2}`.toLowerCase();
      resources.add(id);
      pieces.push({ text: `"${id}"`, kind: 'quoted', resource: id });
      i += 2;
      continue;
    }
    if (a && PROVIDERS.has(a.toLowerCase()) && tokens[i + 1]?.text === '.' && tokens[i + 3]?.text === '.') {
      const b = nameToken(tokens[i + 2]);
      const c = nameToken(tokens[i + 4]);
      // Only when not preceded by a dot (so `x.digitalocean.a.b` is left alone).
      if (b && c && tokens[i - 1]?.text !== '.') {
        const id = `${a}.${b}.${c}`.toLowerCase();
        resources.add(id);
        pieces.push({ text: `"${id}"`, kind: 'quoted', resource: id });
        i += 4;
        continue;
      }
    }
    if (t.kind === 'param' && /^\$\d+$/.test(t.text)) {
      pieces.push({ text: `?${t.text.slice(1)}`, kind: 'param' });
      continue;
    }
    pieces.push({ text: t.text, kind: t.kind });
  }
  return { sql: pieces.map((p) => p.text).join(''), resources: [...resources] };
}
