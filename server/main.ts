// The one way Vårdtid is served: `npm start` (demo), `npm run serve` and the container's command.
// Next.js's documented custom-server mode, for three things `next start` cannot do:
//  - the client's address comes from the socket and TRUSTED_PROXY_COUNT proxies only, never from a
//    header the client wrote (rate limits, the audit trail and BankID's endUserIp rely on it);
//  - one JSON log line and a latency observation per request, by route pattern;
//  - graceful shutdown on SIGTERM: health answers 503, no new connections, requests and jobs in
//    flight finish within SHUTDOWN_GRACE_SECONDS, then the database is closed.
//
// Run from the project root (after `npm run build`) or from the standalone folder in the image;
// `--dev` serves with Next's dev compiler instead of a build.
import "./server-only-hook";
import { existsSync, readFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import next from "next";
import { envOrExit } from "@/lib/env";
import { loadBuildHeaders } from "@/lib/http/build-headers";
import { loadRouteLabeler } from "@/lib/http/route-label";
import { markShuttingDown } from "@/lib/http/shutdown-state";
import { logger } from "@/lib/log/logger";
import { metrics } from "@/lib/metrics/registry";
import { createRequestListener, type RequestTracker } from "./request-listener";

const dev = process.argv.includes("--dev");
(process.env as Record<string, string | undefined>).NODE_ENV ??= dev ? "development" : "production";
process.env.NEXT_TELEMETRY_DISABLED ??= "1";
process.env.VARDTID_SERVICE ??= "app";
const e = envOrExit();
const log = logger();
const dir = process.cwd();

// A standalone build has no next.config.js: its resolved config travels in the build itself, the
// way Next's generated standalone server.js passes it on.
let conf: Record<string, unknown> | undefined;
const serverFiles = path.join(dir, ".next", "required-server-files.json");
if (!dev && existsSync(serverFiles)) {
  conf = (JSON.parse(readFileSync(serverFiles, "utf8")) as { config: Record<string, unknown> }).config;
  process.env.__NEXT_PRIVATE_STANDALONE_CONFIG = JSON.stringify(conf);
}

// After a server action redirects, Next.js renders the target page by fetching it from itself at
// the origin the request named (the public host behind an ingress). In a cluster that is a hairpin
// through the ingress, which the egress NetworkPolicy blocks, so every redirecting action would
// wait for a connect timeout. Production fetches it from this same process over loopback instead
// (the same headers, cookies and forwarding chain). Demo mode keeps Next's default: its loopback
// address is sent on to the canonical one (lib/security/canonical-origin.ts).
if (!dev && e.VARDTID_MODE === "production" && process.env.__NEXT_PRIVATE_ORIGIN === undefined) {
  process.env.__NEXT_PRIVATE_ORIGIN = `http://127.0.0.1:${e.PORT}`;
}

const app = next({ dev, dir, port: e.PORT, ...(conf ? { conf } : {}) });
await app.prepare();
const handle = app.getRequestHandler();
// Mina tider's data and the writes patients race for, answered before Next.js (server/data-routes),
// and the logged-in first visit's prerendered shell (server/shell-route.ts); loaded after the hook
// above.
const { dataRoutePath, serveDataRoute } = await import("./data-routes/index");
const buildHeaders = loadBuildHeaders(dir);
const { createShellRoute } = await import("./shell-route");
const serveShell = dev
  ? () => false
  : createShellRoute({ dir, headers: buildHeaders, publicBaseUrl: e.PUBLIC_BASE_URL, production: e.isProduction });
const routeLabel = loadRouteLabeler(dir);

let stopping = false;
const tracker: RequestTracker = { inFlight: 0 };
const server = http.createServer(
  createRequestListener(
    {
      handle: (req, res) => {
        if (serveShell(req, res)) return;
        return serveDataRoute(req, res, buildHeaders) || handle(req, res);
      },
      trustedProxies: e.TRUSTED_PROXY_COUNT,
      routeLabel: (pathname) => dataRoutePath(pathname) ?? routeLabel(pathname),
      log,
      httpDuration: metrics().httpDuration,
      stopping: () => stopping,
    },
    tracker,
  ),
);
// Longer than the idle timeout of common load balancers (60 s), so they close first.
server.keepAliveTimeout = 65_000;
server.listen(e.PORT, () => {
  log.info({ port: e.PORT, trustedProxies: e.TRUSTED_PROXY_COUNT, dev }, "vardtid serving");
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const globals = globalThis as unknown as {
  vardtidStopInAppWorker?: () => Promise<void>;
  vardtidDb?: { close(): Promise<void> };
};

async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  markShuttingDown();
  const deadline = Date.now() + e.SHUTDOWN_GRACE_SECONDS * 1000;
  log.info({ signal, inFlight: tracker.inFlight, graceSeconds: e.SHUTDOWN_GRACE_SECONDS }, "shutting down");
  server.close();
  server.closeIdleConnections();
  while (tracker.inFlight > 0 && Date.now() < deadline) await sleep(50);
  // The in-app worker (demo mode) finishes the pass it is in: rows it claimed are sent and stored,
  // so no lease is left to run out.
  if (globals.vardtidStopInAppWorker) {
    await Promise.race([globals.vardtidStopInAppWorker(), sleep(Math.max(deadline - Date.now(), 0))]);
  }
  const unfinished = tracker.inFlight;
  server.closeAllConnections();
  await globals.vardtidDb?.close().catch(() => {});
  if (unfinished > 0) log.warn({ unfinished }, "grace period over with requests still in flight");
  log.info("stopped");
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
