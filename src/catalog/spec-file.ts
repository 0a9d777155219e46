// Reads an OpenAPI spec file (JSON or YAML) into a plain object, with errors that name the file.
import { readFileSync } from 'node:fs';
import { yaml } from '../lazy-yaml.js';
import { DoqlError } from '../errors.js';

/**
 * How much YAML aliases may expand (the `yaml` package's measure: uses of an anchor times the aliases inside
 * it). A real spec stays far below; a 438-byte "billion laughs" file would otherwise grow to gigabytes.
 */
export const MAX_YAML_ALIAS_COUNT = 10_000;

/** Parses spec text; JSON when it looks like JSON, YAML otherwise (YAML is a superset, but slower). */
export function parseSpecText(text: string, file: string): unknown {
  const trimmed = text.trimStart();
  try {
    if (trimmed.startsWith('{')) return JSON.parse(text);
    return yaml().parse(text, { maxAliasCount: MAX_YAML_ALIAS_COUNT });
  } catch (err) {
    if (err instanceof ReferenceError && /excessive alias count/i.test(err.message)) {
      throw new DoqlError('spec', `${file}: its YAML aliases expand past ${MAX_YAML_ALIAS_COUNT} nodes (an alias bomb?); refusing to parse it`, {
        hint: 'a spec needs no nested aliases: use a bundled JSON or YAML spec without them',
        cause: err,
      });
    }
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new DoqlError('spec', `${file}: not valid JSON or YAML: ${why}`, { cause: err });
  }
}

export function readSpecFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : String(code ?? err);
    throw new DoqlError('spec', `${file}: cannot read the spec: ${why}`, { cause: err });
  }
  return parseSpecText(text, file);
}
