import uPlot from 'uplot';
import type { ScheduleResult, SeriesData } from '../api.ts';
import type { ChartElement } from '../chart.ts';
import { axisLabel, formatValue } from '../labels.ts';
import { stackBase, stackedExtent } from '../schedule-format.ts';
import { slotTimes } from '../timeline.ts';

const PALETTE = ['#1f6feb', '#d1242f', '#1a7f37', '#8250df', '#bc4c00', '#0a7ea4'];
const HEIGHT = 260;

export interface Line { label: string; values: (number | null)[]; unit: string; colour?: string }

function widthOf(el: HTMLElement): number {
  return Math.max(280, Math.floor(el.clientWidth || el.parentElement?.clientWidth || 800));
}

function axes(timeZone: string, yLabel: string): uPlot.Axis[] {
  const font = '600 11px system-ui, sans-serif';
  return [
    { label: `Time (${timeZone})`, labelFont: font, stroke: '#444', grid: { stroke: '#eee' } },
    { label: yLabel, labelFont: font, stroke: '#444', grid: { stroke: '#eee' }, size: 60 },
  ];
}

/** Draws each asset's power as bars stacked on the earlier assets of the same sign (data = the raw powerKw). */
function stackedBars(slotSeconds: number): uPlot.Series.PathBuilder {
  return (u, si) => {
    const xs = u.data[0];
    const series = u.data.slice(1) as number[][];
    const path = new Path2D();
    for (let i = 0; i < xs.length; i++) {
      const v = series[si - 1][i];
      if (!v) continue;
      const base = stackBase(series, si - 1, i);
      const x0 = u.valToPos(xs[i], 'x', true);
      const x1 = u.valToPos(xs[i] + slotSeconds, 'x', true);
      const y0 = u.valToPos(base, 'y', true);
      const y1 = u.valToPos(base + v, 'y', true);
      path.rect(x0, Math.min(y0, y1), Math.max(1, x1 - x0), Math.abs(y1 - y0));
    }
    return { stroke: path, fill: path };
  };
}

function slotSecondsOf(x: number[], result: ScheduleResult): number {
  return x.length > 1 ? x[1] - x[0] : (Date.parse(result.end) - Date.parse(result.start)) / 1000;
}

/** The schedule's power per asset, stacked: consumption up, production down. */
export function drawPowerChart(el: ChartElement, result: ScheduleResult, names: Map<string, string>, timeZone: string): uPlot {
  el.uplot?.destroy();
  const x = slotTimes(result.start, result.resolution, result.assets[0]?.powerKw.length ?? 0);
  const slot = slotSecondsOf(x, result);
  const ys = result.assets.map((a) => a.powerKw);
  const [lo, hi] = stackedExtent(ys);
  const pad = Math.max(0.5, (hi - lo) * 0.05);
  const opts: uPlot.Options = {
    width: widthOf(el), height: HEIGHT,
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), timeZone),
    scales: { x: { time: true, range: () => [x[0], x[x.length - 1] + slot] }, y: { range: () => [lo - pad, hi + pad] } },
    series: [
      { label: `Time (${timeZone})` },
      ...result.assets.map((a, k) => ({
        label: names.get(a.id) ?? `${a.type} ${a.id}`,
        stroke: PALETTE[k % PALETTE.length], fill: `${PALETTE[k % PALETTE.length]}aa`, width: 0,
        paths: stackedBars(slot), points: { show: false },
        value: (_u: uPlot, v: number | null) => formatValue(v, 'kW'),
      })),
    ],
    axes: axes(timeZone, axisLabel('power', 'kW')),
  };
  const u = new uPlot(opts, [x, ...ys], el);
  el.uplot = u;
  return u;
}

/** Step lines over the schedule's window: states of charge and temperatures, or the prices. */
export function drawLineChart(el: ChartElement, lines: Line[], x: number[], window: { min: number; max: number }, timeZone: string, yLabel: string): uPlot {
  el.uplot?.destroy();
  const opts: uPlot.Options = {
    width: widthOf(el), height: HEIGHT,
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), timeZone),
    scales: { x: { time: true, range: () => [window.min, window.max] } },
    series: [
      { label: `Time (${timeZone})` },
      ...lines.map((l, k) => ({
        label: l.label, stroke: l.colour ?? PALETTE[k % PALETTE.length], width: 1.5, spanGaps: false,
        paths: uPlot.paths.stepped!({ align: 1 }), points: { show: false },
        value: (_u: uPlot, v: number | null) => formatValue(v, l.unit),
      })),
    ],
    axes: axes(timeZone, yLabel),
  };
  const u = new uPlot(opts, [x, ...lines.map((l) => l.values)], el);
  el.uplot = u;
  return u;
}

/** States at the end of each slot (SoC, temperature) drawn at the slot's end, starting from the slot start. */
export function stateLines(result: ScheduleResult, names: Map<string, string>): { soc: Line[]; temperature: Line[] } {
  const name = (id: string, type: string) => names.get(id) ?? `${type} ${id}`;
  return {
    soc: result.assets.filter((a) => a.socKwh).map((a) => ({ label: `${name(a.id, a.type)} SoC`, values: a.socKwh!, unit: 'kWh' })),
    temperature: result.assets.filter((a) => a.temperatureC).map((a) => ({ label: `${name(a.id, a.type)} temperature`, values: a.temperatureC!, unit: '°C' })),
  };
}

/** x values of a series read from the API (slot starts, Unix seconds). */
export function seriesX(s: SeriesData): number[] {
  return slotTimes(s.start, s.resolution, s.values.length);
}
