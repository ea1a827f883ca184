// The container, proven without a container engine: the standalone build started exactly as the
// image's command (deploy/test/image.ts: the Dockerfile's ENV, numeric USER and CMD, a read-only
// working tree), against real Postgres. It migrates, serves pages, static files and health, decides
// the client address from the socket only (issue 12: a spoofed X-Forwarded-For neither resets the
// login rate limit nor reaches the audit trail or BankID; `not-an-ip` is no 5xx), exposes metrics
// behind the token, logs JSON without secrets, and drains on SIGTERM.
import { randomBytes } from "node:crypto";
import http from "node:http";
import { readFileSync } from "node:fs";
import path from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBankIdSimulator } from "@/simulators/bankid/server";
import { requirePostgresInCi } from "@/test/databases";
import { exitOf, prepareStandalone, readImageSpec, root, runAsImage, type ImageSpec } from "./test/image";

const adminUrl = process.env.TEST_DATABASE_URL;
const PORT = 3510;
const base = `http://127.0.0.1:${PORT}`;
const PUBLIC = "https://vardtid.test";
const METRICS_TOKEN = randomBytes(24).toString("hex");

requirePostgresInCi();

describe.skipIf(!adminUrl)("the image's command on the standalone build (read-only tree, numeric user)", () => {
  let tree: string;
  let spec: ImageSpec;
  let admin: postgres.Sql;
  let sql: postgres.Sql;
  let dbName: string;
  let config: Record<string, string>;
  let app: ReturnType<typeof runAsImage> | undefined;
  let bankid: Awaited<ReturnType<typeof startBankIdSimulator>>;

  beforeAll(async () => {
    tree = prepareStandalone();
    spec = readImageSpec();
    dbName = `vardtid_image_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
    admin = postgres(adminUrl!, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${dbName}`);
    const url = new URL(adminUrl!);
    url.pathname = `/${dbName}`;
    sql = postgres(url.toString(), { max: 2, onnotice: () => {} });
    bankid = await startBankIdSimulator({ port: 0, host: "127.0.0.1" });
    const key = () => randomBytes(32).toString("base64");
    // What a deployment adds to the image (compose.yaml's env_file, the Kubernetes ConfigMap and Secret).
    config = {
      PORT: String(PORT),
      DATABASE_URL: url.toString(),
      PUBLIC_BASE_URL: PUBLIC,
      AUTH_SECRET: randomBytes(32).toString("hex"),
      PII_ENCRYPTION_KEY: key(),
      PII_HMAC_KEY: key(),
      BANKID_BASE_URL: bankid.apiUrl,
      BANKID_PFX_PATH: "/run/secrets/bankid.p12",
      BANKID_PFX_PASSPHRASE: "unused-over-plain-http",
      BANKID_CA_PATH: "/run/secrets/bankid-ca.pem",
      SMS_BASE_URL: "http://127.0.0.1:9",
      SMS_USERNAME: "u",
      SMS_PASSWORD: "p",
      SMS_WEBHOOK_SECRET: randomBytes(16).toString("hex"),
      LOGIN_RATE_LIMIT_PER_MINUTE: "3",
      METRICS_TOKEN,
      SHUTDOWN_GRACE_SECONDS: "10",
    };
  }, 20 * 60_000);

  afterAll(async () => {
    if (app && app.exitCode === null) {
      app.kill("SIGKILL");
      await exitOf(app);
    }
    await bankid?.close();
    await sql?.end();
    await admin?.unsafe(`drop database if exists ${dbName} with (force)`);
    await admin?.end();
  });

  it("is the image the Dockerfile describes: numeric non-root user, production mode, our server", () => {
    expect(spec.uid).toBeGreaterThan(0);
    expect(spec.gid).toBeGreaterThan(0);
    expect(spec.env.NODE_ENV).toBe("production");
    expect(spec.env.VARDTID_MODE).toBe("production");
    expect(spec.cmd).toEqual(["node", "dist/server.mjs"]);
    expect(spec.healthcheck.join(" ")).toContain("/api/health");
  });

  it("cannot write to its own working tree", async () => {
    const probe = runAsImage(
      tree,
      spec,
      ["node", "-e", "require('fs').writeFileSync('written-at-run-time', 'x')"],
      config,
    );
    expect(await exitOf(probe)).not.toBe(0);
    expect(probe.output()).toMatch(/EROFS|read-only/i);
  });

  it("migrates the database with the migration command", async () => {
    const migrate = runAsImage(tree, spec, ["node", "dist/migrate.mjs"], config);
    expect(await exitOf(migrate), migrate.output()).toBe(0);
    const journal = JSON.parse(readFileSync(path.join(root, "db", "migrations", "meta", "_journal.json"), "utf8"));
    const [row] = await sql`select count(*)::int as n from drizzle.__drizzle_migrations`;
    expect(row!.n).toBe(journal.entries.length);
  });

  it("serves health, pages and static files, and its HEALTHCHECK passes", async () => {
    app = runAsImage(tree, spec, spec.cmd, config);
    await waitForHealth(app);
    const health = await fetch(`${base}/api/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok", migrations: { current: true } });

    const login = await fetch(`${base}/login`);
    expect(login.status).toBe(200);
    const html = await login.text();
    const script = /<script[^>]+src="(\/_next\/static\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    expect((await fetch(`${base}${script}`)).status).toBe(200);
    expect((await fetch(`${base}/sw.js`)).status).toBe(200);
    expect((await fetch(`${base}/manifest.webmanifest`)).status).toBe(200);

    const check = runAsImage(tree, spec, spec.healthcheck, { PORT: String(PORT) });
    expect(await exitOf(check), check.output()).toBe(0);
  });

  it("takes the client address from the socket: spoofed X-Forwarded-For resets no rate limit and reaches no record", async () => {
    const start = (forwardedFor?: string) =>
      fetch(`${base}/api/bankid/start`, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          Origin: PUBLIC,
          ...(forwardedFor ? { "X-Forwarded-For": forwardedFor } : {}),
        },
        body: JSON.stringify({ method: "qr" }),
      });
    const spoofed = ["203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4", "198.51.100.9, 203.0.113.5"];
    const statuses = [];
    let binding = "";
    for (const xff of spoofed) {
      const res = await start(xff);
      statuses.push(res.status);
      binding ||= res.headers.getSetCookie()[0]?.split(";")[0] ?? "";
    }
    // Three a minute for this (one) client, whatever address each request claimed.
    expect(statuses).toEqual([200, 200, 200, 429, 429]);

    // One login fails in BankID (the user cancels): the audit trail records the address of that.
    const { orders } = (await (await fetch(`${bankid.url}/__simulator/orders`)).json()) as {
      orders: { orderRef: string; status: string }[];
    };
    for (const o of orders.filter((o) => o.status === "pending")) {
      const failed = await fetch(`${bankid.url}/__simulator/orders/${o.orderRef}/fail`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ hintCode: "userCancel" }),
      });
      expect(failed.status).toBe(200);
    }
    let state = "";
    for (let i = 0; i < 40 && state !== "failed"; i++) {
      const res = await fetch(`${base}/api/bankid/status`, {
        headers: { Cookie: binding, "X-Forwarded-For": "203.0.113.66" },
      });
      state = ((await res.json()) as { state: string }).state;
      if (state !== "failed") await new Promise((r) => setTimeout(r, 250));
    }
    expect(state).toBe("failed");

    const bad = await start("not-an-ip");
    expect(bad.status).toBe(429);
    const page = await fetch(`${base}/login`, { headers: { "X-Forwarded-For": "not-an-ip", "X-Real-IP": "nonsense" } });
    expect(page.status).toBe(200);

    const audited = await sql`select distinct ip from audit_events where ip is not null`;
    // login_orders.ip is the very value startLogin sent BankID as endUserIp (lib/auth/login.ts).
    const ordered = await sql`select distinct ip from login_orders`;
    expect(audited.map((r) => r.ip)).toEqual(["127.0.0.1"]);
    expect(ordered.map((r) => r.ip)).toEqual(["127.0.0.1"]);
  });

  it("answers /api/metrics only with the token, with latency by route and the database gauges", async () => {
    expect((await fetch(`${base}/api/metrics`)).status).toBe(401);
    expect((await fetch(`${base}/api/metrics`, { headers: { Authorization: "Bearer wrong" } })).status).toBe(401);
    const res = await fetch(`${base}/api/metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(
      /vardtid_http_request_duration_seconds_count\{method="POST",route="\/api\/bankid\/start",status="429"\} 3/,
    );
    expect(text).toMatch(/vardtid_bankid_orders_recent\{status="pending",hint=""\} 2/);
    expect(text).toMatch(/vardtid_bankid_orders_recent\{status="failed",hint="\w+"\} 1/);
    expect(text).toContain("vardtid_database_up 1");
    expect(text).toContain("vardtid_audit_chain_ok 1");
    expect(text).toContain('vardtid_queue_depth{queue="messages",status="queued"} 0');
  });

  it("logs one JSON line per request with id, route, status and duration, and no claimed address or secret", () => {
    const lines = app!
      .output()
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const requests = lines.filter((l) => l.msg === "request" && l.route === "/api/bankid/start");
    expect(requests).toHaveLength(6);
    for (const r of requests) {
      expect(r.reqId).toMatch(/^[0-9a-f-]{36}$/);
      expect(typeof r.ms).toBe("number");
      expect([200, 429]).toContain(r.status);
    }
    const all = app!.output();
    for (const secret of ["203.0.113.", "not-an-ip", METRICS_TOKEN, config.AUTH_SECRET!])
      expect(all).not.toContain(secret);
  });

  it("on SIGTERM finishes the request in flight, refuses new connections and exits cleanly", async () => {
    // A request whose body is still arriving when the signal comes.
    const inFlight = new Promise<number>((resolve, reject) => {
      const req = http.request(
        `${base}/api/bankid/start`,
        { method: "POST", headers: { "Content-Type": "application/json", Origin: PUBLIC } },
        (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        },
      );
      req.on("error", reject);
      req.write('{"method":');
      setTimeout(() => req.end('"qr"}'), 1_500);
    });
    await new Promise((r) => setTimeout(r, 300));
    app!.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 300));
    await expect(fetch(`${base}/api/health`)).rejects.toThrow();
    expect(await inFlight).toBe(429); // answered (still rate-limited), not cut off
    expect(await exitOf(app!)).toBe(0);
    expect(app!.output()).toContain('"msg":"stopped"');
  });
});

async function waitForHealth(child: ReturnType<typeof runAsImage>): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}):\n${child.output()}`);
    const ok = await fetch(`${base}/api/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no healthy server within 90 s:\n${child.output()}`);
}
