// Checks a whole spec before compiling it: every `$ref` must resolve, wherever it sits (used or not).
import { DoqlError } from '../errors.js';
import { resolvePointer } from './ref-resolver.js';

/** `#/paths/~1v2~1droplets/get`: a JSON pointer to where a node sits in the document. */
function pointerTo(tokens: string[]): string {
  return `#/${tokens.map((t) => t.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
}

/**
 * Throws DoqlError 'spec' for the first `$ref` that does not resolve, naming the file, the `$ref` and the
 * pointer of the place that holds it, so a hand-edited spec can be fixed without a search.
 */
export function assertRefsResolve(doc: unknown, file: string): void {
  // YAML anchors can make a node appear twice (or contain itself); each node is checked once.
  const seen = new Set<object>();
  const stack: { node: unknown; at: string[] }[] = [{ node: doc, at: [] }];
  while (stack.length > 0) {
    const { node, at } = stack.pop() as { node: unknown; at: string[] };
    if (node === null || typeof node !== 'object' || seen.has(node)) continue;
    seen.add(node);
    const ref = (node as { $ref?: unknown }).$ref;
    if (typeof ref === 'string') {
      try {
        resolvePointer(doc, ref, file);
      } catch (err) {
        const why = err instanceof Error ? err.message.replace(`${file}: `, '') : String(err);
        throw new DoqlError('spec', `${file}: ${why} at ${pointerTo(at)}`, { cause: err });
      }
    }
    const entries = Array.isArray(node) ? node.map((v, i) => [String(i), v] as const) : Object.entries(node);
    for (const [key, value] of entries) {
      // Examples are data, not schema: a `$ref` key inside one is just a value.
      if (key === 'example' || key === 'examples' || key === 'x-codeSamples') continue;
      stack.push({ node: value, at: [...at, key] });
    }
  }
}
