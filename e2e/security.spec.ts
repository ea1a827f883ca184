// The attack suite over HTTP (issue 12, item 7), against the production build the e2e run serves.
// Every page and route handler is found by walking app/ (so a new route is attacked without editing
// this file) and requested as anonymous, as patient A with patient B's ids, and with generated bad
// input (fast-check: wrong shapes, huge strings, unicode, SQL/HTML metacharacters, CRLF, bad
// addresses in forwarding headers). Each answer must be below 500 and hold nothing of B's; B's data
// and A's own must be unchanged afterwards; and no line the server logged meanwhile may hold a
// personal number, a phone number or a token. Server actions are attacked in-process by
// test/security/actions.attack.test.ts. It prints its counts.
import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { expect, request as playwrightRequest, test, type APIRequestContext, type APIResponse } from "@playwright/test";
import fc from "fast-check";
import { badForwardedFor, holdsPersonalNumber, nastyString, nastyStrings, wrongShape } from "../test/security/inputs";
import { latestPendingOrder, simulator, testPatients } from "./bankid";

const appDir = path.resolve(import.meta.dirname, "../app");
const serverDataRoutesDir = path.resolve(import.meta.dirname, "../server/data-routes");
const RUNS = Number(process.env.SECURITY_RUNS ?? 6); // generated inputs per route, role and method
const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
type Method = (typeof METHODS)[number];

interface Endpoint {
  /** Path pattern with [param] segments, route groups removed. */
  pattern: string;
  kind: "page" | "route";
  methods: Method[];
}

/** Pages and route handlers under app/, from the files themselves. */
function endpoints(): Endpoint[] {
  const out: Endpoint[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) {
        walk(full);
        continue;
      }
      const segments = path
        .relative(appDir, dir)
        .split(path.sep)
        .filter((s) => s && !/^\(.*\)$/.test(s));
      const pattern = "/" + segments.join("/");
      if (name === "page.tsx") out.push({ pattern, kind: "page", methods: ["GET", "HEAD", "POST"] });
      if (name === "route.ts") {
        const source = readFileSync(full, "utf8");
        const exported = METHODS.filter((m) =>
          new RegExp(`export\\s+(const|async function|function)\\s+${m}\\b|as\\s+${m}\\b`).test(source),
        );
        out.push({ pattern, kind: "route", methods: exported });
      }
    }
  };
  walk(appDir);
  // The data routes our own server answers before Next.js (server/data-routes/index.ts), every
  // method: the guard must answer the ones it does not serve with 405, never 500.
  const dataRoutes = readFileSync(path.join(serverDataRoutesDir, "index.ts"), "utf8");
  for (const [, pattern] of dataRoutes.matchAll(/^\s+"(\/api\/[^"]+)":/gm)) {
    out.push({ pattern: pattern!, kind: "route", methods: [...METHODS] });
  }
  return out.sort((a, b) => a.pattern.localeCompare(b.pattern));
}

/** Lone surrogates cannot be percent-encoded; a client would send U+FFFD. */
const wellFormed = (s: string) => s.replace(/[\ud800-\udfff]/g, "\ufffd");

const baseURL = `http://localhost:${Number(process.env.E2E_PORT ?? 3200)}`;

/** Logs a patient in over HTTP, as the login page does, with the simulator playing the phone. */
async function loginOverHttp(who: keyof typeof testPatients): Promise<APIRequestContext> {
  const ctx = await playwrightRequest.newContext({ baseURL });
  const start = await ctx.post("/api/bankid/start", { data: { method: "qr" } });
  expect(start.status()).toBe(200);
  const order = await latestPendingOrder();
  const p = testPatients[who];
  expect((await simulator(`/__simulator/orders/${order.orderRef}/scan`, { personalNumber: p.personalNumber })).ok).toBe(
    true,
  );
  expect((await simulator(`/__simulator/orders/${order.orderRef}/approve`, p)).ok).toBe(true);
  await expect
    .poll(async () => ((await (await ctx.get("/api/bankid/status")).json()) as { state: string }).state)
    .toBe("complete");
  const { csrfToken } = (await (await ctx.get("/api/auth/csrf")).json()) as { csrfToken: string };
  const done = await ctx.post("/api/auth/callback/bankid", {
    form: { csrfToken, json: "true" },
    headers: { "X-Auth-Return-Redirect": "1" },
  });
  expect(done.status()).toBe(200);
  expect((await ctx.get("/api/export")).status()).toBe(200);
  return ctx;
}

