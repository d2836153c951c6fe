import { login, type User } from '../api.ts';
import { h, replace } from '../dom.ts';
import { renderProblem } from '../problem.ts';

/** The log-in form; calls `onDone` with the user once the server has set the session cookie. */
export function renderLogin(root: HTMLElement, onDone: (user: User) => void): void {
  const email = h('input', { type: 'email', id: 'login-email', name: 'email', autocomplete: 'username', required: true });
  const password = h('input', { type: 'password', id: 'login-password', name: 'password', autocomplete: 'current-password', required: true });
  const button = h('button', { type: 'submit' }, 'Log in');
  const message = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'card login', 'aria-labelledby': 'login-title' },
    h('h1', { id: 'login-title' }, 'Log in to gridflex'),
    h('label', { for: 'login-email' }, 'Email'), email,
    h('label', { for: 'login-password' }, 'Password'), password,
    button, message,
    h('p', { class: 'hint' }, 'The demo: demo@gridflex.dev / gridflex-demo'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    button.disabled = true;
    replace(message);
    try {
      onDone(await login(email.value.trim(), password.value));
    } catch (e) {
      replace(message, renderProblem(e));
      password.select();
    } finally {
      button.disabled = false;
    }
  });
  replace(root, form);
  email.focus();
}
