import { randomBytes } from "node:crypto";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import type { z } from "zod";
import { renderAppPage } from "./app-page";
import { TEST_IDENTITIES } from "./identities";
import { OrderStore, type StoreError, type StoreResult } from "./orders";
import {
  approveBody,
  authRequest,
  describeIssue,
  failBody,
  faultBody,
  openAutostartBody,
  orderRefRequest,
  phoneAuthRequest,
  phoneSignRequest,
  scanBody,
  scanQrBody,
  signRequest,
} from "./requests";

/**
 * A stand-in for BankID's RP API v6.0 (shared/specs/bankid-rp-v6.md), with a test app and a
 * control API. Never logs request bodies: they carry personal identity numbers.
 */

export interface BankIdSimulatorTls {
  cert: string | Buffer;
  key: string | Buffer;
  /** The CA that client certificates must chain to; no other client is let in. */
  ca: string | Buffer;
  requestCert: true;
}

export interface BankIdSimulatorOptions {
  /** 0 picks a free port. Default 0. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** HTTPS with client-certificate checking; plain HTTP without. */
  tls?: BankIdSimulatorTls;
  /** An order nobody picks up fails with startFailed. Default 30 000. */
  startFailedAfterMs?: number;
  /** An order nobody completes fails with expiredTransaction. Default 180 000. */
  expireAfterMs?: number;
  /** Drives lifetimes and QR seconds. Default Date.now. */
  clock?: () => number;
  /** Public base URL of this server as a phone sees it (behind a proxy or on a LAN). Default: url. */
  appUrlBase?: string;
}

export interface BankIdSimulator {
  /** e.g. http://127.0.0.1:3101 */
  url: string;
  /** url + /rp/v6.0/: what a BankID client takes as its base URL. */
  apiUrl: string;
  /** The test app page. */
  appUrl: string;
  close(): Promise<void>;
}

interface Fault {
  status: number | null;
  errorCode: string | null;
  remaining: number;
  delayMs: number;
  retryAfterSeconds: number;
}

const API_PREFIX = "/rp/v6.0/";
const MAX_BODY_BYTES = 512 * 1024;

// Kept apart from lib/eid's copy on purpose: the simulator is the adapter's counterpart, and
// sharing code would let one mistake make both sides agree.
const ERROR_CODE_BY_STATUS: Record<number, string> = {
  400: "invalidParameters",
  401: "unauthorized",
  403: "unauthorized",
  404: "notFound",
  405: "methodNotAllowed",
  408: "requestTimeout",
  415: "unsupportedMediaType",
  429: "tooManyRequests",
  500: "internalError",
  503: "maintenance",
};

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    readonly details: string,
  ) {
    super(details);
  }
}

