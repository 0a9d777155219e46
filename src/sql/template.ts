// `{{ var }}` templating, as StackQL's docs use it: values substituted as text, before parsing.
import { DoqlError } from '../errors.js';
import { lineCol } from './lexer.js';

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}/g;

export type Vars = Record<string, string | number | boolean>;

/** Names of the placeholders in a text, in order of first use. */
export function placeholders(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]))];
}

/** Fills every `{{ name }}`; an unset one fails naming it and its line (all unset ones at once). */
export function renderTemplate(text: string, vars: Vars): string {
  const missing: string[] = [];
  const out = text.replace(PLACEHOLDER, (match, name: string, offset: number) => {
    if (Object.prototype.hasOwnProperty.call(vars, name)) return String(vars[name]);
    missing.push(`{{ ${name} }} (line ${lineCol(text, offset).line})`);
    return match;
  });
  if (missing.length) {
    throw new DoqlError('usage', `unset template variable${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`, {
      hint: 'give a value with --var name=value or --vars FILE (JSON or YAML)',
    });
  }
  return out;
}
