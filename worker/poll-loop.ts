// The loop every worker runs: one pass, then wait `pollMs` — unless the pass was full, in which
// case the next pass starts at once. Stopping wakes the wait and resolves after the current pass.
export interface PollingLoop {
  stop(): Promise<void>;
}

export function startPollingLoop(
  name: string,
  pass: () => Promise<{ full: boolean }>,
  opts: { pollMs?: number; log?: (line: string) => void } = {},
): PollingLoop {
  const pollMs = opts.pollMs ?? 2_000;
  let stopped = false;
  let wake: (() => void) | undefined;
  const loop = (async () => {
    while (!stopped) {
      let full = false;
      try {
        full = (await pass()).full;
      } catch (error) {
        // Never the error's message: it could carry data from a failed query.
        opts.log?.(`${name}: pass failed (${error instanceof Error ? error.name : "unknown"})`);
      }
      if (full || stopped) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  })();
  return {
    async stop() {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}
