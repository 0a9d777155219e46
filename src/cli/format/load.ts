// One formatter by name, loaded on its own: a one-shot run prints in one format and need not load the others.
import type { FormatName, Formatter } from './formatter.js';

export async function loadFormatter(name: FormatName): Promise<Formatter> {
  switch (name) {
    case 'json':
      return (await import('./json.js')).jsonFormatter;
    case 'jsonl':
      return (await import('./jsonl.js')).jsonlFormatter;
    case 'csv':
      return (await import('./delimited.js')).csvFormatter;
    case 'tsv':
      return (await import('./delimited.js')).tsvFormatter;
    case 'text':
      return (await import('./text.js')).textFormatter;
    case 'markdown':
      return (await import('./markdown.js')).markdownFormatter;
    case 'table': {
      const table = await import('./table.js');
      await table.loadDisplayWidths();
      return table.tableFormatter;
    }
  }
}
