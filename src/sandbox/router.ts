// Matches request paths against the spec's path templates: a segment trie where literal segments win
// over parameters (`/v2/droplets/actions` before `/v2/droplets/{droplet_id}`), with backtracking.

export interface RouteMatch<T> {
  /** The matched template's routes by HTTP method (upper case). */
  routes: ReadonlyMap<string, T>;
  /** Values of the template's parameters, in path order (decoded). */
  values: string[];
}

interface Node<T> {
  literals: Map<string, Node<T>>;
  param?: Node<T>;
  routes?: Map<string, T>;
}

const newNode = <T>(): Node<T> => ({ literals: new Map() });

/** `/v2/apps/{app_id}` → `/v2/apps/{}`: templates that differ only in parameter names are one route. */
export function normalizeTemplate(template: string): string {
  return template.replace(/\{[^}/]*\}/g, '{}');
}

export function splitPath(path: string): string[] {
  return path.split('/').slice(1);
}

export class Router<T> {
  private readonly root: Node<T> = newNode();

  /** Adds a route; the first route added for a (shape, method) wins. */
  add(template: string, method: string, value: T): void {
    let node = this.root;
    for (const seg of splitPath(template)) {
      if (/^\{[^}]*\}$/.test(seg)) node = node.param ??= newNode();
      else {
        let next = node.literals.get(seg);
        if (!next) node.literals.set(seg, (next = newNode()));
        node = next;
      }
    }
    node.routes ??= new Map();
    if (!node.routes.has(method)) node.routes.set(method, value);
  }

  /** Every template the path matches, most specific (most literal segments, leftmost first) first. */
  match(path: string): RouteMatch<T>[] {
    const segments = splitPath(path).map(decodeSegment);
    const out: RouteMatch<T>[] = [];
    const walk = (node: Node<T>, i: number, values: string[]): void => {
      if (i === segments.length) {
        if (node.routes) out.push({ routes: node.routes, values: [...values] });
        return;
      }
      const seg = segments[i];
      const lit = node.literals.get(seg);
      if (lit) walk(lit, i + 1, values);
      if (node.param && seg !== '') {
        values.push(seg);
        walk(node.param, i + 1, values);
        values.pop();
      }
    };
    walk(this.root, 0, []);
    return out;
  }
}

function decodeSegment(seg: string): string {
  try {
    return decodeURIComponent(seg);
  } catch {
    return seg; // a stray `%` is taken literally rather than failing the request
  }
}
