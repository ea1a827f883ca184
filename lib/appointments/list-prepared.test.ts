// Named prepared statements only where they work: on Postgres directly, not behind PgBouncer in
// transaction mode (prepare: false) and not on PGlite. The list of Mina tider uses one there.
import { afterAll, describe, expect, it } from "vitest";
import { listAppointments } from "./list-appointments";
import { makeClinic, makePatient, makeSlot } from "@/test/fixtures";
import { bookAppointment } from "./service";
import { mayPrepare, openDatabase, type DatabaseHandle } from "@/db/client";
import { requirePostgresInCi, testDatabases } from "@/test/databases";

requirePostgresInCi();
const postgresTarget = testDatabases.find((t) => t.name === "postgres");

describe("mayPrepare", () => {
  const opened: DatabaseHandle[] = [];
  afterAll(async () => {
    for (const h of opened) await h.close();
  });

  it("is false on PGlite", async () => {
    const h = openDatabase({ dataDir: "memory" });
    opened.push(h);
    expect(mayPrepare(h.db)).toBe(false);
  });

  it.runIf(postgresTarget)("is true on Postgres, false when prepared statements are off", async () => {
    const url = process.env.TEST_DATABASE_URL!;
    const on = openDatabase({ url, max: 1 });
    const off = openDatabase({ url, max: 1, prepare: false });
    opened.push(on, off);
    expect(mayPrepare(on.db)).toBe(true);
    expect(mayPrepare(off.db)).toBe(false);
  });

  it.runIf(postgresTarget)("the list runs as a named statement there, the same rows either way", async () => {
    const handle = await postgresTarget!.open();
    if (handle.driver !== "postgres") throw new Error("postgres only");
    const o = handle.sqlClient.options;
    const url = `postgres://${o.user}@${o.host[0]}:${o.port[0]}/${o.database}`;
    // One connection each, so pg_prepared_statements (per session) shows what the list ran as.
    const on = openDatabase({ url, max: 1 });
    const off = openDatabase({ url, max: 1, prepare: false });
    opened.push(on, off);
    try {
      const { clinic, type } = await makeClinic(handle.db);
      const patient = await makePatient(handle.db);
      const slot = await makeSlot(handle.db, clinic.id, type.id, new Date(Date.now() + 86_400_000));
      const booked = await bookAppointment(handle.db, { patientId: patient.id, slotId: slot.id, now: new Date() });
      expect(booked.ok).toBe(true);
      const opts = { locale: "sv" as const, now: new Date(), audit: { ip: "192.0.2.1", userAgent: null } };
      const named = await listAppointments(on.db, patient.id, opts);
      const unnamed = await listAppointments(off.db, patient.id, opts);
      expect(named.upcoming.map((a) => a.id)).toEqual([booked.ok && booked.appointmentId]);
      expect(named).toEqual(unnamed);
      const prepared = async (h: DatabaseHandle) =>
        h.driver === "postgres"
          ? (await h.sqlClient.unsafe<{ statement: string }[]>("select statement from pg_prepared_statements")).filter(
              (r) => r.statement.includes('from "appointments" inner join "slots"'),
            ).length
          : -1;
      expect(await prepared(on)).toBe(1);
      expect(await prepared(off)).toBe(0);
    } finally {
      await handle.dispose();
    }
  });
});
