import { DateTime } from 'luxon';
import { ApiError, getAgent, type AgentStatus } from '../api.ts';
import { h, replace, type View } from '../dom.ts';
import { formatValue } from '../labels.ts';
import { renderProblem } from '../problem.ts';

/** How often the panel reads the agent's status and live values again. */
export const AGENT_POLL_MS = 5_000;

const UNITS: Record<string, string> = { power: 'kW', soc: 'kWh', temperature: '°C', energy: 'kWh', fraction: '' };

/** The site's edge agent: status, last seen, control, contract state and live values, read again every 5 s. */
export function agentPanel(siteId: string, timeZone: string, view: View): HTMLElement {
  const body = h('div', { class: 'agent-body', 'aria-live': 'polite' }, 'Loading…');
  const el = h('section', { class: 'card agent-panel', 'aria-label': 'Edge agent' }, h('h2', {}, 'Edge agent'), body);
  let timer: ReturnType<typeof setTimeout> | undefined;
  view.onLeave(() => clearTimeout(timer));
  const poll = async (): Promise<void> => {
    try {
      const status = await getAgent(siteId);
      if (!view.alive) return;
      replace(body, ...renderStatus(status, timeZone));
    } catch (e) {
      if (!view.alive) return;
      if (e instanceof ApiError && e.status === 404) replace(body, h('p', { class: 'agent-status-line' }, 'No agent.'));
      else replace(body, renderProblem(e));
    }
    if (view.alive) timer = setTimeout(() => void poll(), AGENT_POLL_MS);
  };
  void poll();
  return el;
}

function when(iso: string | null, timeZone: string): string {
  return iso ? DateTime.fromISO(iso, { zone: timeZone }).toFormat('yyyy-MM-dd HH:mm:ss') : '–';
}

function renderStatus(a: AgentStatus, timeZone: string): (HTMLElement | null)[] {
  if (a.status === 'never-seen') return [h('p', { class: 'agent-status-line', id: 'agent-status' }, 'No agent: none has reported for this site yet.')];
  const facts: [string, string][] = [
    ['Status', a.status], ['Last seen', when(a.lastSeen, timeZone)], ['Control', a.control ?? '–'],
    ['Contract', a.contract ? `${a.contract.state} (${a.contract.device})` : 'none'],
    ['Messages', `${a.messages} (${a.rejected} rejected)`],
  ];
  const live = Object.entries(a.live).sort(([x], [y]) => x.localeCompare(y));
  return [
    h('p', { class: 'agent-status-line', id: 'agent-status' }, `Agent ${a.status}`),
    h('dl', { class: 'facts' }, ...facts.map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v)))),
    a.contract?.reason ? h('p', { class: 'hint' }, `Contract: ${a.contract.reason}`) : null,
    live.length
      ? h('dl', { class: 'live-values', 'aria-label': 'Live values' },
        ...live.map(([channel, v]) => h('div', { 'data-channel': channel }, h('dt', {}, channel), h('dd', {}, formatValue(v, UNITS[channel.split('.')[1]] ?? '')))))
      : h('p', { class: 'hint' }, 'No live values yet.'),
  ];
}
