// A bench tool (load.ts, link-opener.ts) in its own process, so its CPU is not the measured
// servers' or the orchestrator's: config in argv, result as the last JSON line of its stdout.
// `stop()` ends an open-ended run (SIGTERM: the tool finishes what is in flight and prints).
import path from "node:path";
import { startChild, stopChild, type Child } from "./proc";

export interface JsonChild<T> {
  child: Child;
  /** Waits for the tool to finish on its own. */
  result: () => Promise<T>;
  /** Asks it to stop now, then waits for its result. */
  stop: () => Promise<T>;
}

export function startJsonChild<T>(repo: string, name: string, script: string, config: unknown): JsonChild<T> {
  const child = startChild(
    name,
    process.execPath,
    ["--import", "tsx", path.join(repo, "bench", script), JSON.stringify(config)],
    { cwd: repo, env: process.env, quiet: true, capture: true },
  );
  const result = async () => {
    const code = await child.exited;
    const line = child
      .stdout()
      .split("\n")
      .reverse()
      .find((l) => l.startsWith("{"));
    if (code !== 0 || !line) throw new Error(`${name} failed (${code}):\n${child.output()}`);
    return JSON.parse(line) as T;
  };
  return {
    child,
    result,
    stop: async () => {
      await stopChild(child, 15_000);
      return result();
    },
  };
}
