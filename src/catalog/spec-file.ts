// Reads an OpenAPI spec file (JSON or YAML) into a plain object, with errors that name the file.
import { readFileSync } from 'node:fs';
import { yaml } from '../lazy-yaml.js';
import { DoqlError } from '../errors.js';

/** Parses spec text; JSON when it looks like JSON, YAML otherwise (YAML is a superset, but slower). */
export function parseSpecText(text: string, file: string): unknown {
  const trimmed = text.trimStart();
  try {
    if (trimmed.startsWith('{')) return JSON.parse(text);
    return yaml().parse(text, { maxAliasCount: -1 });
  } catch (err) {
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
