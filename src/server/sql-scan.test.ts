import { describe, expect, it } from 'vitest';
import { scanSql } from './sql-scan.js';

describe('scanSql', () => {
  it.each([
    ['', 0, 0, ''],
    ['  ;; -- just a comment', 0, 0, ''],
    ['/* a /* nested */ comment */', 0, 0, ''],
    ['select 1', 1, 0, 'SELECT'],
    ['select $1, $2 from t where a = $2', 1, 2, 'SELECT'],
    ['select 1; select 2;', 2, 0, 'SELECT'],
    ["select '$1;' as s", 1, 0, 'SELECT'],
    ["select 'it''s $3;'", 1, 0, 'SELECT'],
    ['/*+ AWAIT */ exec x.y.z @a = $2', 1, 2, 'EXEC'],
    ['(select $1)', 1, 1, ''],
    ['select "a;$4" from t', 1, 0, 'SELECT'],
    ['select $$ $5; $$, $tag$ ; $6 $tag$, $1', 1, 1, 'SELECT'],
    ['select a$1 from t -- $9 ;\n where x = $10', 1, 10, 'SELECT'],
    ['/* lead */ insert into t values ($1)', 1, 1, 'INSERT'],
  ])('%j has %i statements and %i params', (sql, statements, params, first) => {
    const shape = scanSql(sql);
    expect(shape.statementCount).toBe(statements);
    expect(shape.paramCount).toBe(params);
    expect(shape.firstKeyword).toBe(first);
  });

  it('an unterminated string is a syntax error at Parse, as in Postgres', () => {
    expect(() => scanSql("select 'abc")).toThrow(/unterminated string literal/);
  });

  it('collects bare words only', () => {
    const shape = scanSql("with x as (select 1) insert into t select 'DELETE' from x");
    expect(shape.words.has('INSERT')).toBe(true);
    expect(shape.words.has('DELETE')).toBe(false);
  });
});
