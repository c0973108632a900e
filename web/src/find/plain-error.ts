/**
 * Errors on screen in plain words of the UI language: a known server code becomes its sentence, anything
 * else a generic one. Codes and server messages (English, for operators) go to the console, not the screen.
 */
import { ApiError } from '../api.js';
import { getLang } from '../i18n.js';
import { tc } from '../i18n-cop.js';
import { errorText } from '../i18n-extra.js';

export function plainError(e: unknown): string {
  console.warn('kizuna:', e);
  if (e instanceof ApiError) return errorText[getLang()][e.code] ?? (e.code === 'NETWORK' ? tc('error.network') : tc('error.generic'));
  if (e instanceof TypeError) return tc('error.network');
  return tc('error.generic');
}
