// What `{{ name }}` placeholders turn into: text inside literals (quotes escaped, JSON escaped inside JSON
// strings), one literal outside them, and a clear error naming the variable for anything else.
import { describe, expect, it } from 'vitest';
import { DoqlError } from '../errors.js';
import { splitStatements } from './split.js';
import { renderTemplate } from './template.js';

const fills: [string, string, Record<string, string | number | boolean>, string][] = [
  ['a quote in a value is doubled', "SELECT 1 WHERE n = '{{ n }}'", { n: "x'; DELETE FROM t; --" }, "SELECT 1 WHERE n = 'x''; DELETE FROM t; --'"],
  ['OR in a value stays text', "WHERE n = '{{ n }}'", { n: "x' OR '1'='1" }, "WHERE n = 'x'' OR ''1''=''1'"],
  ['several placeholders in one literal', "WHERE n LIKE '{{ a }}-{{ b }}%'", { a: "o'", b: 'k' }, "WHERE n LIKE 'o''-k%'"],
  ['a number outside quotes', 'WHERE id = {{ id }}', { id: '42' }, 'WHERE id = 42'],
  ['a YAML number outside quotes', 'LIMIT {{ n }}', { n: 3 }, 'LIMIT 3'],
  ['a negative number is bracketed', 'SELECT 1-{{ n }}', { n: '-5' }, 'SELECT 1-(-5)'],
  ['a boolean outside quotes', 'SET data__ipv6 = {{ b }}', { b: true }, 'SET data__ipv6 = true'],
  ['null outside quotes', 'SELECT {{ v }}', { v: 'NULL' }, 'SELECT NULL'],
  ['a quoted string outside quotes', 'SELECT {{ v }}', { v: "'it''s'" }, "SELECT 'it''s'"],
  ['a dollar-quoted string outside quotes', 'SELECT {{ v }}', { v: "$$it's$$" }, "SELECT $$it's$$"],
  ['a value in a dollar-quoted string', "SELECT $$a {{ v }} b$$", { v: "it's; --" }, "SELECT $$a it's; -- b$$"],
  ['a dollar that does not close the tag', 'SELECT $q$a{{ v }}$q$', { v: 'b$$' }, 'SELECT $q$ab$$$q$'],
  ['hyphenated names (StackQL header params)', "EXEC a.b.c.d @X-Dangerous='{{ X-Dangerous }}'", { 'X-Dangerous': 'true' }, "EXEC a.b.c.d @X-Dangerous='true'"],
  ['comments and hints are not templated', "SELECT /*+ AWAIT */ 1 -- {{ unset }}\n/* {{ also }} */", {}, "SELECT /*+ AWAIT */ 1 -- {{ unset }}\n/* {{ also }} */"],
  [
    'JSON text: a value in a JSON string is escaped for JSON',
    `EXEC a.b.c.d @@json='{"name": "{{ n }}", "n": {{ k }}}'`,
    { n: 'x", "size": "huge\\', k: 2 },
    `EXEC a.b.c.d @@json='{"name": "x\\", \\"size\\": \\"huge\\\\", "n": 2}'`,
  ],
  ['JSON text: plain values are as they were', `@@json='{"droplet_ids": "{{ ids }}", "on": {{ on }}}'`, { ids: '[1,2]', on: 'true' }, `@@json='{"droplet_ids": "[1,2]", "on": true}'`],
  ['JSON text: a JSON value at a value position', `@@json='{"ids": {{ ids }}}'`, { ids: '[1, "it\'s"]' }, `@@json='{"ids": [1, "it''s"]}'`],
  ['a whole-literal JSON value is text', "SET data__tags = '{{ tags }}'", { tags: '["a","b"]' }, `SET data__tags = '["a","b"]'`],
  ['a value holding {{ is not filled again', "SELECT '{{ a }}'", { a: '{{ b }}' }, "SELECT '{{ b }}'"],
  ['no placeholders: the text as it was', "SELECT '{' || '}'", {}, "SELECT '{' || '}'"],
];