interface Exported {
  patient: Record<string, unknown>;
  preferences: unknown;
  appointments: { id: string }[];
  earlierTimeRequests: unknown;
  pushDevices: unknown;
}

/** What must not change: the patient's data (not the log of reads, logins or messages in flight). */
async function ownData(ctx: APIRequestContext): Promise<{ snapshot: string; data: Exported }> {
  const res = await ctx.get("/api/export");
  expect(res.status()).toBe(200);
  const data = (await res.json()) as Exported;
  const { patient, preferences, appointments, earlierTimeRequests, pushDevices } = data;
  return { snapshot: JSON.stringify({ patient, preferences, appointments, earlierTimeRequests, pushDevices }), data };
}

function serverLogSince(offset: number): string[] {
  const file = process.env.E2E_SERVER_LOG;
  if (!file) return [];
  return readFileSync(file, "utf8").slice(offset).split("\n");
}

test.describe("attack suite over HTTP", () => {
  // More generated inputs (SECURITY_RUNS) take proportionally longer.
  test.describe.configure({ timeout: 240_000 * Math.max(1, RUNS / 6) });

  test("every page and route handler: anonymous, patient A on B's ids, generated bad input", async () => {
    const logFile = process.env.E2E_SERVER_LOG;
    const logOffset = logFile ? statSync(logFile).size : 0;
    const all = endpoints();
    expect(all.length).toBeGreaterThanOrEqual(25);
    expect(all.map((e) => e.pattern)).toContain("/api/appointments"); // a data route, found in server/

    const a = await loginOverHttp("sven");
    const b = await loginOverHttp("karl");
    const anonymous = await playwrightRequest.newContext({ baseURL });
    const aBefore = await ownData(a);
    const bBefore = await ownData(b);
    const bIds = bBefore.data.appointments.map((x) => x.id);
    expect(bIds.length).toBeGreaterThan(0);
    const bSecrets = [
      testPatients.karl.personalNumber,
      testPatients.karl.personalNumber.slice(2),
      testPatients.karl.surname,
      String(bBefore.data.patient.phone ?? "+46701740607"),
    ];

    const counts = { routes: all.length, roles: 2, requests: 0, serverErrors: 0, leaks: 0 };
    const failures: string[] = [];

    /** A concrete path for a pattern: B's ids, made-up ids and generated junk in its [params]. */
    const idValue = fc.oneof(
      fc.constantFrom(...bIds),
      fc.uuid(),
      fc.constantFrom("x", "..", "%2e%2e", "A".repeat(32), "1'--", "%00", "<b>"),
    );
    const fill = (pattern: string, ids: string[]) => {
      let i = 0;
      return pattern.replace(/\[\.\.\.[^\]]+\]|\[[^\]]+\]/g, (seg) =>
        seg.startsWith("[...")
          ? ["session", "signout", "providers", "csrf", "callback/bankid"][i++ % 5]!
          : ids[i++ % ids.length]!,
      );
    };

    async function check(role: string, label: string, res: APIResponse, body: string) {
      counts.requests++;
      if (res.status() >= 500) {
        counts.serverErrors++;
        failures.push(`${role} ${label} → ${res.status()}`);
      }
      const location = res.headers()["location"] ?? "";
      const leaked = bSecrets.filter((s) => body.includes(s) || location.includes(s));
      if (leaked.length) {
        counts.leaks++;
        failures.push(`${role} ${label} → leaked B's data`);
      }
      if (location && !location.startsWith("/") && !location.startsWith(baseURL)) {
        failures.push(`${role} ${label} → redirect off site: ${location}`);
      }
    }

    async function send(ctx: APIRequestContext, role: string, method: Method, url: string, body: unknown, raw: string) {
      // What an HTTP client can put in a header at all (no CR, LF or non-Latin-1): the rest is
      // refused by the client before it reaches us.
      const xff = raw.replace(/[^\x20-\x7e]/g, "?");
      const headers: Record<string, string> = {
        "X-Forwarded-For": xff,
        "X-Real-IP": xff.slice(0, 100),
        "X-Forwarded-Host": "evil.example",
        Forwarded: `for=${xff.slice(0, 100)}`,
      };
      const options = {
        method,
        headers,
        maxRedirects: 0,
        failOnStatusCode: false,
        timeout: 30_000,
        ...(method === "GET" || method === "HEAD" || body === undefined
          ? {}
          : typeof body === "string"
            ? { data: body, headers: { ...headers, "Content-Type": "application/x-www-form-urlencoded" } }
            : { data: JSON.stringify(body), headers: { ...headers, "Content-Type": "application/json" } }),
      };
      const res = await ctx.fetch(url, options);
      const text = method === "HEAD" ? "" : await res.text().catch(() => "");
      await check(role, `${method} ${url.slice(0, 120)}`, res, text);
    }

    // Patient A must keep the session through the run: no logout, no signout (attacked below).
    const skipForA = (e: Endpoint, m: Method) =>
      (e.pattern === "/api/logout" || e.pattern.startsWith("/api/auth/")) && m === "POST";

    const xffValue = fc.oneof(
      fc.constantFrom(...badForwardedFor),
      nastyString.map((s) => s.slice(0, 200)),
    );
    const query = fc.dictionary(
      fc.constantFrom("returnTo", "week", "part", "id", "token", "utloggad", "avbokad", "fel", "secret", "m"),
      nastyString.map((s) => s.slice(0, 300)),
      { maxKeys: 3 },
    );
    const bodyValue = fc.oneof(
      wrongShape,
      nastyString.map((s) => `a=${encodeURIComponent(wellFormed(s))}&endpoint=${s}`),
    );

    for (const [role, ctx] of [
      ["anonymous", anonymous],
      ["patient A", a],
    ] as const) {
      for (const e of all) {
        for (const method of e.methods) {
          if (role === "patient A" && skipForA(e, method)) continue;
          const samples = fc.sample(
            fc.tuple(fc.array(idValue, { minLength: 3, maxLength: 3 }), query, bodyValue, xffValue),
            {
              numRuns: RUNS,
            },
          );
          // First sample: B's own ids, plainly (the "A on B's ids" case, not left to chance).
          samples[0]![0] = [bIds[0]!, bIds[0]!, bIds[0]!];
          for (const [ids, q, body, xff] of samples) {
            const url =
              fill(
                e.pattern,
                ids.map((x) => encodeURIComponent(x)),
              ) +
              "?" +
              new URLSearchParams(q).toString();
            await send(ctx, role, method, url, body, xff);
          }
        }
      }
    }

    // Patient A on B's appointment pages: the same 404 as a made-up id, decided before streaming (finding 11).
    for (const sub of ["", "/avboka", "/omboka", "/tidigare", "/kalender"]) {
      const foreign = await a.get(`/besok/${bIds[0]}${sub}`, { maxRedirects: 0 });
      const madeUp = await a.get(`/besok/00000000-0000-4000-8000-000000000000${sub}`, { maxRedirects: 0 });
      expect(foreign.status(), `/besok/<B's id>${sub}`).toBe(404);
      expect(madeUp.status(), `/besok/<made-up id>${sub}`).toBe(404);
      counts.requests += 2;
    }
    const slots = await a.get(`/api/appointments/${bIds[0]}/slots`);
    expect(slots.status()).toBe(404);

    // Unknown server action ids and bodies: never 500.
    for (const actionId of ["0".repeat(40), "x", "'; DROP TABLE x; --", "7f".repeat(21)]) {
      for (const ctx of [anonymous, a]) {
        const res = await ctx.post("/besok", {
          headers: { "Next-Action": actionId, "Content-Type": "text/plain;charset=UTF-8" },
          data: JSON.stringify([{ appointmentId: bIds[0] }]),
          maxRedirects: 0,
          failOnStatusCode: false,
        });
        await check("server action", `POST /besok Next-Action ${actionId.slice(0, 10)}`, res, await res.text());
      }
    }

    // Nothing changed: B's data, and A's own (every input above was bad or someone else's).
    expect((await ownData(b)).snapshot, "B's data unchanged").toBe(bBefore.snapshot);
    expect((await ownData(a)).snapshot, "A's data unchanged").toBe(aBefore.snapshot);

    // No personal number, phone number or token in what the server logged during the suite.
    const sessionTokens = [...(await a.storageState()).cookies, ...(await b.storageState()).cookies]
      .filter((c) => c.value.length >= 20)
      .map((c) => c.value);
    const logLeaks = serverLogSince(logOffset).filter(
      (line) =>
        holdsPersonalNumber(line) ||
        /\+46\d{7,}/.test(line) ||
        sessionTokens.some((t) => line.includes(t.slice(0, 24))),
    );
    counts.leaks += logLeaks.length;
    failures.push(...logLeaks.map((l) => `log line leaks: ${l.slice(0, 100)}`));

    console.log(
      `attack suite (HTTP): ${counts.routes} routes × ${counts.roles} roles × ${RUNS} inputs per method = ` +
        `${counts.requests} requests, 5xx = ${counts.serverErrors}, leaks = ${counts.leaks}` +
        (logFile ? `, server log lines checked = ${serverLogSince(logOffset).length}` : ", server log not captured"),
    );
    expect(failures).toEqual([]);
    expect(nastyStrings.length).toBeGreaterThan(10);
    await Promise.all([a.dispose(), b.dispose(), anonymous.dispose()]);
  });

  test("findings 4, 5, 12: signout revokes, no session id to JS, Origin: null refused, security.txt", async () => {
    const a = await loginOverHttp("sven");
    const state = await a.storageState();
    const session = await a.get("/api/auth/session");
    expect(session.status()).toBe(404);
    for (const c of state.cookies) if (c.value.length >= 20) expect(await session.text()).not.toContain(c.value);

    // Origin: null without Fetch Metadata is refused (a sandboxed frame sends it).
    const nullOrigin = await a.post("/api/push/subscription", {
      headers: { Origin: "null" },
      data: { endpoint: "https://fcm.googleapis.com/x", keys: { p256dh: "x".repeat(40), auth: "y".repeat(16) } },
    });
    expect(nullOrigin.status()).toBe(403);

    // SSRF (finding 2): private and loopback endpoints are refused at the door.
    for (const endpoint of [
      "https://127.0.0.1/x",
      "https://169.254.169.254/x",
      "https://localhost/x",
      "https://[::1]/x",
    ]) {
      const res = await a.post("/api/push/subscription", {
        data: { endpoint, keys: { p256dh: "B".repeat(87), auth: "C".repeat(22) } },
      });
      expect(res.status(), endpoint).toBe(400);
    }

    // Signout through next-auth's own endpoint revokes on the server: the old cookie downloads nothing.
    const copy = await playwrightRequest.newContext({ baseURL, storageState: state });
    const { csrfToken } = (await (await a.get("/api/auth/csrf")).json()) as { csrfToken: string };
    const out = await a.post("/api/auth/signout", { form: { csrfToken }, maxRedirects: 0 });
    expect(out.status()).toBeLessThan(400);
    expect((await copy.get("/api/export")).status()).toBe(401);

    const txt = await a.get("/.well-known/security.txt");
    expect(txt.status()).toBe(200);
    const expires = /^Expires: (.+)$/m.exec(await txt.text())![1]!;
    expect(new Date(expires).getTime() - Date.now()).toBeLessThan(365 * 24 * 3600 * 1000);
    expect(new Date(expires).getTime()).toBeGreaterThan(Date.now());

    const page = await a.get("/");
    const csp = page.headers()["content-security-policy"] ?? "";
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("base-uri 'none'");
    expect(csp).toContain("report-to csp");
    await Promise.all([a.dispose(), copy.dispose()]);
  });

  test("finding 1: returnTo tricks never leave the site, also when already logged in", async () => {
    const a = await loginOverHttp("sven");
    for (const trick of [
      "/.//evil.example/phish",
      "/%2e//evil.example/phish",
      "/a/..//evil.example/phish",
      "/..//evil.example",
    ]) {
      const res = await a.get(`/login?returnTo=${encodeURIComponent(trick)}`, { maxRedirects: 0 });
      const location = res.headers()["location"] ?? "";
      expect(location.startsWith("/") && !location.startsWith("//"), `${trick} → ${location}`).toBe(true);
      expect(new URL(location, baseURL).origin).toBe(baseURL);
    }
    await a.dispose();
  });
});
