import { listSites, type Site } from '../api.ts';
import { h, replace, type View } from '../dom.ts';
import { renderProblem } from '../problem.ts';

/** The sites of the account as a table linking to each site's page. */
export async function renderSites(root: HTMLElement, view: View): Promise<void> {
  replace(root, h('h1', {}, 'Sites'), h('p', { 'aria-busy': 'true' }, 'Loading…'));
  try {
    const sites = await listSites();
    if (!view.alive) return;
    replace(root, h('h1', {}, 'Sites'), sites.length ? siteTable(sites) : h('p', {}, 'No sites yet. Add one with ', h('code', {}, 'gridflex sites add'), ' or the API.'));
  } catch (e) {
    if (view.alive) replace(root, h('h1', {}, 'Sites'), renderProblem(e));
  }
}

function siteTable(sites: Site[]): HTMLElement {
  const kw = (v: number | null | undefined) => (v === null || v === undefined ? '–' : `${v} kW`);
  const rows = sites.map((s) => h('tr', {},
    h('th', { scope: 'row' }, h('a', { href: `#/sites/${encodeURIComponent(s.id)}` }, s.name)),
    h('td', {}, s.timezone),
    h('td', {}, s.priceZone ?? '–'),
    h('td', { class: 'num' }, kw(s.importCapacityKw)),
    h('td', { class: 'num' }, kw(s.exportCapacityKw)),
    h('td', {}, s.latitude != null && s.longitude != null ? `${s.latitude.toFixed(3)}, ${s.longitude.toFixed(3)}` : '–')));
  return h('div', { class: 'table-wrap' }, h('table', { class: 'sites' },
    h('thead', {}, h('tr', {}, ...['Site', 'Time zone', 'Price zone', 'Import limit', 'Export limit', 'Location'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, ...rows)));
}
