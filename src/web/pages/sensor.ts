import { DateTime } from 'luxon';
import { getSensor, getSite, type Sensor, type UploadResult } from '../api.ts';
import { h, replace, type View } from '../dom.ts';
import { renderProblem } from '../problem.ts';
import { rangePicker } from '../range-picker.ts';
import { routeHash } from '../route.ts';
import { displayForm } from '../display-form.ts';
import { defaultRange, sensorCard, type ReadOptions } from '../sensor-chart.ts';
import { rangeProblem, type DayRange } from '../timeline.ts';
import { canWrite, currentUser } from '../session.ts';
import { uploadForm } from '../upload.ts';
import { forecastPanel } from '../panels/forecast.ts';

/** A sensor: its chart over a date range and a CSV upload whose values show in the chart once written. */
export async function renderSensor(root: HTMLElement, view: View, id: string, asked: Partial<DayRange>): Promise<void> {
  replace(root, h('p', { 'aria-busy': 'true' }, 'Loading sensor…'));
  try {
    const sensor = await getSensor(id);
    const site = sensor.siteId ? await getSite(sensor.siteId).catch(() => null) : null;
    const timeZone = site?.timezone ?? 'UTC';
    if (!view.alive) return;
    let range = rangeProblem(asked) === null
      ? (asked as DayRange)
      : await defaultRange([sensor], timeZone, DateTime.now().setZone(timeZone).toISODate()!);
    if (!view.alive) return;
    const card = sensorCard(sensor, 0, timeZone, view, undefined, false);
    let options: ReadOptions = {};
    const show = (r: DayRange): Promise<unknown> => {
      range = r;
      history.replaceState(null, '', routeHash({ page: 'sensor', id, ...r }));
      void forecast.load(r);
      return card.load(r, options);
    };
    const forecast = forecastPanel(sensor, timeZone, view, (r) => { picker.set(r); void show(r); });
    const display = displayForm(sensor.unit, timeZone, (o) => { options = o; void show(range); });
    const picker = rangePicker(range, timeZone, (r) => void show(r));
    const afterUpload = async (res: UploadResult): Promise<void> => {
      if (!res.start || !res.end) return void (await show(range));
      const written = daysOf(res.start, res.end, timeZone);
      const next = written.from >= range.from && written.to <= range.to ? range : written;
      picker.set(next);
      await show(next);
    };
    replace(root,
      h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' },
        h('a', { href: '#/sites' }, 'Sites'), ' / ',
        site ? h('a', { href: `#/sites/${encodeURIComponent(site.id)}` }, site.name) : 'no site', ' / ', sensor.name),
      h('h1', {}, sensor.name),
      sensorFacts(sensor, timeZone),
      picker.el,
      display,
      card.el,
      forecast.el,
      canWrite(currentUser())
        ? uploadForm(sensor, timeZone, afterUpload)
        : h('p', { class: 'hint', id: 'read-only' }, 'Your role can read this sensor but not upload data to it.'));
    await show(range);
  } catch (e) {
    if (view.alive) replace(root, h('h1', {}, 'Sensor'), renderProblem(e));
  }
}

/** The local days an upload covered (its end is exclusive). */
function daysOf(start: string, end: string, timeZone: string): DayRange {
  const from = DateTime.fromISO(start, { zone: timeZone }).toISODate()!;
  const to = DateTime.fromMillis(Date.parse(end) - 1, { zone: timeZone }).toISODate()!;
  return { from, to: to < from ? from : to };
}

function sensorFacts(s: Sensor, timeZone: string): HTMLElement {
  const facts: [string, string][] = [
    ['Quantity', s.quantity], ['Unit', s.unit], ['Resolution', s.resolution], ['Time zone', timeZone],
    ...(s.priceZone ? [['Price zone', s.priceZone] as [string, string]] : []),
  ];
  return h('dl', { class: 'facts' }, ...facts.map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v))));
}
