/**
 * The market pages: `#/markets` lists the account's markets; `#/markets/7?slot=...&from=...&to=...` shows one
 * market: the supply and demand curves of a slot and where they cross, clearing price and volume over time,
 * and each member's bill for the period.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { ApiError, listSites } from '../api.ts';
import { h, replace, type View } from '../dom.ts';
import { renderProblem } from '../problem.ts';

interface Market { id: number; name: string; slot: string; gateClosure: string; timeZone: string; currency: string; mechanism: string; retailPrice: number; feedInTariff: number; localGridFee: number }
interface CurvePoint { price: number; cumulativeKwh: number }
interface Clearing { slot: string; price: number | null; volumeKwh: number; orders: number }
interface SlotView { slot: string; gateClosure: string; book: { demand: CurvePoint[]; supply: CurvePoint[]; buyOrders: number; sellOrders: number }; clearing: Clearing | null }
interface Bill { siteId: number; slotsSettled: number; slotsAwaitingData: string[]; localBoughtKwh: number; localSoldKwh: number; gridImportKwh: number; gridExportKwh: number; feeCost: number; adjustments: number; totalCost: number }

type ChartEl = HTMLElement & { uplot?: uPlot };

async function get<T>(path: string, query: Record<string, string> = {}): Promise<T> {
  const url = new URL(`/api/v1${path}`, window.location.origin);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const res = await fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(body && typeof body === 'object' && 'title' in body ? body : { title: res.statusText, status: res.status });
  return body as T;
}

export async function renderMarkets(root: HTMLElement, view: View): Promise<void> {
  replace(root, h('h1', {}, 'Markets'), h('p', { 'aria-busy': 'true' }, 'Loading…'));
  try {
    const { items } = await get<{ items: Market[] }>('/markets');
    if (!view.alive) return;
    const rows = items.map((m) => h('tr', {},
      h('th', { scope: 'row' }, h('a', { href: `#/markets/${m.id}` }, m.name)),
      h('td', {}, m.slot), h('td', {}, m.mechanism), h('td', { class: 'num' }, `${m.retailPrice} ${m.currency}/kWh`), h('td', { class: 'num' }, `${m.feedInTariff} ${m.currency}/kWh`)));
    replace(root, h('h1', {}, 'Markets'), items.length
      ? h('div', { class: 'table-wrap' }, h('table', { class: 'markets' },
        h('thead', {}, h('tr', {}, ...['Market', 'Slot', 'Mechanism', 'Retail price', 'Feed-in tariff'].map((t) => h('th', { scope: 'col' }, t)))), h('tbody', {}, ...rows)))
      : h('p', {}, 'No markets yet. Create one with ', h('code', {}, 'gridflex market create'), ' or the API.'));
  } catch (e) {
    if (view.alive) replace(root, h('h1', {}, 'Markets'), renderProblem(e));
  }
}

/** From a day ago to a day ahead, when the link names no period. */
function defaultPeriod(): { from: string; to: string } {
  const now = Date.now();
  return { from: new Date(now - 86_400_000).toISOString(), to: new Date(now + 86_400_000).toISOString() };
}

