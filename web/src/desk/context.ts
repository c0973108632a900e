import type { LabelView } from '../../../src/api/contract.js';
import type { ApiClient } from '../api.js';
import { ApiError } from '../api.js';
import type { DeskState } from '../desk-state.js';
import { contrastText, h } from '../dom.js';
import { getLang, t } from '../i18n.js';
import { errorText as apiErrorText } from '../i18n-extra.js';

export interface DeskContext {
  api: ApiClient;
  state: DeskState;
  /** transient message at the bottom of the screen */
  toast(text: string, kind?: 'info' | 'error'): void;
}

export function portion(label: LabelView, testid?: string): HTMLElement {
  return h('span', { class: 'portion-mark', testid, style: `background:${label.color};color:${contrastText(label.color)}`, title: getLang() === 'ja' ? label.markingJa : label.marking }, label.portion);
}

export function errorText(e: unknown): string {
  if (e instanceof ApiError) {
    // the server's message is English; a known code is shown in the UI language
    const known = apiErrorText[getLang()][e.code];
    return t('common.error', { msg: known ? `${known} (${e.code})` : `${e.code}: ${e.message}` });
  }
  return t('common.error', { msg: e instanceof Error ? e.message : String(e) });
}

/** Runs an API call, reports failure as a toast; returns undefined on failure. */
export async function attempt<T>(ctx: DeskContext, fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (e) {
    ctx.toast(errorText(e), 'error');
    return undefined;
  }
}
