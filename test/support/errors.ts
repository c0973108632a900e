import { isKizunaError } from '../../src/util/errors.js';

/** The KizunaError code `fn` throws, or undefined when it returns; any other error is rethrown (a bug, not a refusal). */
export function errorCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (isKizunaError(err)) return err.code;
    throw err;
  }
  return undefined;
}
