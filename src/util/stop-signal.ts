/**
 * A promise that settles on the first SIGTERM or SIGINT. Call it *before* announcing readiness: a
 * supervisor that reads the ready line may signal at once, and a signal that arrives before a listener
 * exists takes Node's default action (the process dies with the signal, i.e. an unclean exit).
 */
export function untilStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolve(signal);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}
