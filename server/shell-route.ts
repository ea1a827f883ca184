// A logged-in first visit's page (GET /besok with a session cookie) answered by our own server with
// the prerendered shell, straight from memory: the same file, the same hash-based CSP and the same
// headers as Next.js would send after proxy.ts rewrote the request, without Next's router, its
// proxy pass and its response pipeline (about 3 ms of CPU per view here; bench/README.md, part (a)).
// Every other case (no cookie: the login redirect; another loopback name in demo mode; Next's own
// client-side navigations, which ask for the RSC payload; a server without a build) goes on to
// Next.js, where proxy.ts decides it from the same lib/http/shell-request.ts.
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { gzipSync } from "node:zlib";
import type { BuildHeaders } from "@/lib/http/build-headers";
import { shellAnswer } from "@/lib/http/shell-request";
import { canonicalLoopbackRedirect } from "@/lib/security/canonical-origin";
import { reportingEndpoints } from "@/lib/security/csp";
import { buildShellCsp, inlineHashes } from "@/lib/security/shell-csp";
import { cookieValue } from "./data-routes/patient-data-route";

interface LoadedShell {
  mtimeMs: number;
  body: Buffer;
  gzip: Buffer;
  etag: string;
  csp: string;
}

export interface ShellRouteOptions {
  /** The project (or standalone) folder holding `.next/`. */
  dir: string;
  headers: BuildHeaders;
  publicBaseUrl: string;
  production: boolean;
}

export type ShellRoute = (req: IncomingMessage, res: ServerResponse) => boolean;

// Next's client router asks for a page's RSC payload with these; they are Next's to answer.
const NEXT_ROUTER_HEADERS = ["rsc", "next-router-prefetch", "next-router-state-tree", "next-router-segment-prefetch"];

export function createShellRoute(options: ShellRouteOptions): ShellRoute {
  const https = options.publicBaseUrl.startsWith("https://");
  const loaded = new Map<string, LoadedShell>();

  /** The shell's file, read again only when a build replaced it; null without a prerendered one. */
  function load(shellPath: string): LoadedShell | null {
    const file = path.join(options.dir, ".next", "server", "app", `${shellPath.slice(1)}.html`);
    let mtimeMs: number;
    try {
      mtimeMs = statSync(file).mtimeMs;
    } catch {
      return null;
    }
    const hit = loaded.get(file);
    if (hit && hit.mtimeMs === mtimeMs) return hit;
    const body = readFileSync(file);
    const shell: LoadedShell = {
      mtimeMs,
      body,
      gzip: gzipSync(body),
      etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`,
      csp: buildShellCsp(inlineHashes(body.toString("utf8")), { https }),
    };
    loaded.set(file, shell);
    return shell;
  }

  return (req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const pathname = q < 0 ? url : url.slice(0, q);
    const search = q < 0 ? "" : url.slice(q);
    if (NEXT_ROUTER_HEADERS.some((h) => req.headers[h] !== undefined) || search.includes("_rsc=")) return false;
    const redirect = canonicalLoopbackRedirect({
      host: req.headers.host ?? null,
      pathAndQuery: url,
      publicBaseUrl: options.publicBaseUrl,
      production: options.production,
    });
    if (redirect) return false;
    const answer = shellAnswer({
      path: pathname,
      search,
      cookie: (name) => cookieValue(req.headers.cookie, name),
      acceptLanguage: req.headers["accept-language"],
    });
    if (!answer || "login" in answer) return false;
    const shell = load(answer.shell);
    if (!shell) return false;

    const gzip = /\bgzip\b/.test(req.headers["accept-encoding"] ?? "");
    const common: Record<string, string> = {
      ...options.headers(pathname),
      "Content-Security-Policy": shell.csp,
      "Reporting-Endpoints": reportingEndpoints(),
      // The shell depends on the language cookie and Accept-Language, and on whether a session
      // cookie came along (without one the answer is the login redirect): no shared cache may keep
      // it; the browser may, revalidating each time (the service worker has its own copy).
      "Cache-Control": "private, no-cache",
      Vary: "Cookie, Accept-Language, Accept-Encoding",
      ETag: shell.etag,
    };
    if (req.headers["if-none-match"] === shell.etag) {
      res.writeHead(304, common);
      res.end();
      return true;
    }
    const body = gzip ? shell.gzip : shell.body;
    res.writeHead(200, {
      ...common,
      "Content-Type": "text/html; charset=utf-8",
      "Content-Length": body.length,
      ...(gzip ? { "Content-Encoding": "gzip" } : {}),
    });
    res.end(req.method === "HEAD" ? undefined : body);
    return true;
  };
}
