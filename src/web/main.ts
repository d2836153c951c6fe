import { logout, me, whenUnauthorized, type User } from './api.ts';
import { h, replace, View } from './dom.ts';
import { renderLogin } from './pages/login.ts';
import { renderMarket, renderMarkets } from './pages/market.ts';
import { renderSensor } from './pages/sensor.ts';
import { renderSite } from './pages/site.ts';
import { renderSites } from './pages/sites.ts';
import { renderTokens } from './pages/tokens.ts';
import { parseRoute, routeHash } from './route.ts';
import { setCurrentUser } from './session.ts';
import './style.css';

const main = document.getElementById('main')!;
const userBox = document.getElementById('user')!;
let user: User | null = null;

/** Keeps the module's user and the shared session in step. */
function setUser(u: User | null): void {
  user = u;
  setCurrentUser(u);
}
let view = new View();

/** Draws the page the hash names; without a session, the log-in page first. */
async function render(): Promise<void> {
  view.leave();
  view = new View();
  const route = parseRoute(window.location.hash);
  if (route.page === 'login' || !user) return showLogin(route.page === 'login' ? route.next : window.location.hash);
  showUser(user);
  switch (route.page) {
    case 'sites': return renderSites(main, view);
    case 'site': return renderSite(main, view, route.id, { from: route.from, to: route.to });
    case 'sensor': return renderSensor(main, view, route.id, { from: route.from, to: route.to });
    case 'markets': return renderMarkets(main, view);
    case 'tokens': return renderTokens(main, view);
    case 'market': return renderMarket(main, view, route.id, { slot: route.slot, from: route.from, to: route.to });
    case 'not-found': replace(main, h('h1', {}, 'Not found'), h('p', {}, h('a', { href: '#/sites' }, 'Back to the sites')));
  }
}

function showLogin(next?: string): void {
  setUser(null);
  document.body.classList.add('signed-out');
  replace(userBox);
  document.title = 'Log in · gridflex';
  renderLogin(main, (u) => {
    setUser(u);
    const target = next && !next.startsWith('#/login') ? next : '#/sites';
    if (window.location.hash === target) void render();
    else window.location.hash = target;
  });
}

function showUser(u: User): void {
  document.body.classList.remove('signed-out');
  document.title = 'gridflex';
  const out = h('button', { type: 'button', class: 'secondary', id: 'logout' }, 'Log out');
  out.addEventListener('click', async () => {
    await logout().catch(() => undefined);
    setUser(null);
    window.location.hash = routeHash({ page: 'login' });
  });
  replace(userBox, h('span', { class: 'who' }, `${u.email} (${u.role})`), out);
}

whenUnauthorized(() => {
  if (user === null && parseRoute(window.location.hash).page === 'login') return;
  setUser(null);
  void render();
});

window.addEventListener('hashchange', () => void render());

// The skip link moves focus to the content without touching the hash, which holds the route.
document.querySelector('.skip')?.addEventListener('click', (ev) => {
  ev.preventDefault();
  main.focus();
});

async function start(): Promise<void> {
  try {
    setUser((await me()).user);
  } catch {
    setUser(null);
  }
  await render();
}

void start();
