// The guard of a data route: a patient's data as JSON, served by our own server before Next.js
// (server/main.ts). The twin of lib/auth/patient-route.ts (route handlers) for this kind of entry:
// the session check, input validation and the audit actor cannot be forgotten, because every data
// route is built with it. `patientDataRoute` reads (GET and HEAD); `patientWriteRoute` changes
// (POST of a small JSON body, same-origin only, as the route handlers' guard checks it).
//
// Why a route outside Next.js at all: Mina tider's data is the request a returning patient's page
// view costs, and Next's own handling of a route handler (its router, request scope and response
// compression) cost more CPU than the work itself (bench/README.md, part (a)); and a server action
// re-renders its page's RSC answer, which made 500 patients racing for one freed slot a queue of
// 15–20 ms each on one core (part (d)).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { z } from "zod";
import type { Db } from "@/db/client";
import { processDatabaseHandle } from "@/db/handle";
import { sessionCookieName } from "@/lib/auth/cookies";
import { asSessionActor, resolvePatientSession, type PatientSession } from "@/lib/auth/resolve-session";
import { sessionIdFromCookie } from "@/lib/auth/session-cookie";
import { env } from "@/lib/env";
import { guardianRule } from "@/lib/guardians/custody";
import { CLIENT_IP_HEADER, normaliseIp } from "@/lib/http/client-address";
import type { BuildHeaders } from "@/lib/http/build-headers";
import { containsNul } from "@/lib/security/nul-character";
import { isSameOriginRequest } from "@/lib/security/same-origin";

export interface DataRouteContext {
  session: PatientSession;
  meta: { ip: string; userAgent: string | null; isMobile: boolean };
  db: Db;
  /** A request cookie by name (the language cookie, for instance). */
  cookie: (name: string) => string | undefined;
  headers: IncomingMessage["headers"];
}

export type DataRoute = (req: IncomingMessage, res: ServerResponse, headers: BuildHeaders) => Promise<void>;

/** Where the address is unknown (served without our listener): never a header the client wrote. */
const UNKNOWN_ADDRESS = "0.0.0.0";

/** One cookie's value from a Cookie header (the first of that name, as browsers send the most specific first). */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      const raw = part.slice(eq + 1).trim();
      try {
        return decodeURIComponent(raw);
      } catch {
        return raw;
      }
    }
  }
  return undefined;
}

function send(
  req: IncomingMessage,
  res: ServerResponse,
  headers: Record<string, string>,
  status: number,
  body: unknown,
  extra: Record<string, string> = {},
): void {
  const json = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(json),
    "Cache-Control": "no-store",
    ...extra,
  });
  res.end(req.method === "HEAD" ? undefined : json);
}

interface Resolved {
  session: PatientSession | null;
  /** The browser still sent a session cookie (the session ended). */
  hadCookie: boolean;
  cookie: (name: string) => string | undefined;
  db: Db;
}

/** The request's patient session (custody re-checked for a guardian acting for a child). */
async function resolveSession(req: IncomingMessage): Promise<Resolved> {
  const cookie = (name: string) => cookieValue(req.headers.cookie, name);
  const e = env();
  const token = cookie(sessionCookieName());
  const sessionId = token ? await sessionIdFromCookie(token, e.AUTH_SECRET) : null;
  const db = processDatabaseHandle().db;
  const now = new Date();
  const session = sessionId
    ? await resolvePatientSession(
        db,
        sessionId,
        now,
        { idleMinutes: e.SESSION_IDLE_MINUTES, absoluteHours: e.SESSION_ABSOLUTE_HOURS },
        guardianRule(now),
      )
    : null;
  return { session, hadCookie: Boolean(token), cookie, db };
}

function requestMeta(req: IncomingMessage): DataRouteContext["meta"] {
  const userAgent = req.headers["user-agent"] ?? null;
  return {
    ip: normaliseIp(req.headers[CLIENT_IP_HEADER] as string | undefined) ?? UNKNOWN_ADDRESS,
    userAgent,
    isMobile: /Mobi|Android|iPhone|iPad/i.test(userAgent ?? ""),
  };
}

function failed(req: IncomingMessage, res: ServerResponse, headers: Record<string, string>, error: unknown) {
  // Logged without input (which may hold patient data); the patient gets a calm answer.
  console.error("data route failed:", error instanceof Error ? error.name : "unknown");
  if (!res.headersSent) send(req, res, headers, 500, { error: "unexpected" });
  else res.end();
}

