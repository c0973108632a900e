/** `--name value` from the benchmark's command line, or `dflt` when it is not given. */
export function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : dflt;
}

/** `--name n` as a number, or `dflt`. */
export const numArg = (name: string, dflt: number): number => Number(arg(name, String(dflt)));
