// The output-formatter contract: every format turns one statement result into text.
import type { StatementResult } from '../../engine/types.js';

export interface FormatOptions {
  header: boolean;
  color: boolean;
  /** Terminal width for table output; undefined = no limit. */
  width?: number;
  expanded: boolean;
  /** How NULL prints (psql's \pset null); default: csv an empty unquoted field, the others nothing. JSON keeps null. */
  null?: string;
}

export interface Formatter {
  /** Text for one result, ending with a newline (or empty). */
  format(result: StatementResult, options: FormatOptions): string;
}

export const FORMAT_NAMES = ['table', 'json', 'jsonl', 'csv', 'tsv', 'text', 'markdown'] as const;
export type FormatName = (typeof FORMAT_NAMES)[number];
