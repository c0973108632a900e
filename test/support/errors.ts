import { isKizunaError, type KizunaError } from '../../src/util/errors.js';

/** The KizunaError `fn` throws, or undefined when it returns; any other error is rethrown (a bug, not a refusal). */
export function thrownKizunaError(fn: () => unknown): KizunaError | undefined {
  try {
    fn();
  } catch (err) {
    if (isKizunaError(err)) return err;
    throw err;
  }
  return undefined;
}

/** The KizunaError code `fn` throws, or undefined when it returns; any other error is rethrown. */
export function errorCode(fn: () => unknown): string | undefined {
  return thrownKizunaError(fn)?.code;
}
