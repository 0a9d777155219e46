// Text escaping for the generated MDX pages: table cells, inline prose and front matter.

/** Spec descriptions are multi-line Markdown; a table cell or an intro line needs them on one line. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Prose safe for MDX: braces start JS expressions and a bare `<` starts JSX, so both become entities
 * (outside `code spans`, where MDX leaves text alone).
 */
export function mdxText(text: string): string {
  return oneLine(text)
    .split(/(`[^`]*`)/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/[{}<]/g, (c) => `&#${c.charCodeAt(0)};`)))
    .join('');
}

/** A Markdown table cell: one line, MDX-safe, with `|` escaped so it does not end the cell. */
export function cell(text: string): string {
  return mdxText(text).replace(/\|/g, '\\|');
}

/** The docs site's copy-to-clipboard component around a name. */
export function copyable(code: string): string {
  return `<CopyableCode code="${code.replace(/"/g, '&quot;')}" />`;
}

/** A Markdown table: header row, alignment row, body rows (cells already escaped). */
export function table(headers: string[], rows: string[][]): string {
  const lines = [`| ${headers.join(' | ')} |`, `|${headers.map((h) => `:${'-'.repeat(h.length + 1)}`).join('|')}|`];
  for (const r of rows) lines.push(`| ${r.join(' | ')} |`);
  return lines.join('\n');
}

/** Docusaurus tabs, one per labelled body; a single body is shown without tabs. */
export function tabs(items: { label: string; body: string }[]): string {
  if (items.length === 1) return items[0].body;
  const values = items.map((t) => `        { label: '${t.label}', value: '${t.label}' }`).join(',\n');
  const panes = items.map((t) => `<TabItem value="${t.label}">\n\n${t.body}\n</TabItem>`).join('\n');
  return `<Tabs\n    defaultValue="${items[0].label}"\n    values={[\n${values}\n    ]}\n>\n${panes}\n</Tabs>`;
}

/** YAML front matter; values here are plain names and fixed sentences, so they need no quoting. */
export function frontMatter(fields: { title: string; keywords: string[]; description: string }, banner: string): string {
  return [
    '---',
    `# ${banner}`,
    `title: ${fields.title}`,
    'hide_title: false',
    'hide_table_of_contents: false',
    'keywords:',
    ...fields.keywords.map((k) => `  - ${k}`),
    `description: ${fields.description}`,
    'custom_edit_url: null',
    '---',
  ].join('\n');
}
