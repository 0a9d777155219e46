// Printing for the shell (every formatter loaded) and the one-shot runner, re-exported from where they live.
import type { StatementResult } from '../engine/types.js';
import { copyLines } from '../engine/copy-out.js';
import { FORMATTERS, type FormatName } from './format/index.js';
import type { RunOptions } from './options.js';
import { renderResult, type Output } from './output.js';

export { chooseFormat, processOutput, rateLimitNotice, useColor, type Output } from './output.js';
export { runScript } from './one-shot.js';

export function printResult(result: StatementResult, format: FormatName, opts: RunOptions, out: Output): void {
  renderResult(result, format, FORMATTERS[format], copyLines, opts, out);
}
