// A child's own BankID login below the self-service age is refused before any patient row exists;
// from that age the same login goes through. The provider is a scripted EidProvider (the wire
// protocol has its own tests with the simulator); the database is real (PGlite, and Postgres when
// TEST_DATABASE_URL is set).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { auditEvents, patients } from "@/db/schema";
import { keyedHash } from "@/lib/privacy/crypto";
import type { EidProvider } from "@/lib/eid/types";
import { testDatabases } from "@/test/databases";
import { testKeys } from "@/test/fixtures";
import { pollLogin, startLogin, type LoginContext } from "./login";

const NOW = new Date("2026-12-01T10:00:00Z");
const FOURTEEN = { personalNumber: "201203102387", givenName: "Tolva", surname: "Tolvansson" }; // born 2012-03-10
const SIXTEEN = { personalNumber: "201007062381", givenName: "Sexton", surname: "Testsson" }; // born 2010-07-06

function provider(identity: { personalNumber: string; givenName: string; surname: string }): EidProvider {
  return {
    async startAuthentication() {
      return {
        orderRef: `order-${identity.personalNumber}`,
        autoStartToken: "auto",
        qrStartToken: "qr",
        qrStartSecret: "secret",
        startedAt: NOW.getTime(),
      };
    },
    async collect(orderRef) {
      return {
        status: "complete",
        orderRef,
        identity: { ...identity, name: `${identity.givenName} ${identity.surname}` },
        device: { ipAddress: "192.0.2.1" },
        signature: "c2ln",
      };
    },
    async cancel() {},
  };
}

for (const database of testDatabases) {
  describe(`own login and the self-service age on ${database.name}`, () => {
    let handle: Awaited<ReturnType<typeof database.open>>;
    beforeAll(async () => {
      handle = await database.open();
    });
    afterAll(async () => handle?.dispose());

    const context = (identity: typeof FOURTEEN): LoginContext => ({
      db: handle.db,
      eid: provider(identity),
      keys: testKeys,
      ip: "192.0.2.1",
      userAgent: null,
      now: () => NOW,
      selfServiceAge: 16,
    });

    it("refuses a 14-year-old's own login, creates no patient, and audits the refusal", async () => {
      const ctx = context(FOURTEEN);
      const started = await startLogin(ctx, { startedBy: "qr", device: "desktop" });
      if (!("binding" in started)) throw new Error("start failed");
      expect(await pollLogin(ctx, started.binding)).toEqual({
        state: "failed",
        rfa: "AGE_LIMIT",
        hintCode: "ageLimit",
      });
      const hash = keyedHash(FOURTEEN.personalNumber, testKeys);
      expect(await handle.db.select().from(patients).where(eq(patients.personalNumberHash, hash))).toHaveLength(0);
      const refused = await handle.db.select().from(auditEvents).where(eq(auditEvents.action, "auth.login.failed"));
      expect(refused.map((r) => r.details)).toContainEqual({ hintCode: "ageLimit" });
      // A second poll of the same order does not turn it into a login.
      expect((await pollLogin(ctx, started.binding)).state).toBe("failed");
    });

    it("lets a patient who has turned 16 log in", async () => {
      const ctx = context(SIXTEEN);
      const started = await startLogin(ctx, { startedBy: "qr", device: "desktop" });
      if (!("binding" in started)) throw new Error("start failed");
      expect(await pollLogin(ctx, started.binding)).toEqual({ state: "complete" });
      const hash = keyedHash(SIXTEEN.personalNumber, testKeys);
      expect(await handle.db.select().from(patients).where(eq(patients.personalNumberHash, hash))).toHaveLength(1);
    });
  });
}
