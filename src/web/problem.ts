import { ApiError, type Problem } from './api.ts';
import { h } from './dom.ts';

/** The problem details of any error thrown by the API client or the page. */
export function problemOf(e: unknown): Problem {
  if (e instanceof ApiError) return e.problem;
  return { title: 'Something went wrong', status: 0, detail: e instanceof Error ? e.message : String(e) };
}

/** Shows a problem: its title and detail, then every rejected line or field in a table. */
export function renderProblem(e: unknown): HTMLElement {
  const p = problemOf(e);
  const items = p.errors ?? [];
  const box = h('div', { class: 'problem', role: 'alert' },
    h('strong', {}, p.title),
    p.status ? h('span', { class: 'status' }, ` (HTTP ${p.status})`) : null,
    p.detail ? h('p', {}, p.detail) : null,
  );
  if (items.length) {
    const rows = items.slice(0, 200).map((it) =>
      h('tr', {}, h('td', {}, it.line !== undefined ? `line ${it.line}` : it.field ?? ''), h('td', {}, it.message)));
    box.append(h('table', { class: 'problem-items' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Where'), h('th', { scope: 'col' }, 'Problem'))),
      h('tbody', {}, ...rows)));
    if (items.length > 200) box.append(h('p', {}, `… and ${items.length - 200} more`));
  }
  return box;
}
