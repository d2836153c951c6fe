import { DateTime } from 'luxon';
import { askSchedule, getSchedule, listAssets, listSchedules, readData, type Asset, type ScheduleResult, type ScheduleRun, type Sensor } from '../api.ts';
import type { ChartElement } from '../chart.ts';
import { h, replace, type View } from '../dom.ts';
import { followJob, sleep } from '../jobs.ts';
import { axisLabel } from '../labels.ts';
import { renderProblem } from '../problem.ts';
import { formatMoney } from '../schedule-format.ts';
import { canWrite, currentUser } from '../session.ts';
import { rangeInstants } from '../timeline.ts';
import { batteryForm } from './asset-form.ts';
import { drawLineChart, drawPowerChart, seriesX, stateLines } from './schedule-chart.ts';

interface Ctx { siteId: string; timeZone: string; sensors: Sensor[]; view: View }

/** The site's latest schedule (power per asset, states, prices, cost and what was missed) and a form to ask for one. */
export function schedulePanel(ctx: Ctx, firstDay: string): HTMLElement {
  const status = h('p', { class: 'schedule-status', id: 'schedule-status', 'aria-live': 'polite' }, 'Loading schedules…');
  const body = h('div', { class: 'schedule-body' });
  const assetList = h('ul', { class: 'asset-list', 'aria-label': 'Assets of the site' });
  let names = new Map<string, string>();

  const refreshAssets = async (): Promise<void> => {
    const assets = await listAssets(ctx.siteId);
    names = new Map(assets.map((a: Asset) => [String(a.id), a.name]));
    replace(assetList, ...(assets.length ? assets.map((a) => h('li', {}, `${a.name} (${a.type})`)) : [h('li', {}, 'No assets yet.')]));
  };

  const show = (run: ScheduleRun): void => {
    if (run.status === 'failed') {
      replace(status, `Schedule ${run.id} failed.`);
      return replace(body, h('div', { class: 'problem', role: 'alert' }, h('strong', {}, 'The schedule could not be made'), h('p', {}, run.error ?? 'no reason given')));
    }
    if (!run.result) return void replace(body);
    replace(status, `Schedule ${run.id}: ${run.result.status}.`);
    renderResult(body, run.result, names, ctx);
  };

  const watch = async (id: number, job: string | null): Promise<void> => {
    if (job) {
      const done = await followJob(job, ctx.view, (j) => replace(status, `Job ${j.state}…`));
      if (!done) return;
    }
    for (;;) {
      const run = await getSchedule(id);
      if (!ctx.view.alive) return;
      if (run.status === 'done' || run.status === 'failed') return show(run);
      replace(status, `Schedule ${run.status}…`);
      await sleep(500);
    }
  };

  const form = requestForm(ctx, firstDay, status, (id, job) => watch(id, job));
  const el = h('section', { class: 'card schedule-panel', 'aria-label': 'Schedule' },
    h('h2', {}, 'Schedule'),
    assetList,
    canWrite(currentUser()) ? h('div', { class: 'schedule-forms' }, form, batteryForm(ctx.siteId, () => void refreshAssets())) : null,
    status, body);

  void (async () => {
    try {
      await refreshAssets();
      const [latest] = await listSchedules(ctx.siteId);
      if (!ctx.view.alive) return;
      if (!latest) return void replace(status, 'No schedule yet.');
      if (latest.status === 'queued' || latest.status === 'running') await watch(latest.id, latest.job);
      else show(latest);
    } catch (e) {
      if (ctx.view.alive) replace(status, renderProblem(e));
    }
  })();
  return el;
}

function requestForm(ctx: Ctx, firstDay: string, status: HTMLElement, started: (id: number, job: string | null) => Promise<void>): HTMLElement {
  const from = h('input', { type: 'date', id: 'schedule-from', required: true, value: firstDay });
  const to = h('input', { type: 'date', id: 'schedule-to', required: true, value: firstDay });
  const problem = h('div', { class: 'schedule-problem' });
  const form = h('form', { class: 'schedule-form', 'aria-label': 'Ask for a schedule' },
    h('h3', {}, 'Ask for a schedule'),
    h('div', { class: 'fields' },
      h('label', { for: 'schedule-from' }, 'First day to plan'), from,
      h('label', { for: 'schedule-to' }, 'Last day to plan'), to),
    h('button', { type: 'submit' }, 'Make schedule'),
    problem);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    replace(problem);
    const range = rangeInstants({ from: from.value, to: to.value || from.value }, ctx.timeZone);
    try {
      const accepted = await askSchedule(ctx.siteId, range);
      replace(status, 'Job queued…');
      await started(accepted.id, accepted.job);
    } catch (e) {
      replace(problem, renderProblem(e));
    }
  });
  return form;
}

