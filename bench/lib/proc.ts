// Child processes for the benchmark: every server runs in its own process group, so stopping it
// also stops whatever it started (next start forks next-server), and nothing outlives the run.
import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";

export interface Child {
  name: string;
  proc: ChildProcess;
  /** The last lines it printed, for error messages. */
  output: () => string;
  /** Everything it wrote to stdout, when started with `capture`. */
  stdout: () => string;
  exited: Promise<number | null>;
}

const running = new Set<Child>();

export function startChild(
  name: string,
  command: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; quiet?: boolean; capture?: boolean },
): Child {
  const proc = spawn(command, args, {
    cwd: opts.cwd,
    env: opts.env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) {
      if (!line.trim()) continue;
      lines.push(line);
      if (lines.length > 40) lines.shift();
      if (!opts.quiet) process.stderr.write(`  [${name}] ${line}\n`);
    }
  };
  const captured: Buffer[] = [];
  if (opts.capture) proc.stdout!.on("data", (c: Buffer) => captured.push(c));
  else proc.stdout!.on("data", keep);
  proc.stderr!.on("data", keep);
  const exited = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
  const child: Child = {
    name,
    proc,
    output: () => lines.join("\n"),
    stdout: () => Buffer.concat(captured).toString("utf8"),
    exited,
  };
  running.add(child);
  void exited.then(() => running.delete(child));
  return child;
}

/** SIGTERM to the child's process group, SIGKILL after a grace period. */
export async function stopChild(child: Child, graceMs = 5000): Promise<void> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return;
  const pid = child.proc.pid!;
  try {
    process.kill(-pid, "SIGTERM");
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // already gone
    }
  }, graceMs);
  await child.exited;
  clearTimeout(timer);
}

export async function stopAllChildren(): Promise<void> {
  await Promise.all([...running].map((c) => stopChild(c)));
}

/** Synchronous last resort for process exit handlers. */
export function killAllChildrenNow(): void {
  for (const c of running) {
    try {
      process.kill(-c.proc.pid!, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

export async function assertPortFree(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = net.createServer();
    server.once("error", () => reject(new Error(`port ${port} is in use; the benchmark uses ports 3600–3699`)));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve()));
  });
}

/** Polls until `check` resolves true, the child dies, or the time is up. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  opts: { timeoutMs: number; child?: Child },
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  while (Date.now() < deadline) {
    if (opts.child && opts.child.proc.exitCode !== null) {
      throw new Error(
        `${opts.child.name} exited (code ${opts.child.proc.exitCode}) while waiting for ${what}:\n${opts.child.output()}`,
      );
    }
    try {
      if (await check()) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}${opts.child ? `:\n${opts.child.output()}` : ""}`);
}

/** Resident set size of a process in bytes (Linux), or null. */
export function rssBytes(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/**
 * CPU time (user + system, seconds) used so far by the processes of a process group — a child
 * started here and whatever it forked (Linux), or null. Exited members no longer count.
 */
export function groupCpuSeconds(pgid: number): number | null {
  let total = 0;
  let found = false;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // Fields after "(comm) ": state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime …
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(f[2]) !== pgid) continue;
      total += (Number(f[11]) + Number(f[12])) / 100;
      found = true;
    } catch {
      // gone meanwhile
    }
  }
  return found ? total : null;
}

/**
 * CPU seconds of every process named `comm` (e.g. "postgres"), including what its exited children
 * used (cutime/cstime, as far as the parent has reaped them): for a server not started by the bench.
 */
export function commCpuSeconds(comm: string): number | null {
  let total = 0;
  let found = false;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")) !== comm) continue;
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      total += (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100;
      found = true;
    } catch {
      // gone meanwhile
    }
  }
  return found ? total : null;
}

/** Node and tsx from a given tree (the app snapshot or the repo). */
export function tsxCli(root: string): string {
  return path.join(root, "node_modules", "tsx", "dist", "cli.mjs");
}
