import { createToken, listTokens, revokeToken, type ApiToken } from '../api.ts';
import { h, replace, type View } from '../dom.ts';
import { renderProblem } from '../problem.ts';

const DAY_MS = 86_400_000;
const LIFETIMES: [label: string, days: number | null][] = [['30 days', 30], ['90 days', 90], ['1 year', 365], ['Never', null]];

/** The caller's API tokens (for scripts, the CLI against a server, feeds): create one, see when each was used, revoke. */
export async function renderTokens(root: HTMLElement, view: View): Promise<void> {
  const list = h('div', { 'aria-busy': 'true' }, 'Loading…');
  const refresh = async (): Promise<void> => {
    try {
      const tokens = await listTokens();
      if (view.alive) replace(list, tokens.length ? tokenTable(tokens, refresh) : h('p', {}, 'No API tokens yet.'));
    } catch (e) {
      if (view.alive) replace(list, renderProblem(e));
    }
    list.removeAttribute('aria-busy');
  };
  replace(root,
    h('h1', {}, 'API tokens'),
    h('p', {}, 'A token lets a script call the API as you: send it as ', h('code', {}, 'Authorization: Bearer <token>'), '. Its secret is shown once, when it is made.'),
    tokenForm(refresh),
    h('h2', {}, 'Your tokens'),
    list);
  await refresh();
}

function tokenForm(created: () => Promise<void>): HTMLElement {
  const name = h('input', { id: 'token-name', name: 'name', required: true, maxlength: 200, placeholder: 'e.g. nightly import' });
  const lifetime = h('select', { id: 'token-lifetime', name: 'lifetime' }, ...LIFETIMES.map(([label], i) => h('option', { value: String(i) }, label)));
  const result = h('div', { class: 'token-result', 'aria-live': 'polite' });
  const form = h('form', { class: 'token-form', 'aria-label': 'Create an API token' },
    h('div', { class: 'fields' },
      h('label', { for: 'token-name' }, 'Name'), name,
      h('label', { for: 'token-lifetime' }, 'Expires after'), lifetime),
    h('button', { type: 'submit' }, 'Create token'),
    result);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const days = LIFETIMES[Number(lifetime.value)][1];
    replace(result, 'Creating…');
    try {
      const made = await createToken(name.value.trim(), days === null ? null : new Date(Date.now() + days * DAY_MS).toISOString());
      replace(result,
        h('p', {}, `Token "${made.name}" created. Copy its secret now; it is not shown again:`),
        h('output', { class: 'token-secret', 'aria-label': 'New token secret' }, made.token));
      form.reset();
      await created();
    } catch (e) {
      replace(result, renderProblem(e));
    }
  });
  return form;
}

function when(iso: string | null, none: string): string {
  return iso ? new Date(iso).toLocaleString() : none;
}

function tokenTable(tokens: ApiToken[], changed: () => Promise<void>): HTMLElement {
  const rows = tokens.map((t) => {
    const revoke = h('button', { type: 'button', class: 'revoke', 'aria-label': `Revoke ${t.name}` }, 'Revoke');
    revoke.addEventListener('click', async () => {
      if (!window.confirm(`Revoke the token "${t.name}"? Scripts using it stop working.`)) return;
      revoke.disabled = true;
      try {
        await revokeToken(t.id);
        await changed();
      } catch (e) {
        revoke.disabled = false;
        revoke.after(renderProblem(e));
      }
    });
    return h('tr', {},
      h('th', { scope: 'row' }, t.name),
      h('td', {}, when(t.createdAt, '–')),
      h('td', {}, when(t.lastUsedAt, 'never')),
      h('td', {}, t.revokedAt ? `revoked ${when(t.revokedAt, '')}` : when(t.expiresAt, 'never')),
      h('td', {}, t.revokedAt ? '' : revoke));
  });
  return h('div', { class: 'table-wrap' }, h('table', { class: 'tokens' },
    h('thead', {}, h('tr', {}, ...['Name', 'Created', 'Last used', 'Expires', ''].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, ...rows)));
}
