import type { Command } from 'commander';
import { formatDuration, formatInstant, parseInstant } from '../../core/time.ts';
import { backtestTable, METHODS, type MethodName } from '../../forecast/index.ts';
import { backtestSensor, checkMethod, forecastSensor } from '../../ingest/forecasting.ts';
import { type GlobalOptions, output, withStore } from '../context.ts';
import { sensorById } from './import.ts';

/** `forecast --sensor ID --method M --horizon PT48H` and `backtest --sensor ID [--method M]`. */
export function forecastCommands(program: Command, g: () => GlobalOptions): void {
  program.command('forecast').description("forecast a sensor from what is known now; stored as beliefs of a forecaster source named after the method")
    .requiredOption('--sensor <id>', 'sensor id')
    .option('--method <m>', METHODS.join(', '), 'regression')
    .option('--horizon <iso>', 'how far ahead', 'PT48H')
    .option('--now <iso>', 'forecast as of this time (default: now)')
    .option('--timezone <tz>', "calendar zone (default: the sensor's site, else UTC)")
    .action(async (o: { sensor: string; method: string; horizon: string; now?: string; timezone?: string }) => withStore(g(), async (store) => {
      const method = checkMethod(o.method, '--method');
      const sensor = await sensorById(store, o.sensor);
      const f = await forecastSensor(store, sensor, { method, horizon: o.horizon, now: o.now ? parseInstant(o.now, '--now') : Date.now(), timeZone: o.timezone });
      const data = { ...f, beliefTime: formatInstant(f.beliefTime), start: formatInstant(f.start), resolution: formatDuration(f.resolutionMs) };
      output(g(), data, (d) => `sensor ${d.sensorId}: ${d.values.length} slots from ${d.start} (${d.resolution}) by ${d.method}, stored as ${d.source} at ${d.beliefTime}`);
    }));

  program.command('backtest').description('day-ahead back-test on a sensor\'s actuals: MAE, RMSE, sMAPE and skill against seasonal naive')
    .requiredOption('--sensor <id>', 'sensor id')
    .option('--method <m>', `one method (default: all of ${METHODS.join(', ')})`)
    .option('--timezone <tz>', "local days in this zone (default: the sensor's site, else UTC)")
    .option('--start <iso>', 'from (default: the first value)').option('--end <iso>', 'until (default: the last value)')
    .action(async (o: { sensor: string; method?: string; timezone?: string; start?: string; end?: string }) => withStore(g(), async (store) => {
      const methods: MethodName[] = o.method ? [checkMethod(o.method, '--method')] : [...METHODS];
      const sensor = await sensorById(store, o.sensor);
      const report = await backtestSensor(store, sensor, {
        methods, timeZone: o.timezone, start: o.start ? parseInstant(o.start, '--start') : undefined, end: o.end ? parseInstant(o.end, '--end') : undefined,
      });
      output(g(), report, (r) => backtestTable(r, sensor.resolutionMs, r.unit));
    }));
}
