import { ApiError, readData, type Sensor, type SeriesData } from './api.ts';
import { drawChart, type ChartElement, type ChartGroup } from './chart.ts';
import { h, replace, type View } from './dom.ts';
import { formatValue, hasSign, summarise } from './labels.ts';
import { renderProblem } from './problem.ts';
import { parseDuration } from '../core/time.ts';
import { commonLastDay, lastDayWithData, rangeInstants, readResolution, shiftDay, weekEnding, type DayRange } from './timeline.ts';

/** How to show a series: in another unit of its quantity, or as known at a belief time. */
export interface ReadOptions { unit?: string; asOf?: string }

const PALETTE = ['#1f6feb', '#d1242f', '#1a7f37', '#8250df', '#bc4c00', '#0a7ea4'];

/** A card for one sensor: title, chart and a one-line summary; `load` (re)reads its data for a range. */
export function sensorCard(sensor: Sensor, index: number, timeZone: string, view: View, group?: ChartGroup, link = true) {
  const chart: ChartElement = h('div', { class: 'chart', 'data-sensor-id': sensor.id, role: 'figure', 'aria-label': `Chart of ${sensor.name}` });
  const status = h('p', { class: 'summary', 'aria-live': 'polite' }, 'Loading…');
  const title = link ? h('a', { href: `#/sensors/${encodeURIComponent(sensor.id)}` }, sensor.name) : sensor.name;
  let shown: { min: number; max: number } | null = null;
  const reset = h('button', { type: 'button', class: 'secondary small', 'aria-label': `Reset zoom of ${sensor.name}` }, 'Reset zoom');
  reset.addEventListener('click', () => { if (shown) chart.uplot?.setScale('x', shown); });
  const el = h('section', { class: 'card sensor-card', 'data-sensor-id': sensor.id, 'aria-label': sensor.name },
    h('div', { class: 'card-head' },
      h('h3', {}, title, h('span', { class: 'meta' }, ` ${sensor.quantity} · ${sensor.unit} · ${sensor.resolution}${hasSign(sensor.quantity) ? ' · positive = consumption, negative = production' : ''}`)),
      reset),
    chart, status);
  view.onLeave(() => chart.uplot?.destroy());

  let latest = 0;

  /** Reads and draws the range; `show` picks a display unit and a belief time ("as of"). A newer call wins. */
  async function load(range: DayRange, show: ReadOptions = {}): Promise<SeriesData | null> {
    const ticket = ++latest;
    status.textContent = 'Loading…';
    chart.setAttribute('aria-busy', 'true');
    try {
      const { start, end } = rangeInstants(range, timeZone);
      const resolution = readResolution(sensor.resolution, Date.parse(end) - Date.parse(start));
      const series = await readData(sensor.id, { start, end, resolution: resolution === sensor.resolution ? undefined : resolution, ...show });
      if (!view.alive || ticket !== latest) return null;
      if (chart.uplot) group?.remove(chart.uplot);
      shown = { min: Date.parse(start) / 1000, max: Date.parse(end) / 1000 };
      drawChart(chart, { title: sensor.name, quantity: sensor.quantity, series, timeZone, window: shown, colour: PALETTE[index % PALETTE.length] }, group);
      replace(status, describe(series));
      return series;
    } catch (e) {
      if (view.alive && ticket === latest) replace(status, renderProblem(e));
      return null;
    } finally {
      if (ticket === latest) chart.removeAttribute('aria-busy');
    }
  }
  return { el, load };
}

function describe(s: SeriesData): string {
  const { count, missing, min, mean, max } = summarise(s.values);
  if (count === 0) return `No values in this range (${s.values.length} slots of ${s.resolution}).`;
  return `${count} values of ${s.resolution}${missing ? `, ${missing} missing` : ''} · min ${formatValue(min, s.unit)} · mean ${formatValue(mean, s.unit)} · max ${formatValue(max, s.unit)}`;
}

/** The latest week in which every sensor that has data shows some: probes back from today at daily resolution. */
export async function defaultRange(sensors: Sensor[], timeZone: string, today: string): Promise<DayRange> {
  const lastDays = await Promise.all(sensors.map(async (s) => {
    try {
      const probe = rangeInstants({ from: shiftDay(today, -probeDays(s.resolution)), to: today }, timeZone);
      const d = await readData(s.id, { ...probe, resolution: 'P1D' });
      return lastDayWithData(d.start, d.resolution, d.values, timeZone);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) throw e;
      return null;
    }
  }));
  return weekEnding(commonLastDay(lastDays) ?? today);
}

/** How far back to look for data: five years, or less where the server's limit of slots per read is reached first. */
function probeDays(resolution: string): number {
  return Math.min(5 * 365, Math.floor((PROBE_SLOTS * parseDuration(resolution)) / 86_400_000));
}

/** Below the server's limit of slots per read (a year of 5-minute values). */
const PROBE_SLOTS = 100_000;
