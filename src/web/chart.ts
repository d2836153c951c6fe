import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { SeriesData } from './api.ts';
import { axisLabel, formatValue } from './labels.ts';
import { slotTimes } from './timeline.ts';

/** The element a chart lives in; the uPlot instance is kept on it so a page (or a test) can read what was drawn. */
export type ChartElement = HTMLElement & { uplot?: uPlot };

export interface ChartSpec {
  title: string;
  quantity: string;
  series: SeriesData;
  timeZone: string;
  /** The time window to show (Unix seconds), the whole chosen range even where data is missing; double-click returns here. */
  window: { min: number; max: number };
  colour?: string;
}

/** Charts that zoom together: a drag-zoom on one sets the same time window on the others. */
export class ChartGroup {
  private readonly charts = new Set<uPlot>();
  private syncing = false;
  readonly key = `g${Math.random().toString(36).slice(2)}`;

  add(u: uPlot): void { this.charts.add(u); }
  remove(u: uPlot): void { this.charts.delete(u); }

  /** Called from a chart's setScale hook. */
  follow(source: uPlot): void {
    if (this.syncing) return;
    const { min, max } = source.scales.x;
    if (min == null || max == null) return;
    this.syncing = true;
    try {
      for (const u of this.charts) if (u !== source) u.setScale('x', { min, max });
    } finally {
      this.syncing = false;
    }
  }

  destroyAll(): void {
    for (const u of this.charts) u.destroy();
    this.charts.clear();
  }
}

const HEIGHT = 300;

/** Draws one sensor's series as a step line over its slots, with the site's local time on the x axis. */
export function drawChart(el: ChartElement, spec: ChartSpec, group?: ChartGroup): uPlot {
  el.uplot?.destroy();
  const { series, timeZone } = spec;
  const x = slotTimes(series.start, series.resolution, series.values.length);
  const data: uPlot.AlignedData = [x, series.values.map((v) => (v === undefined ? null : v))];
  const colour = spec.colour ?? '#1f6feb';
  const slotSeconds = x.length > 1 ? x[1] - x[0] : (spec.window.max - spec.window.min);
  const opts: uPlot.Options = {
    width: widthOf(el),
    height: HEIGHT,
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), timeZone),
    scales: { x: { time: true } },
    cursor: {
      drag: { x: true, y: false, setScale: true },
      sync: group ? { key: group.key } : undefined,
      bind: { dblclick: (u) => () => { u.setScale('x', spec.window); return null; } },
    },
    series: [
      { label: `Time (${timeZone})` },
      {
        label: spec.title,
        stroke: colour,
        fill: `${colour}22`,
        width: 1.5,
        spanGaps: false,
        paths: uPlot.paths.stepped!({ align: 1 }),
        value: (_u, v) => formatValue(v, series.unit),
      },
    ],
    axes: [
      { label: `Time (${timeZone})`, labelFont: '600 11px system-ui, sans-serif', stroke: '#444', grid: { stroke: '#eee' } },
      { label: axisLabel(spec.quantity, series.unit), labelFont: '600 11px system-ui, sans-serif', stroke: '#444', grid: { stroke: '#eee' }, size: 60 },
    ],
    hooks: {
      draw: [(u) => drawOpenSlotEnds(u, slotSeconds, colour)],
      ...(group ? { setScale: [(u: uPlot, key: string) => { if (key === 'x') group.follow(u); }] } : {}),
    },
  };
  const u = new uPlot(opts, data, el);
  u.setScale('x', spec.window);
  el.uplot = u;
  el.dataset.points = String(series.values.length);
  group?.add(u);
  keepWidth(el, u);
  return u;
}

/**
 * A step line draws a value from its slot start to the next point; the last slot and a slot followed by a gap
 * have no next point, so their value is drawn here across the slot's own length.
 */
function drawOpenSlotEnds(u: uPlot, slotSeconds: number, colour: string): void {
  const xs = u.data[0];
  const ys = u.data[1];
  const { ctx, bbox } = u;
  ctx.save();
  ctx.beginPath();
  ctx.rect(bbox.left, bbox.top, bbox.width, bbox.height);
  ctx.clip();
  ctx.strokeStyle = colour;
  ctx.lineWidth = 1.5 * uPlot.pxRatio;
  ctx.beginPath();
  for (let i = 0; i < xs.length; i++) {
    const y = ys[i];
    if (y === null || y === undefined || (i + 1 < xs.length && ys[i + 1] !== null && ys[i + 1] !== undefined)) continue;
    const py = u.valToPos(y, 'y', true);
    ctx.moveTo(u.valToPos(xs[i], 'x', true), py);
    ctx.lineTo(u.valToPos(xs[i] + slotSeconds, 'x', true), py);
  }
  ctx.stroke();
  ctx.restore();
}

function widthOf(el: HTMLElement): number {
  return Math.max(280, Math.floor(el.clientWidth || el.parentElement?.clientWidth || 800));
}

/** Resizes the chart with its container (responsive layout). */
function keepWidth(el: HTMLElement, u: uPlot): void {
  if (typeof ResizeObserver === 'undefined') return;
  let last = u.width;
  const ro = new ResizeObserver(() => {
    const w = widthOf(el);
    if (Math.abs(w - last) > 2) { last = w; u.setSize({ width: w, height: HEIGHT }); }
  });
  ro.observe(el);
  const destroy = u.destroy.bind(u);
  u.destroy = () => { ro.disconnect(); destroy(); };
}
