// Runs before every page: a fresh CSP nonce per request. Authorisation does NOT live here; the
// data-access layer checks the session on every read and write.
import { NextResponse, type NextRequest } from "next/server";
import { env } from "@/lib/env";
import { shellAnswer } from "@/lib/http/shell-request";
import { canonicalLoopbackRedirect } from "@/lib/security/canonical-origin";
import { buildCsp, newNonce, reportingEndpoints } from "@/lib/security/csp";
import { buildShellCsp, shellHashes } from "@/lib/security/shell-csp";

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
  // Not for a shell's own path: that is where /besok was rewritten to (below), and `next start`
  // runs the proxy again for it, with the host it thinks it serves.
  const shellPath = request.nextUrl.pathname.startsWith("/shell/");
  if (canonical && !shellPath && (request.method === "GET" || request.method === "HEAD")) return sendTo(canonical);

  const https = (process.env.PUBLIC_BASE_URL ?? "").startsWith("https://");
  const path = request.nextUrl.pathname;
  const shell = shellAnswer({
    path,
    search: request.nextUrl.search,
    cookie: (name) => request.cookies.get(name)?.value,
    acceptLanguage: request.headers.get("accept-language"),
  });
  if (shell && "login" in shell) return NextResponse.redirect(new URL(shell.login, request.url), 307);
  if (shell) {
    return shellResponse(request, new URL(`${shell.shell}${request.nextUrl.search}`, request.url), shell.shell, https);
  }
  if (path.startsWith("/shell/")) return shellResponse(request, null, path, https);

  const nonce = newNonce();
  const csp = buildCsp(nonce, { dev: process.env.NODE_ENV === "development", https });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("Content-Security-Policy", csp);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("Content-Security-Policy", csp);
  response.headers.set("Reporting-Endpoints", reportingEndpoints());
  return response;
}

/**
 * A prerendered shell's CSP allows its inline scripts by hash (lib/security/shell-csp.ts). Where
 * the shell has not been prerendered (`next dev` renders it per request), the nonce policy.
 */
function shellResponse(request: NextRequest, rewriteTo: URL | null, shellPath: string, https: boolean): NextResponse {
  const hashes = shellHashes(shellPath.slice(1));
  let csp: string;
  let init: Parameters<typeof NextResponse.next>[0];
  if (hashes) {
    csp = buildShellCsp(hashes, { https });
  } else {
    const nonce = newNonce();
    csp = buildCsp(nonce, { dev: process.env.NODE_ENV === "development", https });
    const requestHeaders = new Headers(request.headers);
    requestHeaders.set("x-nonce", nonce);
    requestHeaders.set("Content-Security-Policy", csp);
    init = { request: { headers: requestHeaders } };
  }
  const response = rewriteTo ? NextResponse.rewrite(rewriteTo, init) : NextResponse.next(init);
  response.headers.set("Content-Security-Policy", csp);
  response.headers.set("Reporting-Endpoints", reportingEndpoints());
  return response;
}

// Not a 3xx: Next.js rewrites a proxy's Location to a relative one when the target's host equals
// the host it thinks it serves (localhost), which would loop on 127.0.0.1. A Refresh to the full
// address (and a link, for anything that ignores Refresh) gets the browser there in one step.
function sendTo(url: string): Response {
  const href = url.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
  return new Response(
    `<!doctype html><html lang="sv"><meta charset="utf-8"><title>Vårdtid</title><p><a href="${href}">Vårdtid</a></p></html>`,
    {
      status: 200,
      headers: {
        Refresh: `0; url=${url}`,
        "Content-Type": "text/html; charset=utf-8",
        "Cache-Control": "no-store",
        "Content-Security-Policy": "default-src 'none'",
      },
    },
  );
}

// Not for route handlers (api/): their JSON is never rendered as a page, so a nonce would serve
// nothing; they get a fixed `default-src 'none'` policy from next.config.js instead, and skipping the
// proxy is a good part of what makes a data request cheap (bench/README.md, part (a)).
export const config = {
  matcher: [
    {
      source:
        "/((?!api/|_next/static|_next/image|favicon.ico|icons/|manifest.webmanifest|sw.js|offline.html|offline.css|offline.js|offline-texts.js).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};
