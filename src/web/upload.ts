import { DateTime } from 'luxon';
import { uploadCsv, type Sensor, type UploadResult } from './api.ts';
import { h, replace } from './dom.ts';
import { renderProblem } from './problem.ts';

/** CSV upload: a file of `timestamp,value` lines, its unit and the time zone for timestamps without offset. */
export function uploadForm(sensor: Sensor, timeZone: string, onWritten: (r: UploadResult) => Promise<void>): HTMLElement {
  const file = h('input', { type: 'file', id: 'upload-file', name: 'file', accept: '.csv,text/csv,text/plain', required: true });
  const unit = h('input', { type: 'text', id: 'upload-unit', name: 'unit', value: sensor.unit, size: 10 });
  const tz = h('input', { type: 'text', id: 'upload-timezone', name: 'timezone', value: timeZone, size: 18 });
  const button = h('button', { type: 'submit' }, 'Upload');
  const result = h('div', { class: 'upload-result', 'aria-live': 'polite' });
  const form = h('form', { class: 'card upload', 'aria-labelledby': 'upload-title' },
    h('h2', { id: 'upload-title' }, 'Upload CSV'),
    h('p', { class: 'hint' }, 'One ', h('code', {}, 'timestamp,value'), ' per line (header optional), e.g. ', h('code', {}, '2024-06-01T12:00:00+02:00,1.5'),
      '. Timestamps without an offset are read in the time zone below; power is positive for consumption, negative for production. ',
      'A file with any bad line writes nothing.'),
    h('div', { class: 'row' },
      h('span', {}, h('label', { for: 'upload-file' }, 'CSV file'), file),
      h('span', {}, h('label', { for: 'upload-unit' }, 'Unit of the values'), unit),
      h('span', {}, h('label', { for: 'upload-timezone' }, 'Time zone'), tz),
      button),
    result);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const chosen = file.files?.[0];
    if (!chosen) { replace(result, h('p', { class: 'field-error', role: 'alert' }, 'CSV file: choose a file')); return; }
    button.disabled = true;
    replace(result, h('p', {}, `Uploading ${chosen.name}…`));
    try {
      const res = await uploadCsv(sensor.id, await chosen.text(), { unit: unit.value.trim(), timezone: tz.value.trim() });
      replace(result, h('p', { class: 'ok', role: 'status' }, `Wrote ${res.written} value${res.written === 1 ? '' : 's'}${res.start && res.end ? ` from ${local(res.start, timeZone)} to ${local(res.end, timeZone)} (${timeZone})` : ''}.`));
      await onWritten(res);
    } catch (e) {
      replace(result, renderProblem(e));
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

function local(iso: string, timeZone: string): string {
  return DateTime.fromISO(iso, { setZone: true }).setZone(timeZone).toFormat('yyyy-MM-dd HH:mm');
}
