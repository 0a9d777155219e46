// Postgres's LIKE and ILIKE, registered as pg_like: case-sensitive LIKE (SQLite's ignores ASCII case),
// backslash as the default escape, `_` and `%` over characters (not bytes), NULL in gives NULL out.
import type Database from 'better-sqlite3';
import { DoqlError } from '../errors.js';

const cache = new Map<string, RegExp>();

/** A LIKE pattern as a regular expression anchored at both ends. */
function likeRegex(pattern: string, escape: string, insensitive: boolean): RegExp {
  const key = `${insensitive ? 'i' : 's'}${escape}\u0000${pattern}`;
  let re = cache.get(key);
  if (re) return re;
  if ([...escape].length > 1) throw new DoqlError('validation', 'invalid escape string: it must be empty or one character', { sqlState: '22025' });
  let source = '';
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    if (escape && c === escape) {
      const next = chars[++i];
      if (next === undefined) throw new DoqlError('validation', 'LIKE pattern must not end with escape character', { sqlState: '22025' });
      source += next.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    } else if (c === '%') source += '[\\s\\S]*';
    else if (c === '_') source += '[\\s\\S]';
    else source += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  re = new RegExp(`^${source}$`, insensitive ? 'iu' : 'u');
  if (cache.size > 500) cache.clear();
  cache.set(key, re);
  return re;
}

/** Registers pg_like(value, pattern, escape, insensitive) on a database. */
export function registerPgLike(db: Database.Database): void {
  db.function('pg_like', { deterministic: true }, (value: unknown, pattern: unknown, escape: unknown, insensitive: unknown) => {
    if (value === null || pattern === null || escape === null) return null;
    return likeRegex(String(pattern), String(escape), Number(insensitive) === 1).test(String(value)) ? 1 : 0;
  });
}
