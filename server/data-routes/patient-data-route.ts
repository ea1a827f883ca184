// The guard of a data route: a patient's data as JSON, served by our own server before Next.js
// (server/main.ts). The twin of lib/auth/patient-route.ts (route handlers) for this kind of entry:
// the session check, input validation and the audit actor cannot be forgotten, because every data
// route is built with it. Read-only by design (GET and HEAD): a write goes through a route handler
// or a server action, with their same-origin checks.
//
// Why a route outside Next.js at all: Mina tider's data is the request a returning patient's page
// view costs, and Next's own handling of a route handler (its router, request scope and response
// compression) cost more CPU than the work itself (bench/README.md, part (a)).
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
    const cookie = (name: string) => cookieValue(req.headers.cookie, name);
    const e = env();
    const token = cookie(sessionCookieName());
    const sessionId = token ? await sessionIdFromCookie(token, e.AUTH_SECRET) : null;
    const db = processDatabaseHandle().db;
    const now = new Date();
    try {
      const session = sessionId
        ? await resolvePatientSession(
            db,
            sessionId,
            now,
            { idleMinutes: e.SESSION_IDLE_MINUTES, absoluteHours: e.SESSION_ABSOLUTE_HOURS },
            guardianRule(now),
          )
        : null;
      // `ended`: the browser still holds a cookie of a session that ended (the login page says so).
      if (!session) return send(req, res, headers, 401, { error: "unauthorized", ended: Boolean(token) });
      const query = Object.fromEntries(url.searchParams);
      const parsed = containsNul(query) ? null : await schema.safeParseAsync(query);
      if (!parsed?.success) return send(req, res, headers, 400, { error: "invalid" });
      const userAgent = req.headers["user-agent"] ?? null;
      const meta = {
        ip: normaliseIp(req.headers[CLIENT_IP_HEADER] as string | undefined) ?? UNKNOWN_ADDRESS,
        userAgent,
        isMobile: /Mobi|Android|iPhone|iPad/i.test(userAgent ?? ""),
      };
      const body = await asSessionActor(session, () =>
        handler(parsed.data, { session, meta, db, cookie, headers: req.headers }),
      );
      // Per patient and never stored; `no-transform`: a few KB of JSON are not worth compressing.
      send(req, res, headers, 200, body, { "Cache-Control": "no-store, no-transform", Vary: "Cookie" });
    } catch (error) {
      // Logged without input (which may hold patient data); the patient gets a calm answer.
      console.error("data route failed:", error instanceof Error ? error.name : "unknown");
      if (!res.headersSent) send(req, res, headers, 500, { error: "unexpected" });
      else res.end();
    }
  };
}
