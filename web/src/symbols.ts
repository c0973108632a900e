/**
 * CoT type → MIL-STD-2525C symbol identification code (15 characters).
 * Pure (no DOM): also used by unit tests and filters. milsymbol is only asked whether a code is valid.
 */
import ms from 'milsymbol';

export type Affiliation = 'F' | 'H' | 'N' | 'U' | 'A' | 'S' | 'J' | 'K' | 'P' | 'O';
/** 2525C battle dimension; Z = unknown (non-atoms, missing or unknown dimension letter). */
export type Dimension = 'P' | 'A' | 'G' | 'S' | 'U' | 'F' | 'Z';

const AFFILIATIONS: ReadonlySet<string> = new Set(['f', 'h', 'n', 'u', 'a', 's', 'j', 'k', 'p', 'o']);
const DIMENSIONS: ReadonlySet<string> = new Set(['P', 'A', 'G', 'S', 'U', 'F']);

export const AFFILIATION_CODES: readonly Affiliation[] = ['F', 'A', 'N', 'U', 'P', 'S', 'H', 'J', 'K', 'O'];
export const DIMENSION_CODES: readonly Dimension[] = ['A', 'G', 'S', 'U', 'P', 'F', 'Z'];

/** Status "present"; positions 11-15 (modifier, country, order of battle) unspecified as CoT does. */
const STATUS = 'P';
const TAIL = '*****';
const GENERIC_FUNCTION = '------';

export interface CotClass {
  affiliation: Affiliation;
  dimension: Dimension;
  /** function-id atoms after the dimension, e.g. ['U','C'] */
  functionAtoms: string[];
  isAtom: boolean;
}

/** Splits a CoT type into its 2525 parts; anything not understood becomes "unknown". */
export function classifyCotType(type: string): CotClass {
  const atoms = typeof type === 'string' ? type.trim().split('-') : [];
  const isAtom = atoms[0] === 'a';
  const affAtom = atoms[1] ?? '';
  const affiliation = (isAtom && AFFILIATIONS.has(affAtom) ? affAtom.toUpperCase() : 'U') as Affiliation;
  const dimAtom = atoms[2] ?? '';
  const dimension = (isAtom && DIMENSIONS.has(dimAtom) ? dimAtom : 'Z') as Dimension;
  const functionAtoms = isAtom && dimension !== 'Z' ? atoms.slice(3) : [];
  return { affiliation, dimension, functionAtoms, isAtom };
}

function genericSidc(aff: Affiliation, dim: Dimension): string {
  return `S${aff}${dim}${STATUS}${GENERIC_FUNCTION}${TAIL}`;
}

function isValidSidc(sidc: string): boolean {
  try {
    return new ms.Symbol(sidc).isValid() === true;
  } catch {
    return false;
  }
}

const cache = new Map<string, string>();

/**
 * MIL-STD-2525C SIDC for a CoT type, e.g. `a-f-G-U-C` → `SFGPUC----*****`.
 * Function atoms that do not form a known 2525C function id fall back to the dimension's generic symbol.
 */
export function cotTypeToSidc(type: string): string {
  const hit = cache.get(type);
  if (hit !== undefined) return hit;
  const { affiliation, dimension, functionAtoms } = classifyCotType(type);
  const fn = functionAtoms.join('');
  let sidc = genericSidc(affiliation, dimension);
  if (fn.length > 0 && fn.length <= 6 && /^[A-Z0-9]+$/.test(fn)) {
    const candidate = `S${affiliation}${dimension}${STATUS}${fn.padEnd(6, '-')}${TAIL}`;
    if (isValidSidc(candidate)) sidc = candidate;
  }
  // Bounded: CoT types are a small vocabulary, but input is untrusted.
  if (cache.size > 5000) cache.clear();
  cache.set(type, sidc);
  return sidc;
}
