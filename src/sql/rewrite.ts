// Rewrites 3-part resource names (`digitalocean.databases.backups`) into quoted SQLite table names,
// and `$1` placeholders into SQLite's `?1`, leaving strings and comments untouched.
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

export function rewriteResourceNames(tokens: Token[]): Rewritten {
  const parts: string[] = [];
  const resources = new Set<string>();
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const a = nameToken(t);
    // A quoted name that already holds the whole id: "digitalocean.databases.backups".
    if (t.kind === 'quoted' && a && /^[A-Za-z_]+\.[A-Za-z0-9_]+\.[A-Za-z0-9_]+$/.test(a) && PROVIDERS.has(a.split('.')[0].toLowerCase())) {
      const id = a.toLowerCase();
      resources.add(id);
      parts.push(`"${id}"`);
      continue;
    }
    if (a && PROVIDERS.has(a.toLowerCase()) && tokens[i + 1]?.text === '.' && tokens[i + 3]?.text === '.') {
      const b = nameToken(tokens[i + 2]);
      const c = nameToken(tokens[i + 4]);
      // Only when not preceded by a dot (so `x.digitalocean.a.b` is left alone).
      if (b && c && tokens[i - 1]?.text !== '.') {
        const id = `${a}.${b}.${c}`.toLowerCase();
        resources.add(id);
        parts.push(`"${id}"`);
        i += 4;
        continue;
      }
    }
    if (t.kind === 'param' && /^\$\d+$/.test(t.text)) {
      parts.push(`?${t.text.slice(1)}`);
      continue;
    }
    parts.push(t.text);
  }
  return { sql: parts.join(''), resources: [...resources] };
}
