// StackQL's EXEC envelope, a grammar of doql's own (Postgres has no EXEC):
// `EXEC provider.service.resource.method @name = literal, … @@json = '…' [RETURNING …]`. Its values are literals,
// read from the lexer's tokens; what follows RETURNING is a SELECT list, evaluated later over the answer.
import { identValue, isWord, stringValue, syntaxError, type Token } from './lexer.js';
import type { Hints, Returning } from './tree/mutation.js';

export interface ExecStatement {
  verb: 'exec';
  hints: Hints;
  /** `digitalocean.compute.droplet_actions.droplet_actions_post` */
  method: string;
  args: Record<string, string>;
  json?: string;
  returning?: Returning;
}

function literalValue(t: Token | undefined): string | number | null | undefined {
  if (!t) return undefined;
  if (t.kind === 'string') return stringValue(t);
  if (t.kind === 'number') return Number(t.text);
  if (isWord(t, 'NULL')) return null;
  if (isWord(t, 'TRUE')) return 'true';
  if (isWord(t, 'FALSE')) return 'false';
  return undefined;
}

function dotted(toks: Token[], i: number): { name: string; next: number } | undefined {
  const parts: string[] = [];
  let j = i;
  while (toks[j] && (toks[j].kind === 'word' || toks[j].kind === 'quoted')) {
    parts.push(identValue(toks[j]));
    j++;
    if (toks[j]?.text === '.') j++;
    else break;
  }
  return parts.length ? { name: parts.join('.').toLowerCase(), next: j } : undefined;
}

/** `toks`: the statement's significant tokens without hints, the first being EXEC. */
export function parseExec(text: string, toks: Token[], hints: Hints): ExecStatement {
  const fail = (t: Token | undefined, msg: string): never => {
    throw syntaxError(text, t ? t.start : text.length, msg);
  };
  // EXEC's arguments never hold a bracket, so the first RETURNING word ends them.
  const returningAt = toks.findIndex((t, i) => i > 0 && isWord(t, 'RETURNING'));
  const returning = returningAt > 0 ? text.slice(toks[returningAt + 1]?.start ?? text.length).trim() : undefined;
  if (returningAt > 0 && !returning) fail(toks[returningAt], 'RETURNING needs * or column names');
  const body = returningAt > 0 ? toks.slice(0, returningAt) : toks;
  const n = dotted(body, 1);
  if (!n || n.name.split('.').length < 4) {
    fail(body[1], 'EXEC needs provider.service.resource.method, e.g. EXEC digitalocean.compute.droplet_actions.droplet_actions_post @droplet_id = 1');
  }
  const args: Record<string, string> = {};
  let json: string | undefined;
  let i = n!.next;
  while (i < body.length) {
    if (body[i].text === ',') {
      i++;
      continue;
    }
    const p = body[i];
    if (p.kind !== 'param' || !p.text.startsWith('@')) fail(p, "expected @name = value (e.g. @droplet_id = 1, @@json = '{…}')");
    if (body[i + 1]?.text !== '=') fail(body[i + 1], `expected = after ${p.text}`);
    const v = literalValue(body[i + 2]);
    if (v === undefined) fail(body[i + 2], `${p.text} needs a literal value ('text' or a number)`);
    if (p.text.startsWith('@@')) {
      if (p.text.toLowerCase() !== '@@json') fail(p, 'the only @@ argument is @@json');
      json = String(v);
    } else args[p.text.slice(1)] = v === null ? '' : String(v);
    i += 3;
  }
  return { verb: 'exec', hints, method: n!.name, args, json, ...(returning ? { returning: { text: returning } } : {}) };
}
