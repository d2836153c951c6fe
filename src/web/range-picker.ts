import { h } from './dom.ts';
import { rangeProblem, shiftRange, type DayRange } from './timeline.ts';

/** A start/end date picker with earlier/later buttons; calls `onChange` with a checked range. */
export function rangePicker(initial: DayRange, timeZone: string, onChange: (r: DayRange) => void): { el: HTMLElement; set(r: DayRange): void } {
  const from = h('input', { type: 'date', id: 'range-from', name: 'from', required: true, value: initial.from });
  const to = h('input', { type: 'date', id: 'range-to', name: 'to', required: true, value: initial.to });
  const message = h('span', { class: 'field-error', role: 'alert', id: 'range-error' });
  const set = (r: DayRange): void => { from.value = r.from; to.value = r.to; message.textContent = ''; };
  const submit = (r: DayRange): void => {
    const problem = rangeProblem(r);
    message.textContent = problem ?? '';
    if (!problem) { set(r); onChange(r); }
  };
  const move = (dir: -1 | 1) => () => submit(shiftRange({ from: from.value, to: to.value }, dir));
  const form = h('form', { class: 'range-picker', 'aria-label': 'Date range' },
    h('button', { type: 'button', class: 'secondary', 'aria-label': 'Earlier period', onclick: move(-1) }, '◀'),
    h('label', { for: 'range-from' }, 'From'), from,
    h('label', { for: 'range-to' }, 'To (inclusive)'), to,
    h('button', { type: 'submit' }, 'Show'),
    h('button', { type: 'button', class: 'secondary', 'aria-label': 'Later period', onclick: move(1) }, '▶'),
    h('span', { class: 'hint' }, `Days in ${timeZone}. Drag on a chart to zoom, double-click to reset.`),
    message,
  );
  form.addEventListener('submit', (ev) => { ev.preventDefault(); submit({ from: from.value, to: to.value }); });
  return { el: form, set };
}
