import { env } from "@/lib/env";

/**
 * A state-changing request must come from our own pages. Browsers send Origin on POST; a request
 * with a foreign Origin is refused (cross-site request forgery).
 */
export function isSameOrigin(request: Request): boolean {
  const origin = request.headers.get("origin");
  if (!origin) return request.headers.get("sec-fetch-site") !== "cross-site";
  const own = new Set([new URL(env().PUBLIC_BASE_URL).origin, new URL(request.url).origin]);
  return own.has(origin);
}

export function forbidden(): Response {
  return Response.json({ error: "forbidden" }, { status: 403 });
}
