// Reads the facts a resource docs page states (title, id, fields, methods, examples), for comparing pages.

export interface PageFacts {
  title?: string;
  id?: string;
  fields: { name: string; type: string; description: string }[];
  methods: { name: string; verb: string; requiredParams: string[]; description: string }[];
  /** `## \`VERB\` examples` → the SQL blocks under it, in order. */
  examples: Record<string, string[]>;
}

const ws = (s: string): string => s.replace(/\s+/g, ' ').trim();
const codes = (cell: string): string[] => [...cell.matchAll(/code="([^"]*)"/g)].flatMap((m) => m[1].split(',').map((s) => s.trim())).filter(Boolean);
const unticked = (cell: string): string => cell.trim().replace(/^`|`$/g, '');

/** The cells of a Markdown table row, honouring `\|`. */
function cells(line: string): string[] {
  return line
    .trim()
    .replace(/^\||\|$/g, '')
    .split(/(?<!\\)\|/)
    .map((c) => c.replace(/\\\|/g, '|').trim());
}

/** Body rows of the first table after a heading. */
function tableAfter(lines: string[], heading: string): string[][] {
  const at = lines.findIndex((l) => l.trim() === heading);
  if (at < 0) return [];
  const rows: string[][] = [];
  let i = at + 1;
  while (i < lines.length && !lines[i].trim().startsWith('|')) i++;
  i += 2; // header and alignment rows
  for (; i < lines.length && lines[i].trim().startsWith('|'); i++) rows.push(cells(lines[i]));
  return rows;
}

export function pageFacts(page: string): PageFacts {
  const lines = page.split('\n');
  const title = /^title:\s*(.+)$/m.exec(page)?.[1].trim();
  const id = /<td><b>Id<\/b><\/td><td><CopyableCode code="([^"]+)"/.exec(page)?.[1];
  const fields = tableAfter(lines, '## Fields').map(([n, t, d]) => ({ name: codes(n)[0], type: unticked(t), description: ws(d ?? '') }));
  const methods = tableAfter(lines, '## Methods').map(([n, v, r, d]) => ({ name: codes(n)[0], verb: unticked(v), requiredParams: codes(r), description: ws(d ?? '') }));
  const examples: Record<string, string[]> = {};
  let verb: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const h = /^## `(\w+)` examples/.exec(lines[i]);
    if (h) verb = h[1];
    else if (/^## /.test(lines[i])) verb = undefined;
    if (verb && lines[i].trim() === '```sql') {
      const end = lines.indexOf('```', i + 1);
      (examples[verb] ??= []).push(lines.slice(i + 1, end < 0 ? undefined : end).join('\n'));
      i = end < 0 ? lines.length : end;
    }
  }
  return { title, id, fields, methods, examples };
}
