/**
 * Scheduler figures (library only): one battery over 96 quarter-hours (the default call, which takes the battery
 * planner, and the same call forced through the HiGHS model) with the plain HiGHS solve of that model as reference, one home with every asset type, one battery over a year of hours, and 10,000 real EV
 * charging sessions (Caltech ACN-Data, JPL, May 2021) planned against the real 2024 German day-ahead prices
 * (Bundesnetzagentur / SMARD.de, CC BY 4.0), with the fleet's saving against charging at once.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { normalizeRequest } from '../src/flex/normalize.ts';
import { planCharging } from '../src/schedule/charging.ts';
import { batteryRequest, homeRequest } from '../src/schedule/fixtures.ts';
import { highsInstance, solveArrays } from '../src/schedule/highs.ts';
import { penaltyLadder } from '../src/schedule/ladder.ts';
import { buildSiteModel, negativePriceSlots } from '../src/schedule/model.ts';
import { scheduleProblem } from '../src/schedule/schedule.ts';

const data = join(dirname(fileURLToPath(import.meta.url)), '../../shared/data');
const emit = (name: string, value: number, unit: string) => console.log(JSON.stringify({ name, value: Math.round(value * 1000) / 1000, unit }));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Wall time per run (ms); `cpu` collects this process' CPU time per run, which a busy machine inflates less. */
function timeRuns(runs: number, f: () => void, cpu: number[] = []): number[] {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    f();
    out.push(performance.now() - t);
    const used = process.cpuUsage(c);
    cpu.push((used.user + used.system) / 1000);
  }
  return out;
}

const highs = await highsInstance();

// one battery, 96 slots: the whole library call (the battery planner), the same call forced through the HiGHS
// model, and the plain HiGHS solve of that model's arrays (reference)
const battery = normalizeRequest(batteryRequest(96, 'PT15M'));
const arrays = buildSiteModel(battery, penaltyLadder(battery), battery.assets.map(() => negativePriceSlots(battery))).lp.toArrays();
timeRuns(300, () => scheduleProblem(battery, highs));
timeRuns(300, () => scheduleProblem(battery, highs, { method: 'highs' }));
timeRuns(300, () => solveArrays(highs, arrays));
const batteryCpu: number[] = [];
emit('schedule.battery-96.median', median(timeRuns(500, () => scheduleProblem(battery, highs), batteryCpu)), 'ms');
emit('schedule.battery-96.cpu.median', median(batteryCpu), 'ms');
const highsPathCpu: number[] = [];
emit('schedule.battery-96.highs-path.median', median(timeRuns(500, () => scheduleProblem(battery, highs, { method: 'highs' }), highsPathCpu)), 'ms');
emit('schedule.battery-96.highs-path.cpu.median', median(highsPathCpu), 'ms');
emit('schedule.battery-96.reference-plain-highs.median', median(timeRuns(500, () => solveArrays(highs, arrays))), 'ms');

// one home, 96 slots
const home = normalizeRequest(homeRequest());
timeRuns(5, () => scheduleProblem(home, highs));
const homeCpu: number[] = [];
emit('schedule.home-96.median', median(timeRuns(31, () => scheduleProblem(home, highs), homeCpu)), 'ms');
emit('schedule.home-96.cpu.median', median(homeCpu), 'ms');

// one battery for a year at 1 h: the library call (the battery planner), and forced through the HiGHS model
const year = normalizeRequest(batteryRequest(8760, 'PT1H'));
timeRuns(3, () => scheduleProblem(year, highs));
const yearCpu: number[] = [];
emit('schedule.battery-8760.median', median(timeRuns(11, () => scheduleProblem(year, highs), yearCpu)), 'ms');
emit('schedule.battery-8760.cpu.median', median(yearCpu), 'ms');
scheduleProblem(year, highs, { method: 'highs' });
emit('schedule.battery-8760.highs-path.median', median(timeRuns(5, () => scheduleProblem(year, highs, { method: 'highs' }))), 'ms');

// 10,000 EV charging requests from real sessions against real 2024 DE/LU prices
function smardPrices(): { start: number; values: (number | null)[] } {
  const text = readFileSync(join(data, 'prices-de-smard-2024/Gro_handelspreise_202401010000_202501010000_Stunde.csv'), 'utf8').replace(/^\uFEFF/, '');
  const [header, ...rows] = text.trim().split(/\r?\n/);
  const col = header.split(';').findIndex((h) => h.startsWith('Deutschland/Luxemburg'));
  const values = rows.map((r) => {
    const cell = r.split(';')[col];
    return cell === '-' ? null : Number(cell.replace('.', '').replace(',', '.')) / 1000;
  });
  // 8,784 consecutive hours from local midnight 2024-01-01 (UTC+1); the source's clock-change labels only rename rows
  return { start: Date.UTC(2023, 11, 31, 23), values };
}

interface AcnSession {
  connectionTime: string;
  disconnectTime: string;
  kWhDelivered: number;
}

const prices = smardPrices();
const sessions = (JSON.parse(readFileSync(join(data, 'ev-acn-jpl/acndata_sessions_jpl_2021-05.json'), 'utf8')) as AcnSession[]).filter(
  (s) => s.kWhDelivered > 0 && Date.parse(s.disconnectTime) > Date.parse(s.connectionTime),
);
const DAY = 86_400_000;
const requests = Array.from({ length: 10_000 }, (_, i) => {
  const s = sessions[i % sessions.length];
  const connect = Date.parse(s.connectionTime);
  const stay = Math.min(Date.parse(s.disconnectTime) - connect, 3 * DAY);
  // the session's local (Los Angeles, UTC−7 in May) time of day, placed on a day of 2024 in Berlin (UTC+1)
  const timeOfDay = (((connect - 7 * 3_600_000) % DAY) + DAY) % DAY;
  const day = i % 362;
  const start = prices.start + day * DAY + timeOfDay;
  const hours = stay / 3_600_000;
  return { start, deadline: start + stay, energyKwh: s.kWhDelivered, powerKw: Math.max(6.6, (s.kWhDelivered / hours) * 1.0001) };
});
let smart = 0;
let atOnce = 0;
const t0 = performance.now();
const c0 = process.cpuUsage();
for (const r of requests) {
  const plan = planCharging({ prices: { start: prices.start, resolutionMs: 3_600_000, values: prices.values }, ...r });
  smart += plan.totalCost;
  atOnce += plan.costAtOnce;
}
const seconds = (performance.now() - t0) / 1000;
const cpuUsed = process.cpuUsage(c0);
emit('schedule.ev-10000-requests.library.total', seconds, 's');
emit('schedule.ev-10000-requests.library.cpu', (cpuUsed.user + cpuUsed.system) / 1e6, 's');
emit('schedule.ev-10000-requests.cost-at-once', atOnce, 'EUR');
emit('schedule.ev-10000-requests.cost-smart', smart, 'EUR');
emit('schedule.ev-10000-requests.saving', atOnce - smart, 'EUR');
emit('schedule.ev-10000-requests.saving-share', (100 * (atOnce - smart)) / atOnce, '%');
