// The prerendered shell served by our own server (server/shell-route.ts), over real HTTP, against a
// build folder made here: what it answers itself, and every case it must leave to Next.js.
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createShellRoute } from "./shell-route";

const INLINE = 'self.__next_f.push([1,"shell"])';
const SV = `<!DOCTYPE html><html lang="sv"><head><style>.a{color:red}</style></head><body><h1>Mina tider</h1><script src="/_next/static/chunks/a.js"></script><script>${INLINE}</script></body></html>`;
const EN = SV.replace('lang="sv"', 'lang="en"').replace("Mina tider", "My appointments");
const sha = (text: string) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;

let dir: string;
let base: string;
let port: number;
let server: http.Server;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "shell-route-"));
  for (const [locale, html] of [
    ["sv", SV],
    ["en", EN],
  ] as const) {
    mkdirSync(path.join(dir, ".next", "server", "app", "shell", locale), { recursive: true });
    writeFileSync(path.join(dir, ".next", "server", "app", "shell", locale, "besok.html"), html);
  }
  server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
  base = `http://localhost:${port}`;
  const serveShell = createShellRoute({
    dir,
    headers: (pathname) => ({ "X-Frame-Options": "DENY", "X-Seen-Path": pathname }),
    publicBaseUrl: base,
    production: false,
  });
  // What server/main.ts does: the shell route first, everything else "Next.js" (here a 599).
  server.on("request", (req, res) => {
    if (!serveShell(req, res)) res.writeHead(599).end("next");
  });
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

function get(
  pathAndQuery: string,
  headers: Record<string, string> = {},
  method = "GET",
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: "127.0.0.1", port, path: pathAndQuery, method, headers: { host: `localhost:${port}`, ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

const session = { cookie: "vardtid.session=abc" };

describe("the shell served by our own server", () => {
  it("answers a logged-in first visit with the prerendered file and a CSP that allows its inline code by hash", async () => {
    const res = await get("/besok", session);
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe(SV);
    expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
    const csp = res.headers["content-security-policy"]!;
    expect(csp).toContain(`script-src 'self' ${sha(INLINE)}`);
    expect(csp).toContain(`style-src 'self' ${sha(".a{color:red}")}`);
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers["reporting-endpoints"]).toBe('csp="/api/csp-report"');
    // The headers next.config.js gives the page's own path, not the shell's.
    expect(res.headers["x-frame-options"]).toBe("DENY");
    expect(res.headers["x-seen-path"]).toBe("/besok");
    // No shared cache may keep an answer that depends on the cookies.
    expect(res.headers["cache-control"]).toBe("private, no-cache");
    expect(res.headers.vary).toContain("Cookie");
  });

  it("keeps the query for the page's script and serves the same file", async () => {
    const res = await get("/besok?vecka=2", session);
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe(SV);
  });

  it("serves the patient's language", async () => {
    expect((await get("/besok", { ...session, "accept-language": "en-GB" })).body.toString()).toBe(EN);
    const chosen = await get("/besok", { cookie: "vardtid.session=abc; NEXT_LOCALE=en", "accept-language": "sv" });
    expect(chosen.body.toString()).toBe(EN);
  });

  it("compresses when the browser accepts gzip", async () => {
    const res = await get("/besok", { ...session, "accept-encoding": "gzip, br" });
    expect(res.headers["content-encoding"]).toBe("gzip");
    expect(gunzipSync(res.body).toString()).toBe(SV);
  });

  it("answers a revalidation with 304, and HEAD without a body", async () => {
    const first = await get("/besok", session);
    const again = await get("/besok", { ...session, "if-none-match": first.headers.etag! });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    const head = await get("/besok", session, "HEAD");
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
  });

  it("leaves every other case to Next.js", async () => {
    // No session cookie: Next's proxy sends the patient to the login page.
    expect((await get("/besok")).status).toBe(599);
    // Next's client router asking for the RSC payload.
    expect((await get("/besok", { ...session, rsc: "1" })).status).toBe(599);
    expect((await get("/besok?_rsc=abc", session)).status).toBe(599);
    expect((await get("/besok", { ...session, "next-router-prefetch": "1" })).status).toBe(599);
    // Not a read, not a shell path, not the canonical loopback name.
    expect((await get("/besok", session, "POST")).status).toBe(599);
    expect((await get("/besok/123", session)).status).toBe(599);
    expect((await get("/login", session)).status).toBe(599);
    expect((await get("/besok", { ...session, host: `127.0.0.1:${port}` })).status).toBe(599);
    // A language whose shell was not built (the folder above has sv and en only).
    expect((await get("/besok", { ...session, "accept-language": "fi" })).status).toBe(599);
  });
});
