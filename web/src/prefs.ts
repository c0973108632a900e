/** Browser persistence: UI language in localStorage, session in sessionStorage (gone when the tab closes). */
import type { UserView } from '../../src/api/contract.js';
import { isLang, type Lang } from './i18n.js';

const LANG_KEY = 'kizuna.lang';
const SESSION_KEY = 'kizuna.session';
const DECLUTTER_KEY = 'kizuna.declutter';

export interface Session {
  token: string;
  expiresAt?: string;
  user: UserView;
}

export function loadLang(): Lang {
  try {
    const v = localStorage.getItem(LANG_KEY);
    if (isLang(v)) return v;
  } catch {
    /* storage disabled: fall through to the browser language */
  }
  return navigator.language.toLowerCase().startsWith('ja') ? 'ja' : 'en';
}

export function saveLang(lang: Lang): void {
  try {
    localStorage.setItem(LANG_KEY, lang);
  } catch {
    /* storage disabled: language still switches for this page */
  }
}

export function loadSession(): Session | undefined {
  try {
    const raw = sessionStorage.getItem(SESSION_KEY);
    if (!raw) return undefined;
    const s = JSON.parse(raw) as Partial<Session>;
    if (typeof s.token !== 'string' || !s.user || typeof s.user.username !== 'string') return undefined;
    return s as Session;
  } catch {
    return undefined;
  }
}

export function saveSession(s: Session): void {
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(s));
}

export function clearSession(): void {
  try {
    sessionStorage.removeItem(SESSION_KEY);
  } catch {
    /* nothing stored */
  }
}

/** Declutter is on unless the user turned it off on this browser. */
export function loadDeclutter(): boolean {
  try {
    return localStorage.getItem(DECLUTTER_KEY) !== 'off';
  } catch {
    return true;
  }
}

export function saveDeclutter(on: boolean): void {
  try {
    localStorage.setItem(DECLUTTER_KEY, on ? 'on' : 'off');
  } catch {
    /* storage disabled: the choice holds for this page */
  }
}