function renderResult(body: HTMLElement, r: ScheduleResult, names: Map<string, string>, ctx: Ctx): void {
  const power: ChartElement = h('div', { class: 'chart schedule-power', role: 'figure', 'aria-label': 'Planned power per asset' });
  const states: ChartElement = h('div', { class: 'chart schedule-states', role: 'figure', 'aria-label': 'State of charge and temperature' });
  const prices: ChartElement = h('div', { class: 'chart schedule-prices', role: 'figure', 'aria-label': 'Prices over the schedule' });
  const local = (iso: string) => DateTime.fromISO(iso, { zone: ctx.timeZone }).toFormat('yyyy-MM-dd HH:mm');
  replace(body,
    h('p', { class: 'hint' }, `${local(r.start)} to ${local(r.end)} (${ctx.timeZone}), slots of ${r.resolution}.`),
    r.reason ? h('div', { class: 'problem', role: 'alert', id: 'schedule-reason' }, h('strong', {}, 'Infeasible: '), r.reason) : null,
    costFacts(r),
    unmetList(r, names),
    r.assets.length ? h('section', { class: 'chart-box', 'aria-label': 'Planned power' }, h('h3', {}, 'Planned power per asset'), power) : h('p', {}, 'The schedule has no assets.'),
    h('section', { class: 'chart-box', 'aria-label': 'States' }, h('h3', {}, 'State of charge and temperature'), states),
    h('section', { class: 'chart-box', 'aria-label': 'Prices' }, h('h3', {}, 'Prices'), prices));
  ctx.view.onLeave(() => { power.uplot?.destroy(); states.uplot?.destroy(); prices.uplot?.destroy(); });
  if (r.assets.length) drawPowerChart(power, r, names, ctx.timeZone);
  drawStates(states, r, names, ctx.timeZone);
  void drawPrices(prices, r, ctx);
}

function drawStates(el: ChartElement, r: ScheduleResult, names: Map<string, string>, timeZone: string): void {
  const { soc, temperature } = stateLines(r, names);
  if (!soc.length && !temperature.length) return void replace(el, 'No asset with a state of charge or a temperature.');
  const n = r.assets[0].powerKw.length;
  const t0 = Date.parse(r.start) / 1000;
  const step = (Date.parse(r.end) / 1000 - t0) / n;
  // each state is the one at the end of its slot
  const x = Array.from({ length: n }, (_, i) => t0 + (i + 1) * step);
  const lines = soc.length ? soc : temperature;
  drawLineChart(el, lines, x, { min: t0, max: t0 + n * step }, timeZone, soc.length ? axisLabel('soc', 'kWh') : axisLabel('temperature', '°C'));
}

async function drawPrices(el: ChartElement, r: ScheduleResult, ctx: Ctx): Promise<void> {
  const sensor = ctx.sensors.find((s) => s.quantity === 'price');
  if (!sensor) return void replace(el, 'The site has no price sensor to show.');
  try {
    const s = await readData(sensor.id, { start: r.start, end: r.end });
    if (!ctx.view.alive) return;
    drawLineChart(el, [{ label: sensor.name, values: s.values, unit: s.unit, colour: '#bc4c00' }], seriesX(s),
      { min: Date.parse(r.start) / 1000, max: Date.parse(r.end) / 1000 }, ctx.timeZone, axisLabel('price', s.unit));
  } catch (e) {
    replace(el, renderProblem(e));
  }
}

function costFacts(r: ScheduleResult): HTMLElement {
  const m = (v: number) => formatMoney(v, r.currency);
  const facts: [string, string, string][] = [
    ['Status', r.status, 'schedule-result-status'],
    ['Cost', m(r.cost.total), 'schedule-cost'],
    ['Without gridflex', m(r.baseline.cost), 'schedule-baseline'],
    ['Saving', m(r.saving), 'schedule-saving'],
    ['Energy · peak · cycling', `${m(r.cost.energy)} · ${m(r.cost.peak)} · ${m(r.cost.cycle)}`, 'schedule-breakdown'],
  ];
  return h('dl', { class: 'facts' }, ...facts.map(([k, v, id]) => h('div', {}, h('dt', {}, k), h('dd', { id }, v))));
}

function unmetList(r: ScheduleResult, names: Map<string, string>): HTMLElement {
  if (!r.unmet.length) return h('p', { class: 'unmet none' }, 'Every wish is met.');
  return h('div', { class: 'unmet' }, h('h3', {}, 'Wishes not met'),
    h('ul', {}, ...r.unmet.map((u) => h('li', {}, `${names.get(u.assetId) ?? u.assetId}: ${u.message} (${u.amount} ${u.unit})`))));
}
