// Pruning compares a timestamp column with a Date: it must work on postgres.js as on PGlite
// (a Date inside a raw sql`` failed on real Postgres only, and with it every login start).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loginOrders } from "@/db/schema";
import { testDatabases } from "@/test/databases";
import { pruneLoginOrders } from "./login";

for (const engine of testDatabases) {
  describe(`pruneLoginOrders (${engine.name})`, () => {
    let handle: Awaited<ReturnType<typeof engine.open>>;
    beforeAll(async () => {
      handle = await engine.open();
    });
    afterAll(async () => handle?.dispose());

    it("drops orders older than an hour and keeps the recent ones", async () => {
      const now = new Date();
      const order = (binding: string, minutesAgo: number) => ({
        bindingHash: binding,
        orderRef: `ref-${binding}`,
        qrStartToken: "t",
        qrStartSecretEnc: "s",
        startedBy: "qr" as const,
        device: "desktop" as const,
        startedAt: new Date(now.getTime() - minutesAgo * 60_000),
        createdAt: new Date(now.getTime() - minutesAgo * 60_000),
      });
      await handle.db.insert(loginOrders).values([order("old", 90), order("recent", 5)]);
      await pruneLoginOrders(handle.db, now);
      const left = await handle.db.select({ binding: loginOrders.bindingHash }).from(loginOrders);
      expect(left.map((r) => r.binding)).toEqual(["recent"]);
    });
  });
}
