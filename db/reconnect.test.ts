// After Postgres was away (a restart, a failover), the pool must answer again within about a
// second of it being back, however many queries failed meanwhile. postgres.js's default reconnect
// backoff grows to 20 s after a few failed attempts and holds queries that long: the SMS worker's
// kept outcomes then reached the database after the rows' lease had run out, and another worker
// sent them again (deploy/faults.test.ts). Postgres "goes away" here by a TCP proxy in front of it
// closing its port and every connection through it.
import net from "node:net";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { requirePostgresInCi } from "@/test/databases";
import { MAX_RECONNECT_DELAY_MS, openDatabase, reconnectBackoffSeconds } from "./client";

requirePostgresInCi();
const adminUrl = process.env.TEST_DATABASE_URL;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("reconnect backoff", () => {
  it("starts at 50 ms, doubles and never exceeds a second", () => {
    expect([0, 1, 2, 3, 4, 5, 10, 100].map(reconnectBackoffSeconds)).toEqual([0.05, 0.1, 0.2, 0.4, 0.8, 1, 1, 1]);
    expect(MAX_RECONNECT_DELAY_MS).toBe(1_000);
  });
});

describe.skipIf(!adminUrl)("reconnecting after Postgres was away (postgres)", () => {
  it("answers within about a second of Postgres being back after many failed queries", async () => {
    const target = new URL(adminUrl!);
    const sockets = new Set<net.Socket>();
    let proxy: net.Server;
    const listen = (port: number) =>
      new Promise<number>((resolve) => {
        proxy = net.createServer((client) => {
          const upstream = net.connect(Number(target.port || 5432), target.hostname);
          for (const s of [client, upstream]) {
            sockets.add(s);
            s.on("error", () => {});
            s.on("close", () => sockets.delete(s));
          }
          client.pipe(upstream).pipe(client);
        });
        proxy.listen(port, "127.0.0.1", () => resolve((proxy.address() as net.AddressInfo).port));
      });
    const port = await listen(0);
    const url = new URL(adminUrl!);
    url.hostname = "127.0.0.1";
    url.port = String(port);
    const handle = openDatabase({ url: url.toString(), max: 4 });
    try {
      await handle.db.execute(sql`select 1`);
      // Away for 3 s; a query every 200 ms meanwhile (a worker polling), each one failing.
      proxy!.close();
      for (const s of sockets) s.destroy();
      let failed = 0;
      let answered = 0;
      const until = Date.now() + 3_000;
      while (Date.now() < until) {
        await Promise.race([handle.db.execute(sql`select 1`), sleep(200).then(() => Promise.reject(new Error()))]).then(
          () => (answered += 1),
          () => (failed += 1),
        );
        await sleep(200);
      }
      expect(answered).toBe(0);
      expect(failed).toBeGreaterThan(5);
      await listen(port);
      const back = performance.now();
      await handle.db.execute(sql`select 1`);
      // postgres.js's default waited 9 to 13 s here.
      expect(performance.now() - back).toBeLessThan(MAX_RECONNECT_DELAY_MS + 1_000);
    } finally {
      // Queries the loop gave up on may still be queued: no grace period for them.
      if (handle.driver === "postgres") await handle.sqlClient.end({ timeout: 0 });
      proxy!.close();
      for (const s of sockets) s.destroy();
    }
  });
});
