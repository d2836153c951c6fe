import { DateTime } from 'luxon';
import { h } from './dom.ts';
import type { ReadOptions } from './sensor-chart.ts';

/**
 * "Show as": the unit to show the values in (any unit of the sensor's quantity) and an optional belief time,
 * so a person sees what was known at that moment (a local date and time in the site's zone).
 */
export function displayForm(defaultUnit: string, timeZone: string, onChange: (o: ReadOptions) => void): HTMLElement {
  const unit = h('input', { type: 'text', id: 'show-unit', name: 'unit', value: defaultUnit, size: 10 });
  const asOf = h('input', { type: 'datetime-local', id: 'show-as-of', name: 'asOf' });
  const message = h('span', { class: 'field-error', role: 'alert', id: 'show-error' });
  const form = h('form', { class: 'range-picker', 'aria-label': 'Display options' },
    h('label', { for: 'show-unit' }, 'Show in unit'), unit,
    h('label', { for: 'show-as-of' }, `As known at (${timeZone})`), asOf,
    h('button', { type: 'submit', class: 'secondary' }, 'Apply'),
    message);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    message.textContent = '';
    const options: ReadOptions = {};
    if (unit.value.trim() && unit.value.trim() !== defaultUnit) options.unit = unit.value.trim();
    if (asOf.value) {
      const t = DateTime.fromISO(asOf.value, { zone: timeZone });
      if (!t.isValid) { message.textContent = 'As known at: enter a date and time'; return; }
      options.asOf = t.toISO({ suppressMilliseconds: true })!;
    }
    onChange(options);
  });
  return form;
}
