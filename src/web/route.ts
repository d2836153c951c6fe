/** Hash routes of the dashboard: `#/login`, `#/sites`, `#/tokens`, `#/sites/7?from=2024-01-01&to=2024-01-07`, `#/sensors/3`. */
export type Route =
  | { page: 'login'; next?: string }
  | { page: 'sites' }
  | { page: 'site'; id: string; from?: string; to?: string }
  | { page: 'sensor'; id: string; from?: string; to?: string }
  | { page: 'markets' }
  | { page: 'tokens' }
  | { page: 'market'; id: string; slot?: string; from?: string; to?: string }
  | { page: 'not-found'; path: string };

/** Reads a location hash (with or without the leading `#`) into a route. */
export function parseRoute(hash: string): Route {
  const text = hash.replace(/^#/, '') || '/sites';
  const [path, search = ''] = text.split('?', 2);
  const q = new URLSearchParams(search);
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const range = { ...(q.get('from') ? { from: q.get('from')! } : {}), ...(q.get('to') ? { to: q.get('to')! } : {}) };
  if (parts.length === 1 && parts[0] === 'login') return q.get('next') ? { page: 'login', next: q.get('next')! } : { page: 'login' };
  if (parts.length === 1 && parts[0] === 'sites') return { page: 'sites' };
  if (parts.length === 2 && parts[0] === 'sites') return { page: 'site', id: parts[1], ...range };
  if (parts.length === 2 && parts[0] === 'sensors') return { page: 'sensor', id: parts[1], ...range };
  if (parts.length === 1 && parts[0] === 'markets') return { page: 'markets' };
  if (parts.length === 1 && parts[0] === 'tokens') return { page: 'tokens' };
  if (parts.length === 2 && parts[0] === 'markets') return { page: 'market', id: parts[1], ...range, ...(q.get('slot') ? { slot: q.get('slot')! } : {}) };
  return { page: 'not-found', path };
}

/** Writes a route back as a hash; the inverse of parseRoute. */
export function routeHash(route: Route): string {
  switch (route.page) {
    case 'login':
      return route.next ? `#/login?next=${encodeURIComponent(route.next)}` : '#/login';
    case 'sites':
      return '#/sites';
    case 'site':
    case 'sensor': {
      const q = new URLSearchParams();
      if (route.from) q.set('from', route.from);
      if (route.to) q.set('to', route.to);
      const search = q.toString();
      return `#/${route.page}s/${encodeURIComponent(route.id)}${search ? `?${search}` : ''}`;
    }
    case 'markets':
      return '#/markets';
    case 'tokens':
      return '#/tokens';
    case 'market': {
      const q = new URLSearchParams();
      for (const k of ['slot', 'from', 'to'] as const) if (route[k]) q.set(k, route[k]!);
      return `#/markets/${encodeURIComponent(route.id)}${q.toString() ? `?${q}` : ''}`;
    }
    case 'not-found':
      return `#${route.path}`;
  }
}
