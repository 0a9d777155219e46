// The formatter for each -o name.
import { csvFormatter, tsvFormatter } from './delimited.js';
import type { FormatName, Formatter } from './formatter.js';
import { jsonFormatter } from './json.js';
import { jsonlFormatter } from './jsonl.js';
import { markdownFormatter } from './markdown.js';
import { tableFormatter } from './table.js';
import { textFormatter } from './text.js';

export const FORMATTERS: Record<FormatName, Formatter> = {
  table: tableFormatter,
  json: jsonFormatter,
  jsonl: jsonlFormatter,
  csv: csvFormatter,
  tsv: tsvFormatter,
  text: textFormatter,
  markdown: markdownFormatter,
};

export { FORMAT_NAMES, type FormatName, type FormatOptions, type Formatter } from './formatter.js';
