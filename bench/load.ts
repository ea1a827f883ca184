// A small closed-loop HTTP load generator (run in its own process): N keep-alive connections,
// each sending the next request as soon as the previous response has fully arrived, for a fixed
// time. Every response is checked (status and a marker in the body). Latency is to the last byte.
// With `steps`, one "request" is a view made of several requests in turn (a page shell and its
// data, say): each is checked, and the latency is the whole view's. SIGTERM ends the run early
// with what was measured so far (the burst phase stops it when the sending is done).
//
//   tsx bench/load.ts '{"url":"http://127.0.0.1:3601/besok","connections":10,"durationMs":20000,"headers":{},"marker":"<h1>Mina tider</h1>"}'
import http from "node:http";

export interface LoadStep {
  url: string;
  status?: number;
  marker?: string;
}

export interface LoadConfig {
  /** The one URL requested, unless `steps` is given. */
  url?: string;
  /** Requests that together make one view, in order; the latency is to the last byte of the last. */
  steps?: LoadStep[];
  connections: number;
  durationMs: number;
  headers?: Record<string, string>;
  /** Expected status (default 200). */
  status?: number;
  /** A string every good response body contains. */
  marker?: string;
  /** Return every latency (ms, sorted) so that several runs can be merged. */
  keepSamples?: boolean;
}

export interface LoadResult {
  requests: number;
  ok: number;
  wrongStatus: number;
  markerMissing: number;
  errors: number;
  seconds: number;
  rps: number;
  bytesPerResponse: number;
  latencyMs: { mean: number; p50: number; p90: number; p99: number; max: number };
  firstProblem: string | null;
  samples?: number[];
}

export async function runLoad(cfg: LoadConfig): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: cfg.connections, maxFreeSockets: cfg.connections });
  const steps = (cfg.steps ?? [{ url: cfg.url!, status: cfg.status, marker: cfg.marker }]).map((s) => ({
    url: s.url,
    expected: s.status ?? 200,
    marker: s.marker ? Buffer.from(s.marker) : null,
  }));
  if (steps.length === 0 || steps.some((s) => !s.url)) throw new Error("load: a url or steps with urls");
  const latencies: number[] = [];
  let ok = 0;
  let wrongStatus = 0;
  let markerMissing = 0;
  let errors = 0;
  let bytes = 0;
  let firstProblem: string | null = null;
  const started = performance.now();
  let end = started + cfg.durationMs;
  const stop = () => (end = 0);
  process.once("SIGTERM", stop);

  type Outcome = "ok" | "wrongStatus" | "markerMissing" | "error";
  const request = (step: (typeof steps)[number]) =>
    new Promise<Outcome>((resolve) => {
      const req = http.request(step.url, { agent, headers: cfg.headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const body = Buffer.concat(chunks);
          bytes += body.length;
          if (res.statusCode !== step.expected) {
            firstProblem ??= `${step.url}: status ${res.statusCode}`;
            resolve("wrongStatus");
          } else if (step.marker && !body.includes(step.marker)) {
            firstProblem ??= `${step.url}: marker missing in: ${body.toString("utf8").slice(0, 300)}`;
            resolve("markerMissing");
          } else resolve("ok");
        });
        res.on("error", () => resolve("error"));
      });
      req.on("error", (e) => {
        firstProblem ??= `${step.url}: error ${e.message}`;
        resolve("error");
      });
      req.end();
    });

  // One view: its steps in turn, stopping at the first bad answer.
  const one = async () => {
    const t0 = performance.now();
    let outcome: Outcome = "ok";
    for (const step of steps) {
      outcome = await request(step);
      if (outcome !== "ok") break;
    }
    if (outcome === "error") {
      errors++;
      return;
    }
    latencies.push(performance.now() - t0);
    if (outcome === "ok") ok++;
    else if (outcome === "wrongStatus") wrongStatus++;
    else markerMissing++;
  };

  await Promise.all(
    Array.from({ length: cfg.connections }, async () => {
      while (performance.now() < end) await one();
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  process.off("SIGTERM", stop);
  agent.destroy();
  const sorted = Float64Array.from(latencies).sort();
  const pct = (p: number) =>
    sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : NaN;
  const round = (x: number) => Math.round(x * 100) / 100;
  const requests = latencies.length + errors;
  return {
    requests,
    ok,
    wrongStatus,
    markerMissing,
    errors,
    seconds: round(seconds),
    rps: round(ok / seconds),
    bytesPerResponse: latencies.length ? Math.round(bytes / latencies.length) : 0,
    latencyMs: {
      mean: round(latencies.reduce((a, b) => a + b, 0) / (latencies.length || 1)),
      p50: round(pct(50)),
      p90: round(pct(90)),
      p99: round(pct(99)),
      max: round(sorted.length ? sorted[sorted.length - 1]! : NaN),
    },
    firstProblem,
    ...(cfg.keepSamples ? { samples: Array.from(sorted, round) } : {}),
  };
}

/** Several runs of the same target as one: totals, rates over the summed time, merged percentiles. */
export function mergeLoadResults(runs: LoadResult[]): LoadResult {
  const sum = (f: (r: LoadResult) => number) => runs.reduce((a, r) => a + f(r), 0);
  const samples = Float64Array.from(runs.flatMap((r) => r.samples ?? [])).sort();
  const pct = (p: number) =>
    samples.length ? samples[Math.min(samples.length - 1, Math.ceil((p / 100) * samples.length) - 1)]! : NaN;
  const round = (x: number) => Math.round(x * 100) / 100;
  const seconds = sum((r) => r.seconds);
  const responses = sum((r) => r.requests - r.errors);
  return {
    requests: sum((r) => r.requests),
    ok: sum((r) => r.ok),
    wrongStatus: sum((r) => r.wrongStatus),
    markerMissing: sum((r) => r.markerMissing),
    errors: sum((r) => r.errors),
    seconds: round(seconds),
    rps: round(sum((r) => r.ok) / seconds),
    bytesPerResponse: responses ? Math.round(sum((r) => r.bytesPerResponse * (r.requests - r.errors)) / responses) : 0,
    latencyMs: {
      mean: round(samples.reduce((a, b) => a + b, 0) / (samples.length || 1)),
      p50: round(pct(50)),
      p90: round(pct(90)),
      p99: round(pct(99)),
      max: round(samples.length ? samples[samples.length - 1]! : NaN),
    },
    firstProblem: runs.find((r) => r.firstProblem)?.firstProblem ?? null,
  };
}

// As a child process: config in argv[2], result as one JSON line on stdout.
if (process.argv[1] && /load\.ts$/.test(process.argv[1]) && process.argv[2]) {
  const result = await runLoad(JSON.parse(process.argv[2]) as LoadConfig);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
