import { env } from "@/lib/env";

/**
 * A state-changing request must come from our own pages. Browsers send Origin on POST; a request
 * with a foreign Origin is refused (cross-site request forgery).
 */
export function isSameOrigin(request: Request): boolean {
  const origin = request.headers.get("origin");
  // With Referrer-Policy: no-referrer, browsers send "Origin: null" on form posts; then the
  // Fetch Metadata header tells whether the request came from our own pages.
  // "null" is also what a sandboxed iframe or a data: page on another site sends, so without Fetch
  // Metadata to vouch for it, "Origin: null" is refused (finding 12). No Origin at all is not a
  // browser's cross-site request (browsers send Origin on every POST), e.g. a health probe.
  const site = request.headers.get("sec-fetch-site");
  if (origin === "null") return site === "same-origin";
  if (!origin) return site === null || site === "same-origin";
  const own = new Set([new URL(env().PUBLIC_BASE_URL).origin, new URL(request.url).origin]);
  return own.has(origin);
}

export function forbidden(): Response {
  return Response.json({ error: "forbidden" }, { status: 403 });
}