export async function renderMarket(root: HTMLElement, view: View, id: string, q: { slot?: string; from?: string; to?: string }): Promise<void> {
  replace(root, h('h1', {}, 'Market'), h('p', { 'aria-busy': 'true' }, 'Loading…'));
  try {
    const market = await get<Market>(`/markets/${encodeURIComponent(id)}`);
    const period = q.from && q.to ? { from: q.from, to: q.to } : defaultPeriod();
    const [clearings, bills, sites] = await Promise.all([
      get<{ items: Clearing[] }>(`/markets/${market.id}/clearings`, period),
      get<{ items: (Bill & { currency: string })[] }>(`/markets/${market.id}/bills`, period),
      listSites(),
    ]);
    const siteNames = new Map(sites.map((x) => [String(x.id), x.name]));
    const slot = q.slot ?? clearings.items.at(-1)?.slot;
    const slotView = slot ? await get<SlotView>(`/markets/${market.id}/slots/${encodeURIComponent(slot)}`) : null;
    if (!view.alive) return;
    const curves = h('div', { class: 'chart', role: 'img', 'aria-label': 'Supply and demand curves' }) as ChartEl;
    const history = h('div', { class: 'chart', role: 'img', 'aria-label': 'Clearing price and volume' }) as ChartEl;
    replace(root,
      h('h1', {}, market.name),
      h('p', {}, `${market.slot} slots in ${market.timeZone}, gate ${market.gateClosure} before each slot, ${market.mechanism}; grid at ${market.retailPrice} / ${market.feedInTariff} ${market.currency}/kWh, local fee ${market.localGridFee}.`),
      h('p', {}, `Period ${period.from} to ${period.to}.`),
      h('section', { 'aria-label': 'Slot' },
        h('h2', {}, slot ? `Slot ${slot}` : 'No slot cleared in this period'),
        slotView ? slotSummary(slotView, market.currency) : null, curves),
      h('section', { 'aria-label': 'Clearing over time' }, h('h2', {}, 'Clearing price and volume'), history),
      h('section', { 'aria-label': 'Bills' }, h('h2', {}, 'Bills'), billTable(bills.items, market.currency, siteNames)));
    if (slotView) drawCurves(curves, slotView, market.currency);
    drawHistory(history, clearings.items, market);
    view.onLeave(() => { curves.uplot?.destroy(); history.uplot?.destroy(); });
  } catch (e) {
    if (view.alive) replace(root, h('h1', {}, 'Market'), renderProblem(e));
  }
}

function slotSummary(s: SlotView, currency: string): HTMLElement {
  const c = s.clearing;
  return h('p', { class: 'slot-summary' },
    `${s.book.buyOrders} buy and ${s.book.sellOrders} sell orders; gate closed ${s.gateClosure}. `,
    c ? (c.price === null ? 'Nothing crossed.' : `Cleared ${c.volumeKwh} kWh at ${c.price} ${currency}/kWh.`) : 'Not cleared yet.');
}

/** Step value of a curve at a cumulative energy: the price of the first step that reaches past it. */
export function stepAt(curve: readonly CurvePoint[], kwh: number): number | null {
  for (const p of curve) if (p.cumulativeKwh > kwh) return p.price;
  return null;
}

/** The curves on one energy axis: demand falling, supply rising; the clearing price and volume drawn where they cross. */
export function curveData(s: SlotView): [number[], (number | null)[], (number | null)[]] {
  const xs = [...new Set([0, ...s.book.demand.map((p) => p.cumulativeKwh), ...s.book.supply.map((p) => p.cumulativeKwh)])].sort((a, b) => a - b);
  const last = (c: readonly CurvePoint[], x: number) => (c.length && x === c[c.length - 1].cumulativeKwh ? c[c.length - 1].price : null);
  return [xs, xs.map((x) => stepAt(s.book.demand, x) ?? last(s.book.demand, x)), xs.map((x) => stepAt(s.book.supply, x) ?? last(s.book.supply, x))];
}

