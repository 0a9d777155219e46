// Pages lists as DigitalOcean does: page/per_page (default 20, max 200), absolute links.pages
// (no first/prev on page 1, no next/last on the last page), meta.total.

export const DEFAULT_PER_PAGE = 20;
export const MAX_PER_PAGE = 200;

export interface PageRequest {
  page: number;
  perPage: number;
}

function positiveInt(raw: string | null, fallback: number): number {
  if (raw === null || !/^\s*\d+\s*$/.test(raw)) return fallback;
  const n = Number(raw);
  return n >= 1 ? n : fallback;
}

export function parsePage(query: URLSearchParams): PageRequest {
  return {
    page: positiveInt(query.get('page'), 1),
    perPage: Math.min(MAX_PER_PAGE, positiveInt(query.get('per_page'), DEFAULT_PER_PAGE)),
  };
}

export interface PageLinks {
  first?: string;
  prev?: string;
  next?: string;
  last?: string;
}

/** links.pages for a page; other query parameters (filters) are kept in every link. */
export function pageLinks(baseUrl: string, path: string, query: URLSearchParams, req: PageRequest, total: number): PageLinks {
  const lastPage = Math.max(1, Math.ceil(total / req.perPage));
  const rest = new URLSearchParams(query);
  rest.delete('page');
  rest.delete('per_page');
  const extra = rest.toString();
  const url = (page: number): string => `${baseUrl}${path}?page=${page}&per_page=${req.perPage}${extra ? `&${extra}` : ''}`;
  const links: PageLinks = {};
  if (req.page > 1) {
    links.first = url(1);
    links.prev = url(Math.min(req.page - 1, lastPage));
  }
  if (req.page < lastPage) {
    links.next = url(req.page + 1);
    links.last = url(lastPage);
  }
  return links;
}

export function slicePage<T>(items: readonly T[], req: PageRequest): T[] {
  const start = (req.page - 1) * req.perPage;
  return start >= items.length ? [] : items.slice(start, start + req.perPage);
}
