// Runs before every page: a fresh CSP nonce per request. Authorisation does NOT live here; the
// data-access layer checks the session on every read and write.
import { NextResponse, type NextRequest } from "next/server";
import { env } from "@/lib/env";
import { canonicalLoopbackRedirect } from "@/lib/security/canonical-origin";
import { buildCsp, newNonce } from "@/lib/security/csp";

export function proxy(request: NextRequest) {
  // Demo mode: 127.0.0.1 and localhost are the same machine but not the same origin; send the
  // patient to the configured one before any cookie or origin check can fail on the difference.
  const e = env();
  const canonical = canonicalLoopbackRedirect({
    host: request.headers.get("host"),
    pathAndQuery: `${request.nextUrl.pathname}${request.nextUrl.search}`,
    publicBaseUrl: e.PUBLIC_BASE_URL,
    production: e.isProduction,
  });
  if (canonical) return NextResponse.redirect(canonical, 307);

  const nonce = newNonce();
  const csp = buildCsp(nonce, {
    dev: process.env.NODE_ENV === "development",
    https: (process.env.PUBLIC_BASE_URL ?? "").startsWith("https://"),
  });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("Content-Security-Policy", csp);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("Content-Security-Policy", csp);
  return response;
}

export const config = {
  matcher: [
    {
      source:
        "/((?!_next/static|_next/image|favicon.ico|icons/|manifest.webmanifest|sw.js|offline.html|offline.css|offline.js).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};
