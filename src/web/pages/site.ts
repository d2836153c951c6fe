import { DateTime } from 'luxon';
import { getSite, listSensors, type Site } from '../api.ts';
import { ChartGroup } from '../chart.ts';
import { h, replace, type View } from '../dom.ts';
import { renderProblem } from '../problem.ts';
import { rangePicker } from '../range-picker.ts';
import { routeHash } from '../route.ts';
import { defaultRange, sensorCard } from '../sensor-chart.ts';
import { rangeProblem, type DayRange } from '../timeline.ts';
import { schedulePanel } from '../panels/schedule.ts';
import { agentPanel } from '../panels/agent.ts';

/** A site: its details, a date-range picker and one zoom-linked chart per sensor. */
export async function renderSite(root: HTMLElement, view: View, id: string, asked: Partial<DayRange>): Promise<void> {
  replace(root, h('p', { 'aria-busy': 'true' }, 'Loading site…'));
  try {
    const [site, sensors] = await Promise.all([getSite(id), listSensors(id)]);
    if (!view.alive) return;
    const group = new ChartGroup();
    view.onLeave(() => group.destroyAll());
    const cards = sensors.map((s, i) => sensorCard(s, i, site.timezone, view, group));
    const range = rangeProblem(asked) === null
      ? (asked as DayRange)
      : await defaultRange(sensors, site.timezone, DateTime.now().setZone(site.timezone).toISODate()!);
    if (!view.alive) return;
    const show = (r: DayRange): void => {
      history.replaceState(null, '', routeHash({ page: 'site', id, ...r }));
      for (const c of cards) void c.load(r);
    };
    const picker = rangePicker(range, site.timezone, show);
    replace(root,
      h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/sites' }, 'Sites'), ' / ', site.name),
      h('h1', {}, site.name),
      siteFacts(site),
      picker.el,
      sensors.length ? h('div', { class: 'charts' }, ...cards.map((c) => c.el)) : h('p', {}, 'This site has no sensors yet.'),
      schedulePanel({ siteId: id, timeZone: site.timezone, sensors, view }, range.from),
      agentPanel(id, site.timezone, view));
    show(range);
  } catch (e) {
    if (view.alive) replace(root, h('h1', {}, 'Site'), renderProblem(e));
  }
}

function siteFacts(site: Site): HTMLElement {
  const facts: [string, string][] = [
    ['Time zone', site.timezone],
    ['Price zone', site.priceZone ?? '–'],
    ['Import limit', site.importCapacityKw != null ? `${site.importCapacityKw} kW` : '–'],
    ['Export limit', site.exportCapacityKw != null ? `${site.exportCapacityKw} kW` : '–'],
  ];
  return h('dl', { class: 'facts' }, ...facts.map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v))));
}