export async function startBankIdSimulator(opts: BankIdSimulatorOptions = {}): Promise<BankIdSimulator> {
  const clock = opts.clock ?? Date.now;
  const store = new OrderStore({
    clock,
    startFailedAfterMs: opts.startFailedAfterMs ?? 30_000,
    expireAfterMs: opts.expireAfterMs ?? 180_000,
  });
  let faults: Fault[] = [];
  const shutdown = new AbortController();

  const apiRoutes: Record<string, (body: unknown) => StoreResult<object>> = {
    auth: (body) => {
      const r = parse(authRequest, body);
      return store.create({ operation: "auth", channel: "app", ...r });
    },
    sign: (body) => {
      const r = parse(signRequest, body);
      return store.create({ operation: "sign", channel: "app", ...r });
    },
    "phone/auth": (body) => {
      const r = parse(phoneAuthRequest, body);
      return withoutSecrets(store.create({ operation: "auth", channel: "phone", ...r }));
    },
    "phone/sign": (body) => {
      const r = parse(phoneSignRequest, body);
      return withoutSecrets(store.create({ operation: "sign", channel: "phone", ...r }));
    },
    collect: (body) => store.collect(parse(orderRefRequest, body).orderRef),
    cancel: (body) => {
      const result = store.cancelByRp(parse(orderRefRequest, body).orderRef);
      return result.ok ? { ok: true, value: {} } : result;
    },
  };

  async function handleApi(req: http.IncomingMessage, res: http.ServerResponse, route: string): Promise<void> {
    const fault = takeFault();
    if (fault) {
      if (fault.delayMs > 0) await sleep(fault.delayMs, shutdown.signal);
      if (shutdown.signal.aborted) return;
      if (fault.status !== null && (fault.status < 200 || fault.status > 299)) {
        const headers: Record<string, string> = {};
        if (fault.status === 429) {
          headers["Retry-After"] = String(fault.retryAfterSeconds);
          headers["RateLimit-Reset"] = String(fault.retryAfterSeconds);
        }
        const errorCode = fault.errorCode ?? ERROR_CODE_BY_STATUS[fault.status] ?? "internalError";
        sendJson(res, fault.status, { errorCode, details: "Simulated fault" }, headers);
        return;
      }
    }

    const handler = apiRoutes[route];
    if (!handler) throw new HttpProblem(404, "notFound", "No such endpoint");
    if (req.method !== "POST") {
      res.setHeader("Allow", "POST");
      throw new HttpProblem(405, "methodNotAllowed", "Only POST is allowed");
    }
    if (!isJson(req)) throw new HttpProblem(415, "unsupportedMediaType", "Content-Type must be application/json");
    const body = await readJson(req, { required: true });
    answer(res, handler(body));
  }

  async function handleControl(req: http.IncomingMessage, res: http.ServerResponse, path: string): Promise<void> {
    if (path === "/__simulator/orders") {
      requireMethod(req, res, "GET");
      sendJson(res, 200, { orders: store.list().map((o) => ({ ...o, autostartUrl: autostartUrl(o.autoStartToken) })) });
      return;
    }
    if (path === "/__simulator/faults") {
      requireMethod(req, res, "POST");
      const f = parse(faultBody, await readJson(req, { required: true }));
      faults.push({
        status: f.status ?? null,
        errorCode: f.errorCode ?? null,
        remaining: f.count,
        delayMs: f.delayMs ?? 0,
        retryAfterSeconds: f.retryAfterSeconds ?? 1,
      });
      sendJson(res, 200, {
        faults: faults.map(({ status, errorCode, remaining, delayMs }) => ({ status, errorCode, remaining, delayMs })),
      });
      return;
    }
    if (path === "/__simulator/reset") {
      requireMethod(req, res, "POST");
      store.reset();
      faults = [];
      sendJson(res, 200, {});
      return;
    }
    const match = /^\/__simulator\/orders\/([^/]+)\/(scan|approve|cancel|fail)$/.exec(path);
    const orderRef = match?.[1];
    const action = match?.[2];
    if (orderRef === undefined || action === undefined) throw new HttpProblem(404, "notFound", "No such control call");
    requireMethod(req, res, "POST");
    const ref = decodeURIComponent(orderRef);
    const body = await readJson(req, { required: false });
    switch (action) {
      case "scan": {
        const b = parse(scanBody, body);
        const opts: { via?: "qr" | "autostart"; personalNumber?: string } = {};
        if (b.via !== undefined) opts.via = b.via;
        if (b.personalNumber !== undefined) opts.personalNumber = b.personalNumber;
        answer(res, store.scan(ref, opts));
        return;
      }
      case "approve": {
        const b = parse(approveBody, body);
        const input: { personalNumber?: string; givenName?: string; surname?: string } = {};
        if (b.personalNumber !== undefined) input.personalNumber = b.personalNumber;
        if (b.givenName !== undefined) input.givenName = b.givenName;
        if (b.surname !== undefined) input.surname = b.surname;
        answer(res, store.approve(ref, input));
        return;
      }
      case "cancel":
        answer(res, store.userCancel(ref));
        return;
      default:
        answer(res, store.fail(ref, parse(failBody, body).hintCode));
    }
  }

  async function handleAppApi(req: http.IncomingMessage, res: http.ServerResponse, path: string): Promise<void> {
    if (path === "/app/api/scan-qr") {
      requireMethod(req, res, "POST");
      const b = parse(scanQrBody, await readJson(req, { required: true }));
      answer(res, store.scanQr(b.qrData, b.personalNumber));
      return;
    }
    if (path === "/app/api/open-autostart") {
      requireMethod(req, res, "POST");
      const b = parse(openAutostartBody, await readJson(req, { required: true }));
      answer(res, store.openAutostart(b.autoStartToken, b.personalNumber));
      return;
    }
    throw new HttpProblem(404, "notFound", "No such app call");
  }

  function handlePage(req: http.IncomingMessage, res: http.ServerResponse, url: URL): void {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("Allow", "GET, HEAD");
      throw new HttpProblem(405, "methodNotAllowed", "Only GET is allowed");
    }
    const nonce = randomBytes(16).toString("base64");
    const redirect = url.searchParams.get("redirect");
    const html = renderAppPage({
      nonce,
      identities: TEST_IDENTITIES,
      autoStartToken: url.searchParams.get("autostarttoken"),
      redirect: redirect === null || redirect === "null" ? null : redirect,
    });
    const body = Buffer.from(html, "utf8");
    res.writeHead(200, {
      "Content-Type": "text/html; charset=utf-8",
      "Content-Length": body.length,
      "Cache-Control": "no-store",
      "Content-Security-Policy": [
        "default-src 'none'",
        `script-src 'nonce-${nonce}'`,
        `style-src 'nonce-${nonce}'`,
        "connect-src 'self'",
        "img-src data:",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
      ].join("; "),
      "X-Content-Type-Options": "nosniff",
      "Referrer-Policy": "no-referrer",
    });
    res.end(req.method === "HEAD" ? undefined : body);
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://simulator.invalid");
    const path = url.pathname;
    try {
      if (path.startsWith(API_PREFIX)) await handleApi(req, res, path.slice(API_PREFIX.length));
      else if (path.startsWith("/__simulator/")) await handleControl(req, res, path);
      else if (path.startsWith("/app/api/")) await handleAppApi(req, res, path);
      else if (path === "/" || path === "/app" || path === "/app/") handlePage(req, res, url);
      else throw new HttpProblem(404, "notFound", "No such endpoint");
    } catch (err) {
      if (res.headersSent || res.destroyed) return;
      if (err instanceof HttpProblem) {
        sendJson(res, err.status, { errorCode: err.errorCode, details: err.details });
      } else {
        // The message only: a stack is enough to find our bug, and bodies never reach it.
        console.error("BankID simulator: internal error:", err instanceof Error ? err.message : "unknown");
        sendJson(res, 500, { errorCode: "internalError", details: "Simulator error" });
      }
    }
  }

  function takeFault(): Fault | undefined {
    const fault = faults[0];
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) faults.shift();
    return fault;
  }

  function autostartUrl(token: string | null): string | null {
    return token === null ? null : `${appUrl}?autostarttoken=${encodeURIComponent(token)}&redirect=null`;
  }

  const listener = (req: http.IncomingMessage, res: http.ServerResponse) => void handle(req, res);
  const server = opts.tls
    ? https.createServer(
        {
          cert: opts.tls.cert,
          key: opts.tls.key,
          ca: opts.tls.ca,
          requestCert: true,
          rejectUnauthorized: true,
          minVersion: "TLSv1.2",
        },
        listener,
      )
    : http.createServer(listener);

  const host = opts.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `${opts.tls ? "https" : "http"}://${urlHost(host)}:${port}`;
  const appUrl = `${(opts.appUrlBase ?? url).replace(/\/+$/, "")}/app`;

  return {
    url,
    apiUrl: `${url}${API_PREFIX}`,
    appUrl,
    close: () =>
      new Promise<void>((resolve, reject) => {
        shutdown.abort();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function parse<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body);
  if (!result.success) throw new HttpProblem(400, "invalidParameters", describeIssue(result.error, body));
  return result.data;
}

function answer(res: http.ServerResponse, result: StoreResult<object>): void {
  if (result.ok) sendJson(res, 200, result.value);
  else sendError(res, result);
}

function sendError(res: http.ServerResponse, error: StoreError): void {
  sendJson(res, error.httpStatus, { errorCode: error.errorCode, details: error.details });
}

// Phone orders are not started by QR or autostart, so BankID answers with the orderRef only.
function withoutSecrets(result: StoreResult<{ orderRef: string }>): StoreResult<object> {
  return result.ok ? { ok: true, value: { orderRef: result.value.orderRef } } : result;
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = Buffer.from(JSON.stringify(body), "utf8");
  res.writeHead(status, {
    ...headers,
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": payload.length,
    "Cache-Control": "no-store",
  });
  res.end(payload);
}

function requireMethod(req: http.IncomingMessage, res: http.ServerResponse, method: "GET" | "POST"): void {
  if (req.method === method) return;
  res.setHeader("Allow", method);
  throw new HttpProblem(405, "methodNotAllowed", `Only ${method} is allowed`);
}

function isJson(req: http.IncomingMessage): boolean {
  const type = req.headers["content-type"] ?? "";
  return type.split(";")[0]?.trim().toLowerCase() === "application/json";
}

async function readJson(req: http.IncomingMessage, opts: { required: boolean }): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    // Keep draining rather than breaking off: leaving the loop would destroy the socket before
    // the client hears why.
    if (size <= MAX_BODY_BYTES) chunks.push(buf);
  }
  if (size > MAX_BODY_BYTES) throw new HttpProblem(400, "invalidParameters", "Request body too large");
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "" && !opts.required) return {};
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new HttpProblem(400, "invalidParameters", "Request body is not valid JSON");
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new HttpProblem(400, "invalidParameters", "Request body must be a JSON object");
  }
  return json;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done);
  });
}

function urlHost(host: string): string {
  if (host === "0.0.0.0" || host === "") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return host.includes(":") ? `[${host}]` : host;
}
