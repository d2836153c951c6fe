import { createAsset, type Asset } from '../api.ts';
import { h, replace } from '../dom.ts';
import { renderProblem } from '../problem.ts';

const BATTERY_FIELDS: [key: string, label: string, value: string][] = [
  ['capacityKwh', 'Capacity (kWh)', '10'],
  ['socKwh', 'State of charge now (kWh)', '5'],
  ['socMinKwh', 'Lowest state of charge (kWh)', '1'],
  ['chargeMaxKw', 'Charge power limit (kW)', '5'],
  ['dischargeMaxKw', 'Discharge power limit (kW)', '5'],
  ['roundTripEfficiency', 'Round-trip efficiency (0–1)', '0.9'],
];

/** A small form that adds a battery to the site; `added` is told the new asset. */
export function batteryForm(siteId: string, added: (a: Asset) => void): HTMLElement {
  const name = h('input', { name: 'name', required: true, value: 'Home battery', id: 'battery-name' });
  const inputs = BATTERY_FIELDS.map(([key, , value]) => h('input', { name: key, type: 'number', step: 'any', required: true, value, id: `battery-${key}` }));
  const result = h('div', { class: 'asset-result', 'aria-live': 'polite' });
  const form = h('form', { class: 'asset-form', 'aria-label': 'Add a battery' },
    h('h3', {}, 'Add a battery'),
    h('div', { class: 'fields' },
      h('label', { for: 'battery-name' }, 'Battery name'), name,
      ...BATTERY_FIELDS.flatMap(([key, label], i) => [h('label', { for: `battery-${key}` }, label), inputs[i]])),
    h('button', { type: 'submit' }, 'Add battery'),
    result);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const flexModel = Object.fromEntries(BATTERY_FIELDS.map(([key], i) => [key, Number(inputs[i].value)]));
    replace(result, 'Adding…');
    try {
      const asset = await createAsset({ siteId: Number(siteId), name: name.value.trim(), type: 'battery', flexModel });
      replace(result, `Added ${asset.name}.`);
      added(asset);
    } catch (e) {
      replace(result, renderProblem(e));
    }
  });
  return form;
}
