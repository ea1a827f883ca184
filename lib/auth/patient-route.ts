import "server-only";
// Route handlers are public HTTP endpoints, like server actions. Every patient route is built with
// this helper (the route twin of patient-action.ts, after dub's `withWorkspace`), so the session
// check, input validation and, for writes, the same-origin check cannot be forgotten.
//
// Input is one object: the route's dynamic params merged with the query string (GET/HEAD) or the
// JSON body (other methods), validated by one zod schema. A failed check answers a small JSON
// error with a 4xx; the handler only ever sees a validated patient request.
import type { z } from "zod";
import { db as processDb } from "@/db";
import type { Db } from "@/db/client";
import { containsNul } from "@/lib/security/nul-character";
import { forbidden, isSameOrigin } from "@/lib/security/same-origin";
import { asSessionActor, currentSession, hadSessionCookie, loginPath, type PatientSession } from "./current-patient";
import { requestMeta } from "./request-context";

export interface PatientRouteContext {
  session: PatientSession;
  meta: { ip: string; userAgent: string | null; isMobile: boolean };
  db: Db;
  request: Request;
}

interface PatientRouteOptions<P> {
  /**
   * What to answer when there is no valid session (default: 401 JSON). Gets the route's params
   * (not yet validated) for a handler that sends the browser to log in and come back.
   */
  onUnauthorized?: (request: Request, params: Partial<P>) => Response | Promise<Response>;
}

/** Requests with a body above this are refused before parsing (patient routes take small JSON). */
const MAX_BODY_BYTES = 16 * 1024;

const READ_METHODS = new Set(["GET", "HEAD"]);

export function jsonError(error: string, status: number): Response {
  return Response.json({ error }, { status, headers: { "Cache-Control": "no-store" } });
}

/**
 * For a route a browser opens itself (a link, not fetch): without a session, the login page that
 * comes back to `returnTo`, the same answer requirePatient gives a page (a 307, as redirect() gives).
 */
export async function loginRedirect(returnTo: string): Promise<Response> {
  return new Response(null, {
    status: 307,
    headers: { Location: await loginPath(returnTo), "Cache-Control": "no-store" },
  });
}

async function readInput(request: Request): Promise<{ ok: true; value: unknown } | { ok: false }> {
  if (READ_METHODS.has(request.method)) {
    return { ok: true, value: Object.fromEntries(new URL(request.url).searchParams) };
  }
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) return { ok: false };
  const type = request.headers.get("content-type") ?? "";
  if (type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/form-data")) {
    const form = await request.formData().catch(() => null);
    if (!form) return { ok: false };
    return { ok: true, value: Object.fromEntries([...form].filter(([, v]) => typeof v === "string")) };
  }
  const text = await request.text().catch(() => null);
  if (text === null || text.length > MAX_BODY_BYTES) return { ok: false };
  if (text.trim() === "") return { ok: true, value: {} };
  try {
    const value: unknown = JSON.parse(text);
    return { ok: true, value };
  } catch {
    return { ok: false };
  }
}

export function patientRoute<S extends z.ZodType, P extends Record<string, string> = Record<string, string>>(
  schema: S,
  handler: (input: z.infer<S>, ctx: PatientRouteContext) => Promise<Response>,
  options: PatientRouteOptions<P> = {},
) {
  return async (request: Request, route?: { params?: Promise<P> }): Promise<Response> => {
    if (!READ_METHODS.has(request.method) && !isSameOrigin(request)) return forbidden();
    const params: Partial<P> = route?.params ? await route.params : {};
    const session = await currentSession();
    if (!session) {
      if (options.onUnauthorized) return options.onUnauthorized(request, params);
      // `ended`: the browser still holds a cookie of a session that ended (the login page says so).
      return Response.json(
        { error: "unauthorized", ended: await hadSessionCookie() },
        { status: 401, headers: { "Cache-Control": "no-store" } },
      );
    }
    const body = await readInput(request);
    if (
      !body.ok ||
      typeof body.value !== "object" ||
      body.value === null ||
      Array.isArray(body.value) ||
      containsNul(body.value)
    ) {
      return jsonError("invalid", 400);
    }
    const parsed = await schema.safeParseAsync({ ...(body.value as Record<string, unknown>), ...params });
    if (!parsed.success) return jsonError("invalid", 400);
    try {
      const meta = await requestMeta();
      return await asSessionActor(session, () => handler(parsed.data, { session, meta, db: processDb(), request }));
    } catch (error) {
      // Logged without input (which may hold patient data); the patient gets a calm answer.
      console.error("patient route failed:", error instanceof Error ? error.name : "unknown");
      return jsonError("unexpected", 500);
    }
  };
}
