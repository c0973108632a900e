/** Login screen: POST /api/auth/login, token kept in sessionStorage by the caller. */
import { ApiError, type ApiClient, type LoginResult } from './api.js';
import { h } from './dom.js';
import { plainError } from './find/plain-error.js';
import { t, type MessageKey } from './i18n.js';

export function loginView(api: ApiClient, notice: MessageKey | undefined, onLoggedIn: (r: LoginResult) => void, langButton: HTMLElement): HTMLElement {
  const username = h('input', { testid: 'login-username', name: 'username', autocomplete: 'username', required: true });
  const password = h('input', { testid: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const button = h('button', { class: 'btn primary wide', type: 'submit', testid: 'login-submit' }, t('login.submit'));
  const message = h('p', { class: notice === 'login.expired' ? 'msg warn' : 'msg', testid: 'login-message' }, notice ? t(notice) : '');
  const form = h(
    'form',
    { class: 'login-card', testid: 'login-form' },
    h('div', { class: 'brand' }, h('span', { class: 'logo' }, '絆'), h('div', {}, h('h1', {}, t('app.title')), h('div', { class: 'muted' }, t('app.subtitle')))),
    h('h2', {}, t('login.title')),
    h('label', { class: 'field' }, h('span', {}, t('login.username')), username),
    h('label', { class: 'field' }, h('span', {}, t('login.password')), password),
    message,
    button,
    h('p', { class: 'muted small' }, t('login.notice')),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    button.disabled = true;
    message.className = 'msg';
    message.textContent = '';
    try {
      onLoggedIn(await api.login(username.value.trim(), password.value));
    } catch (e) {
      message.className = 'msg error';
      if (e instanceof ApiError && e.code === 'LOGIN_THROTTLED') message.textContent = t('login.throttled');
      else message.textContent = t('login.failed', { msg: plainError(e) });
      password.value = '';
    } finally {
      button.disabled = false;
    }
  });
  queueMicrotask(() => username.focus());
  return h('div', { class: 'login-screen' }, h('div', { class: 'login-top' }, langButton), form);
}
