// What our server does around every request before Next.js sees it: decide the client's address
// (lib/http/client-address.ts) and hand it on in a header no client can set, give the request an
// id, and when it ends log one JSON line and time it by route pattern.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { Histogram } from "prom-client";
import { CLIENT_IP_HEADER, clientAddress } from "@/lib/http/client-address";
import type { RouteLabeler } from "@/lib/http/route-label";

export const REQUEST_ID_HEADER = "x-request-id";

export interface ListenerOptions {
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;
  trustedProxies: number;
  routeLabel: RouteLabeler;
  log: Logger;
  httpDuration: Histogram<"method" | "route" | "status">;
  /** True once shutdown began: answers carry `Connection: close`. */
  stopping: () => boolean;
}

export interface RequestTracker {
  inFlight: number;
}

// Probes, scrapes and static files would drown the log; they are still timed.
const QUIET_ROUTES = new Set(["/api/health", "/api/metrics", "/_next/*"]);

const MALFORMED_FHIR_PATH = JSON.stringify({
  resourceType: "OperationOutcome",
  issue: [{ severity: "error", code: "invalid", diagnostics: "the address is not valid percent-encoding" }],
});
const MALFORMED_PAGE =
  '<!doctype html><html lang="sv"><meta charset="utf-8"><meta name="viewport" content="width=device-width">' +
  "<title>Ogiltig adress – Vårdtid</title><h1>Adressen är ogiltig</h1>" +
  '<p>Kontrollera länken eller gå till <a href="/">startsidan</a>.</p>' +
  '<p lang="en">The address is not valid. Check the link or go to the <a href="/">start page</a>.</p></html>';

/**
 * The answer for a path that is not valid percent-encoding (Next.js would answer 500 text/plain),
 * in the kind the path expects: FHIR JSON under /api/fhir, JSON under /api, else a short page. Null
 * for a path that decodes.
 */
export function malformedPathAnswer(url: string | undefined): { contentType: string; body: string } | null {
  const pathname = (url ?? "/").split("?")[0]!;
  try {
    decodeURIComponent(pathname);
    return null;
  } catch {
    if (pathname === "/api/fhir" || pathname.startsWith("/api/fhir/"))
      return { contentType: "application/fhir+json; charset=utf-8", body: MALFORMED_FHIR_PATH };
    if (pathname.startsWith("/api/")) return { contentType: "application/json", body: '{"error":"invalid"}' };
    return { contentType: "text/html; charset=utf-8", body: MALFORMED_PAGE };
  }
}

export function createRequestListener(options: ListenerOptions, tracker: RequestTracker) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const started = process.hrtime.bigint();
    tracker.inFlight += 1;
    const ip = clientAddress({
      socketAddress: req.socket.remoteAddress,
      forwardedFor: req.headers["x-forwarded-for"],
      trustedProxies: options.trustedProxies,
    });
    // Whatever the client wrote is replaced: the app reads only the address we decided.
    req.headers[CLIENT_IP_HEADER] = ip;
    req.headers["x-forwarded-for"] = ip;
    delete req.headers["x-real-ip"];
    const incomingId = req.headers[REQUEST_ID_HEADER];
    const requestId =
      options.trustedProxies > 0 && typeof incomingId === "string" && /^[A-Za-z0-9._-]{8,128}$/.test(incomingId)
        ? incomingId
        : randomUUID();
    req.headers[REQUEST_ID_HEADER] = requestId;
    res.setHeader(REQUEST_ID_HEADER, requestId);
    if (options.stopping()) res.setHeader("Connection", "close");

    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      tracker.inFlight -= 1;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const pathname = (req.url ?? "/").split("?")[0]!;
      const route = options.routeLabel(pathname);
      const status = res.writableFinished ? res.statusCode : 499; // 499: the client went away first
      options.httpDuration.observe({ method: req.method ?? "GET", route, status: String(status) }, seconds);
      const line = { reqId: requestId, method: req.method, route, status, ms: Math.round(seconds * 1000) };
      if (status >= 500) options.log.error(line, "request failed");
      else if (QUIET_ROUTES.has(route)) options.log.debug(line, "request");
      else options.log.info(line, "request");
    };
    res.on("finish", finish);
    res.on("close", finish);

    // An address that is not valid percent-encoding: a clear 400 of the kind the path expects,
    // never Next's 500 (the FHIR API answers JSON only; lib/fhir/http.ts answers the same).
    const malformed = malformedPathAnswer(req.url);
    if (malformed) {
      res.writeHead(400, {
        "Content-Type": malformed.contentType,
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
      });
      res.end(malformed.body);
      return;
    }

    Promise.resolve(options.handle(req, res)).catch((error: unknown) => {
      options.log.error({ reqId: requestId, err: error }, "unhandled error in request");
      if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain; charset=utf-8" });
      res.end();
    });
  };
}
