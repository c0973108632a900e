import type { LabelView } from '../../../src/api/contract.js';
import type { ApiClient } from '../api.js';
import type { DeskState } from '../desk-state.js';
import { contrastText, h } from '../dom.js';
import { getLang, t } from '../i18n.js';
import { plainError } from '../find/plain-error.js';

export interface DeskContext {
  api: ApiClient;
  state: DeskState;
  /** transient message at the bottom of the screen */
  toast(text: string, kind?: 'info' | 'error'): void;
}

/** The full marking in the UI language (both renderings come from the server, never composed here). */
export const markingText = (label: Pick<LabelView, 'marking' | 'markingJa'>): string => (getLang() === 'ja' ? label.markingJa : label.marking);

export function portion(label: LabelView, testid?: string): HTMLElement {
  return h('span', { class: 'portion-mark', testid, style: `background:${label.color};color:${contrastText(label.color)}`, title: markingText(label) }, label.portion);
}

export function errorText(e: unknown): string {
  // plain words in the UI language; the code and the server's (English) message go to the console only
  return t('common.error', { msg: plainError(e) });
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