export function patientDataRoute<S extends z.ZodType>(
  schema: S,
  handler: (input: z.infer<S>, ctx: DataRouteContext) => Promise<unknown>,
): DataRoute {
  return async (req, res, buildHeaders) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const headers = buildHeaders(url.pathname);
    if (req.method !== "GET" && req.method !== "HEAD") {
      return send(req, res, headers, 405, { error: "method" }, { Allow: "GET, HEAD" });
    }
    try {
      const { session, hadCookie, cookie, db } = await resolveSession(req);
      // `ended`: the browser still holds a cookie of a session that ended (the login page says so).
      if (!session) return send(req, res, headers, 401, { error: "unauthorized", ended: hadCookie });
      const query = Object.fromEntries(url.searchParams);
      const parsed = containsNul(query) ? null : await schema.safeParseAsync(query);
      if (!parsed?.success) return send(req, res, headers, 400, { error: "invalid" });
      const meta = requestMeta(req);
      const body = await asSessionActor(session, () =>
        handler(parsed.data, { session, meta, db, cookie, headers: req.headers }),
      );
      // Per patient and never stored; `no-transform`: a few KB of JSON are not worth compressing.
      send(req, res, headers, 200, body, { "Cache-Control": "no-store, no-transform", Vary: "Cookie" });
    } catch (error) {
      failed(req, res, headers, error);
    }
  };
}

/** A write's body: small JSON, as our own pages send it. */
export const WRITE_BODY_MAX_BYTES = 4096;

/** The body as text, or null past the cap (declared or streamed). */
function readBody(req: IncomingMessage, maxBytes: number): Promise<string | null> {
  const declared = req.headers["content-length"];
  if (declared !== undefined && (!/^\d+$/.test(declared) || Number(declared) > maxBytes)) {
    req.resume();
    return Promise.resolve(null);
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let done = false;
    const finish = (value: string | null) => {
      if (done) return;
      done = true;
      resolve(value);
    };
    req.on("data", (chunk: Buffer) => {
      total += chunk.length;
      if (total > maxBytes) {
        req.resume();
        return finish(null);
      }
      chunks.push(chunk);
    });
    req.on("end", () => finish(Buffer.concat(chunks).toString("utf8")));
    req.on("error", () => finish(null));
    req.on("aborted", () => finish(null));
  });
}

/** What a write answers: its HTTP status and JSON body. */
export interface WriteAnswer {
  status: 200 | 404 | 409 | 422;
  body: { status: "ok" | "error"; error?: string; [key: string]: unknown };
}

/**
 * A patient's change as JSON over POST: same origin only (403), `Content-Type: application/json`
 * (415), at most WRITE_BODY_MAX_BYTES (413), the session (401 with `ended`), zod input (400), the
 * audit actor; the handler's answer says what happened (200 ok, 409 when the visit or slot changed
 * meanwhile, 404 for an id that is not theirs, 422 when the rules say no).
 */
export function patientWriteRoute<S extends z.ZodType>(
  schema: S,
  handler: (input: z.infer<S>, ctx: DataRouteContext) => Promise<WriteAnswer>,
): DataRoute {
  return async (req, res, buildHeaders) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const headers = buildHeaders(url.pathname);
    if (req.method !== "POST") {
      req.resume();
      return send(req, res, headers, 405, { error: "method" }, { Allow: "POST" });
    }
    if (!isSameOriginRequest(req.headers)) {
      req.resume();
      return send(req, res, headers, 403, { error: "forbidden" });
    }
    if (!/^application\/json\s*(;|$)/i.test(req.headers["content-type"] ?? "")) {
      req.resume();
      return send(req, res, headers, 415, { error: "unsupported" });
    }
    try {
      const text = await readBody(req, WRITE_BODY_MAX_BYTES);
      if (text === null) return send(req, res, headers, 413, { error: "too_large" });
      const { session, hadCookie, cookie, db } = await resolveSession(req);
      if (!session) return send(req, res, headers, 401, { error: "unauthorized", ended: hadCookie });
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        return send(req, res, headers, 400, { error: "invalid" });
      }
      const parsed = containsNul(json) ? null : await schema.safeParseAsync(json);
      if (!parsed?.success) return send(req, res, headers, 400, { error: "invalid" });
      const meta = requestMeta(req);
      const answer = await asSessionActor(session, () =>
        handler(parsed.data, { session, meta, db, cookie, headers: req.headers }),
      );
      send(req, res, headers, answer.status, answer.body, { "Cache-Control": "no-store, no-transform" });
    } catch (error) {
      failed(req, res, headers, error);
    }
  };
}