const refusals: [string, string, Record<string, string>, RegExp][] = [
  ['a non-literal outside quotes', 'WHERE id = {{ id }}', { id: '1 OR 1=1' }, /^\{\{ id \}\} \(line 1\) stands outside quotes, so its value must be one SQL literal/],
  ['a name outside quotes', 'SHOW RESOURCES IN {{ s }}', { s: 'digitalocean.compute' }, /^\{\{ s \}\} \(line 1\) stands outside quotes/],
  ['an unterminated quoted value', 'SELECT {{ v }}', { v: "'abc" }, /^\{\{ v \}\} \(line 1\) stands outside quotes/],
  ['a double-quoted value (an identifier)', 'SELECT {{ v }}', { v: '"abc"' }, /^\{\{ v \}\} \(line 1\) stands outside quotes/],
  ['a value that merges with its neighbour', 'SELECT x{{ n }}', { n: '5' }, /^the value of \{\{ n \}\} \(line 1\) would change the statement's structure/],
  ['a dollar-quoted value that merges with a word', 'SELECT x{{ v }}', { v: '$$a$$' }, /^the value of \{\{ v \}\} \(line 1\) would change the statement's structure/],
  ['a value that closes a dollar quote', 'SELECT $$a{{ v }}$$ ; SELECT 2', { v: '$$; DELETE FROM t; --' }, /^the value of \{\{ v \}\} \(line 1\) would close the dollar-quoted string \$\$/],
  ['a value ending in $ before $$', 'SELECT $$a{{ v }}$$', { v: 'b$' }, /would close the dollar-quoted string/],
  ['a placeholder in a quoted identifier', 'SELECT "{{ c }}" FROM t', { c: 'x' }, /^a placeholder inside the quoted identifier "\{\{ c \}\}" \(line 1\): template values are values, never names/],
  ['a non-JSON value at a JSON value', `@@json='{"n": {{ n }}}'`, { n: '1, "extra": 2' }, /^\{\{ n \}\} \(line 1\) stands at a value of JSON text, so its value must be JSON/],
  ['a filter', 'SELECT {{ n | upper }}', { n: 'x' }, /unsupported template syntax \{\{ n \| upper \}\}: doql fills only \{\{ name \}\} placeholders, not filters/],
  ['a tag', '{% for x in xs %}SELECT 1{% endfor %}', {}, /unsupported template syntax \{% for x in xs %\}: .* not template tags/],
  ['a template comment', 'SELECT 1 {# why #}', {}, /unsupported template syntax \{# why #\}: .* not template comments/],
  ['a filter inside a literal', "SELECT '{{ n|upper }}'", { n: 'x' }, /unsupported template syntax \{\{ n\|upper \}\}/],
  ['an unclosed placeholder', 'SELECT {{ n', { n: 'x' }, /unclosed \{\{ \(a placeholder is written \{\{ name \}\}\)/],
  ['an unclosed placeholder in a literal', "SELECT 'a {{ n'", { n: 'x' }, /^unclosed \{\{ in a string literal \(line 1\)/],
  ['unset variables, all at once, with lines', "SELECT '{{ a }}',\n {{ b }}, '{{ a }}'", {}, /^unset template variables: \{\{ a \}\} \(line 1\), \{\{ b \}\} \(line 2\)$/],
];

describe('renderTemplate', () => {
  it.each(fills)('%s', (_why, sql, vars, out) => {
    expect(renderTemplate(sql, vars)).toBe(out);
  });

  it.each(refusals)('refuses %s', (_why, sql, vars, message) => {
    let err: unknown;
    try {
      renderTemplate(sql, vars);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DoqlError);
    expect((err as DoqlError).message).toMatch(message);
    expect((err as DoqlError).message).not.toMatch(/\n/);
  });

  it('splitting the filled script finds the statements the template wrote, whatever the values hold', () => {
    const script = "SELECT '{{ a }}' AS a;\nSELECT $$ {{ b }} $$ AS b; -- {{ c }}\nSELECT {{ c }} AS c";
    const filled = renderTemplate(script, { a: "x'; SELECT 3; --", b: "'; /* ;", c: "';'" });
    expect(splitStatements(filled).map((st) => st.text)).toEqual([
      "SELECT 'x''; SELECT 3; --' AS a",
      "SELECT $$ '; /* ; $$ AS b",
      "-- {{ c }}\nSELECT ';' AS c",
    ]);
  });
});