function drawCurves(el: ChartEl, s: SlotView, currency: string): void {
  const data = curveData(s);
  const price = s.clearing?.price ?? null;
  const volume = s.clearing?.volumeKwh ?? null;
  el.dataset.price = price === null ? '' : String(price);
  el.dataset.volume = volume === null ? '' : String(volume);
  const u = new uPlot({
    width: Math.max(320, el.clientWidth || 800), height: 300,
    scales: { x: { time: false } },
    series: [
      { label: 'Energy (kWh)' },
      { label: 'Demand (buy limits)', stroke: '#1f6feb', width: 2, paths: uPlot.paths.stepped!({ align: 1 }) },
      { label: 'Supply (sell limits)', stroke: '#d97706', width: 2, paths: uPlot.paths.stepped!({ align: 1 }) },
    ],
    axes: [{ label: 'Cumulative energy (kWh)' }, { label: `Limit price (${currency}/kWh)`, size: 70 }],
    hooks: {
      draw: [(p) => {
        if (price === null || volume === null) return;
        const { ctx, bbox } = p;
        const x = p.valToPos(volume, 'x', true);
        const y = p.valToPos(price, 'y', true);
        ctx.save();
        ctx.strokeStyle = '#16a34a';
        ctx.setLineDash([4, 4]);
        ctx.beginPath();
        ctx.moveTo(bbox.left, y);
        ctx.lineTo(bbox.left + bbox.width, y);
        ctx.moveTo(x, bbox.top);
        ctx.lineTo(x, bbox.top + bbox.height);
        ctx.stroke();
        ctx.setLineDash([]);
        ctx.fillStyle = '#16a34a';
        ctx.beginPath();
        ctx.arc(x, y, 5 * uPlot.pxRatio, 0, 2 * Math.PI);
        ctx.fill();
        ctx.restore();
      }],
    },
  }, data, el);
  el.uplot = u;
}

function drawHistory(el: ChartEl, items: Clearing[], market: Market): void {
  const data: uPlot.AlignedData = [items.map((c) => Date.parse(c.slot) / 1000), items.map((c) => c.price), items.map((c) => c.volumeKwh)];
  el.dataset.points = String(items.length);
  el.uplot = new uPlot({
    width: Math.max(320, el.clientWidth || 800), height: 260,
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), market.timeZone),
    scales: { x: { time: true, range: (_u, min, max) => [min, max + slotSeconds(market.slot)] }, kwh: { range: (_u, _min, max) => [0, Math.max(1, max) * 1.1] } },
    series: [
      { label: `Time (${market.timeZone})` },
      { label: `Clearing price (${market.currency}/kWh)`, stroke: '#16a34a', width: 2, paths: uPlot.paths.stepped!({ align: 1 }) },
      { label: 'Volume (kWh)', stroke: '#6b7280', scale: 'kwh', width: 1, paths: uPlot.paths.bars!({ size: [0.6] }), fill: '#6b728033' },
    ],
    axes: [{ label: `Time (${market.timeZone})` }, { label: `${market.currency}/kWh`, size: 70 }, { scale: 'kwh', side: 1, label: 'kWh', grid: { show: false } }],
  }, data, el);
}

function slotSeconds(slot: string): number {
  return slot === 'PT1H' ? 3600 : 900;
}

function billTable(bills: Bill[], currency: string, names: ReadonlyMap<string, string>): HTMLElement {
  if (!bills.length) return h('p', {}, 'No members.');
  const n = (v: number, d = 3) => v.toFixed(d);
  const rows = bills.map((b) => h('tr', {},
    h('th', { scope: 'row' }, h('a', { href: `#/sites/${b.siteId}` }, names.get(String(b.siteId)) ?? `Site ${b.siteId}`)),
    h('td', { class: 'num' }, String(b.slotsSettled)), h('td', { class: 'num' }, String(b.slotsAwaitingData.length)),
    h('td', { class: 'num' }, n(b.localBoughtKwh)), h('td', { class: 'num' }, n(b.localSoldKwh)),
    h('td', { class: 'num' }, n(b.gridImportKwh)), h('td', { class: 'num' }, n(b.gridExportKwh)),
    h('td', { class: 'num' }, n(b.feeCost, 2)), h('td', { class: 'num' }, n(b.adjustments, 2)), h('td', { class: 'num total' }, n(b.totalCost, 2))));
  return h('div', { class: 'table-wrap' }, h('table', { class: 'bills' },
    h('thead', {}, h('tr', {}, ...['Member', 'Slots settled', 'Awaiting data', 'Bought kWh', 'Sold kWh', 'Grid import kWh', 'Grid export kWh', `Fees ${currency}`, `Adjustments ${currency}`, `Total ${currency}`].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, ...rows)));
}
