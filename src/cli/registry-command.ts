// `doql registry list|pull|use` and the REGISTRY statements: the specs doql can use and which is active.
import { loadDisplayWidths } from './format/table.js';
import { listRegistry, pullSpec, useRegistry, type RegistryEntry } from '../catalog/registry.js';
import type { StatementResult } from '../engine/types.js';
import { FORMATTERS, FORMAT_NAMES, type FormatName } from './format/index.js';
import { DoqlError } from '../errors.js';

function entriesResult(entries: RegistryEntry[]): StatementResult {
  return {
    kind: 'rows',
    columns: [
      { name: 'name', type: 'TEXT' },
      { name: 'active', type: 'BOOLEAN' },
      { name: 'spec_version', type: 'TEXT' },
      { name: 'operations', type: 'INTEGER' },
      { name: 'resources', type: 'INTEGER' },
      { name: 'source', type: 'TEXT' },
      { name: 'pulled_at', type: 'TEXT' },
    ],
    rows: entries.map((e) => [e.name, e.active, e.specVersion, e.operations, e.resources, e.source, e.pulledAt || null]),
    command: `SHOW ${entries.length}`,
  };
}

export function registryListResult(): StatementResult {
  return entriesResult(listRegistry());
}

export async function registryPullResult(from?: string, force = false): Promise<StatementResult> {
  const entry = await pullSpec({ from, force });
  return entriesResult([entry]);
}

async function print(result: StatementResult, output?: string): Promise<void> {
  const format = (output ?? (process.stdout.isTTY ? 'table' : 'json')) as FormatName;
  if (!(FORMAT_NAMES as readonly string[]).includes(format)) throw new DoqlError('usage', `-o must be one of ${FORMAT_NAMES.join(', ')}`);
  if (format === 'table') await loadDisplayWidths();
  process.stdout.write(FORMATTERS[format].format(result, { header: true, color: false, expanded: false, width: process.stdout.columns }));
}

export async function registryList(opts: { output?: string }): Promise<void> {
  await print(registryListResult(), opts.output);
}

export async function registryPull(from?: string, force = false): Promise<void> {
  const entry = await pullSpec({ from, force });
  process.stderr.write(`doql: pulled ${entry.name} (${entry.operations} operations, ${entry.resources} resources) from ${entry.source}; it is now active\n`);
}

export async function registryUse(name: string): Promise<void> {
  const entry = useRegistry(name);
  process.stderr.write(`doql: ${entry.name} is now active\n`);
}
