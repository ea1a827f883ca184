// Benchmark settings: defaults are the product's targets; environment variables change them.
function int(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number, got "${raw}"`);
  return n;
}

function workerCounts(raw: string): number[] {
  const counts = raw
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean)
    .map(Number);
  if (counts.length === 0 || counts.some((n) => !Number.isInteger(n) || n < 1))
    throw new Error(`BENCH_REMINDER_WORKERS must list whole numbers ≥ 1, e.g. "1,2"; got "${raw}"`);
  return counts;
}

function portsFrom(base: number) {
  return { app: base + 1, bare: base + 2, bareNext: base + 3, sms: base + 4, app2: base + 5, extra: base + 6 };
}

export type Phase = "page" | "js" | "reminders" | "contention" | "burst" | "growth" | "instances";
const ALL_PHASES: Phase[] = ["page", "js", "reminders", "contention", "burst", "growth", "instances"];

export interface BenchConfig {
  pgUrl: string;
  patients: number;
  perPatient: number;
  freeSlots: number;
  connections: number;
  rounds: number;
  roundSeconds: number;
  warmupSeconds: number;
  reminders: number;
  /** Stop the reminder run after this long (0: no limit); the rate is then over what was sent. */
  reminderTimeoutSeconds: number;
  workerConcurrency: number;
  workerBatchSize: number;
  /** Worker processes of each reminder run (one run per entry). */
  reminderWorkers: number[];
  /** A further reminder run with the SMS simulator answering each send after this many ms (0 = none). */
  gatewayLatencyMs: number;
  /** Requests fired at once for one freed slot (accepts of its offers and rebooks into it). */
  contentionRequests: number;
  /** Offers among them (unset: as many as the clinic's batch limit allows, leaving ≥ 1 rebook). */
  contentionOffers: number | undefined;
  /** Connection counts of the isolated audit-append measurement (phase instances). */
  appendConnections: number[];
  ref: string | undefined;
  rebuild: boolean;
  keepDb: boolean;
  phases: Phase[];
  ports: ReturnType<typeof portsFrom>;
  /** The burst (bench/burst.ts): cfg.reminders sent by this many workers under page and link load. */
  burst: { workers: number; linkConnections: number };
  /** Growth (bench/growth.ts): data shares, reminders and seconds of page load per size. */
  growth: { shares: number[]; reminders: number; seconds: number };
}

function shares(raw: string): number[] {
  const s = raw.split(",").map((x) => Number(x.trim()));
  if (!s.length || s.some((x) => !(x > 0 && x <= 1)))
    throw new Error(`BENCH_GROWTH_SHARES must list shares in (0, 1], e.g. "0.1,0.3,1"; got "${raw}"`);
  return [...new Set(s)].sort((a, b) => a - b);
}

export function benchConfig(): BenchConfig {
  const only = (process.env.BENCH_ONLY ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const p of only)
    if (!ALL_PHASES.includes(p as Phase))
      throw new Error(`BENCH_ONLY: unknown phase "${p}" (${ALL_PHASES.join(", ")})`);
  return {
    pgUrl: process.env.BENCH_PG_URL || "postgres://postgres@127.0.0.1:5432/postgres",
    patients: int("BENCH_PATIENTS", 200_000),
    perPatient: int("BENCH_PER_PATIENT", 10),
    freeSlots: int("BENCH_FREE_SLOTS", 100_000),
    connections: int("BENCH_CONNECTIONS", 10),
    rounds: int("BENCH_ROUNDS", 3),
    roundSeconds: int("BENCH_ROUND_SECONDS", 10),
    warmupSeconds: int("BENCH_WARMUP_SECONDS", 5),
    reminders: int("BENCH_REMINDERS", 100_000),
    reminderTimeoutSeconds: int("BENCH_REMINDER_TIMEOUT_SECONDS", 300),
    workerConcurrency: int("BENCH_WORKER_CONCURRENCY", 16),
    workerBatchSize: int("BENCH_WORKER_BATCH_SIZE", 100),
    reminderWorkers: workerCounts(process.env.BENCH_REMINDER_WORKERS ?? "1,2"),
    gatewayLatencyMs: int("BENCH_GATEWAY_LATENCY_MS", 20),
    contentionRequests: int("BENCH_CONTENTION_REQUESTS", 500),
    contentionOffers: process.env.BENCH_CONTENTION_OFFERS ? int("BENCH_CONTENTION_OFFERS", 0) : undefined,
    appendConnections: (process.env.BENCH_APPEND_CONNECTIONS ?? "10,20")
      .split(",")
      .map((x, i) => int(`BENCH_APPEND_CONNECTIONS[${i}]`, Number(x.trim()))),
    ref: process.env.BENCH_REF || undefined,
    rebuild: process.env.BENCH_REBUILD === "1",
    keepDb: process.env.BENCH_KEEP_DB === "1",
    phases: only.length ? (only as Phase[]) : ALL_PHASES,
    // BENCH_PORT_BASE moves every port (base+1 … base+9), so two benches can run side by side.
    ports: portsFrom(int("BENCH_PORT_BASE", 3600)),
    burst: { workers: int("BENCH_BURST_WORKERS", 2), linkConnections: int("BENCH_BURST_LINK_CONNECTIONS", 5) },
    growth: {
      shares: shares(process.env.BENCH_GROWTH_SHARES ?? "0.1,0.3,1"),
      reminders: int("BENCH_GROWTH_REMINDERS", 10_000),
      seconds: int("BENCH_GROWTH_SECONDS", 10),
    },
  };
}
