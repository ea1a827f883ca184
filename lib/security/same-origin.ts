import type { IncomingHttpHeaders } from "node:http";
import { env } from "@/lib/env";

/**
 * A state-changing request must come from our own pages. Browsers send Origin on POST; a request
 * with a foreign Origin is refused (cross-site request forgery).
 */
export function isSameOrigin(request: Request): boolean {
  return sameOrigin(request.headers.get("origin"), request.headers.get("sec-fetch-site"), new URL(request.url).origin);
}

/**
 * The same check for a request our own server answers before Next.js (server/data-routes): the
 * request's own origin is its Host header as Next.js would build `request.url` from it.
 */
export function isSameOriginRequest(headers: IncomingHttpHeaders): boolean {
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? (v[0] ?? null) : (v ?? null));
  const host = one(headers.host);
  const proto = one(headers["x-forwarded-proto"]) === "https" ? "https" : "http";
  let own: string | null = null;
  try {
    own = host ? new URL(`${proto}://${host}`).origin : null;
  } catch {
    own = null;
  }
  return sameOrigin(one(headers.origin), one(headers["sec-fetch-site"]), own);
}

function sameOrigin(origin: string | null, site: string | null, requestOrigin: string | null): boolean {
  // Under Referrer-Policy: no-referrer (ours until 2026-12-02, still a page cached from then),
  // browsers send "Origin: null" on form posts; then the Fetch Metadata header tells whether the
  // request came from our own pages.
  // "null" is also what a sandboxed iframe or a data: page on another site sends, so without Fetch
  // Metadata to vouch for it, "Origin: null" is refused (finding 12). No Origin at all is not a
  // browser's cross-site request (browsers send Origin on every POST), e.g. a health probe.
  if (origin === "null") return site === "same-origin";
  if (!origin) return site === null || site === "same-origin";
  const own = new Set([new URL(env().PUBLIC_BASE_URL).origin]);
  if (requestOrigin) own.add(requestOrigin);
  return own.has(origin);
}

export function forbidden(): Response {
  return Response.json({ error: "forbidden" }, { status: 403 });
}
