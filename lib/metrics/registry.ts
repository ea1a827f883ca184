// The process's Prometheus registry. Shared through globalThis: the custom server (which times
// every request) and the Next-bundled /api/metrics route are separate module instances of this
// file, and both must see the same histogram.
import { Histogram, Registry, collectDefaultMetrics } from "prom-client";

export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<"method" | "route" | "status">;
}

const globalForMetrics = globalThis as unknown as { vardtidMetrics?: Metrics };

export function metrics(): Metrics {
  if (!globalForMetrics.vardtidMetrics) {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry, prefix: "vardtid_process_" });
    const httpDuration = new Histogram({
      name: "vardtid_http_request_duration_seconds",
      help: "HTTP request duration by route pattern (never the raw path: it may carry a link token)",
      labelNames: ["method", "route", "status"] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    globalForMetrics.vardtidMetrics = { registry, httpDuration };
  }
  return globalForMetrics.vardtidMetrics;
}
