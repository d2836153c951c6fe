import { DateTime } from 'luxon';
import { parseDuration } from '../../core/time.ts';
import { askForecast, readDataFrom, type Sensor } from '../api.ts';
import type { ChartElement } from '../chart.ts';
import { h, replace, type View } from '../dom.ts';
import { followJob } from '../jobs.ts';
import { axisLabel, formatValue } from '../labels.ts';
import { renderProblem } from '../problem.ts';
import { meanAbsoluteError } from '../schedule-format.ts';
import { canWrite, currentUser } from '../session.ts';
import { rangeInstants, readResolution, type DayRange } from '../timeline.ts';
import { drawLineChart, seriesX } from './schedule-chart.ts';

const ACTUAL = 'meter,user,feed';
const METHODS = ['regression', 'seasonal-naive-day', 'seasonal-naive-week', 'exp-smoothing', 'persistence'];

interface ForecastJobResult { start: string; resolution: string; slots: number }

/**
 * Forecast against actual on a sensor page: a toggle that draws the latest forecaster beliefs over the measured
 * ones with the mean absolute error of the window, and a button that makes a new forecast (a job).
 */
export function forecastPanel(sensor: Sensor, timeZone: string, view: View, moveTo: (r: DayRange) => void) {
  const toggle = h('input', { type: 'checkbox', id: 'forecast-toggle' });
  const chart: ChartElement = h('div', { class: 'chart forecast-chart', role: 'figure', 'aria-label': `Forecast against actual of ${sensor.name}` });
  const error = h('p', { class: 'summary', id: 'forecast-error', 'aria-live': 'polite' });
  const jobStatus = h('p', { class: 'forecast-status', id: 'forecast-status', 'aria-live': 'polite' });
  const method = h('select', { id: 'forecast-method' }, ...METHODS.map((m) => h('option', { value: m }, m)));
  const horizon = h('input', { id: 'forecast-horizon', value: 'PT48H', size: 8 });
  const ask = h('button', { type: 'button' }, 'Make forecast');
  const box = h('div', { class: 'forecast-box', hidden: true }, chart, error);
  view.onLeave(() => chart.uplot?.destroy());
  let range: DayRange | null = null;

  const load = async (r: DayRange): Promise<void> => {
    range = r;
    if (!toggle.checked) return;
    chart.setAttribute('aria-busy', 'true');
    try {
      const { start, end } = rangeInstants(r, timeZone);
      const res = readResolution(sensor.resolution, Date.parse(end) - Date.parse(start));
      const q = { start, end, ...(res === sensor.resolution ? {} : { resolution: res }) };
      const [actual, forecast] = await Promise.all([readDataFrom(sensor.id, { ...q, source: ACTUAL }), readDataFrom(sensor.id, { ...q, source: 'forecaster' })]);
      if (!view.alive || r !== range) return;
      drawLineChart(chart, [
        { label: `${sensor.name} measured`, values: actual.values, unit: actual.unit, colour: '#1f6feb' },
        { label: `${sensor.name} forecast`, values: forecast.values, unit: forecast.unit, colour: '#bc4c00' },
      ], seriesX(actual), { min: Date.parse(start) / 1000, max: Date.parse(end) / 1000 }, timeZone, axisLabel(sensor.quantity, actual.unit));
      const { mae, slots } = meanAbsoluteError(actual.values, forecast.values);
      error.textContent = mae === null
        ? 'No slot in this range has both a measured and a forecast value.'
        : `Mean absolute error ${formatValue(mae, actual.unit)} over ${slots} slots with both values.`;
    } catch (e) {
      if (view.alive) replace(error, renderProblem(e));
    } finally {
      chart.removeAttribute('aria-busy');
    }
  };

  toggle.addEventListener('change', () => {
    box.hidden = !toggle.checked;
    if (toggle.checked && range) void load(range);
  });

  ask.addEventListener('click', async () => {
    ask.disabled = true;
    try {
      const { job } = await askForecast(sensor.id, { method: method.value, horizon: horizon.value.trim() });
      jobStatus.textContent = 'Forecast job queued…';
      const done = await followJob(job, view, (j) => { jobStatus.textContent = `Forecast job ${j.state}…`; });
      if (!done) return;
      if (done.state !== 'completed') return void replace(jobStatus, `Forecast job ${done.state}: ${done.error ?? 'no reason given'}`);
      const res = done.result as ForecastJobResult;
      jobStatus.textContent = `Forecast job completed: ${res.slots} slots of ${res.resolution} from ${DateTime.fromISO(res.start, { zone: timeZone }).toFormat('yyyy-MM-dd HH:mm')}.`;
      toggle.checked = true;
      box.hidden = false;
      moveTo(forecastDays(res, timeZone));
    } catch (e) {
      replace(jobStatus, renderProblem(e));
    } finally {
      ask.disabled = false;
    }
  });

  const el = h('section', { class: 'card forecast-panel', 'aria-label': 'Forecast against actual' },
    h('h2', {}, 'Forecast against actual'),
    h('div', { class: 'forecast-tools' },
      h('label', {}, toggle, ' Show the latest forecast against the measured values'),
      canWrite(currentUser()) ? h('span', {}, h('label', { for: 'forecast-method' }, 'Method '), method, ' ', h('label', { for: 'forecast-horizon' }, 'Horizon '), horizon, ' ', ask) : null),
    jobStatus, box);
  return { el, load };
}

/** The local days a forecast covers (its end is exclusive). */
function forecastDays(res: ForecastJobResult, timeZone: string): DayRange {
  const start = DateTime.fromISO(res.start, { zone: timeZone });
  const end = start.plus({ milliseconds: res.slots * parseDuration(res.resolution) - 1 });
  return { from: start.toISODate()!, to: end.toISODate()! };
}
