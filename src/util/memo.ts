/**
 * `fn` remembering its last argument and answer (compared with ===). For hot paths where consecutive calls
 * mostly repeat the same input: the events of one feed batch share their time strings and their label
 * object, so each is turned into text (or parsed) once per batch instead of once per event.
 */
export function memoLast<K, V>(fn: (k: K) => V): (k: K) => V {
  let has = false;
  let lastK: K;
  let lastV: V;
  return (k) => {
    if (!has || k !== lastK) {
      lastV = fn(k);
      lastK = k;
      has = true;
    }
    return lastV;
  };
}
