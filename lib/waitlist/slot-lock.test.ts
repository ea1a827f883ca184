// The slot lock that queues the decisions about a slot (offering it, accepting or declining an
// offer for it) must not block a booking's foreign-key check on that slot. It did (FOR UPDATE
// conflicts with the FOR KEY SHARE that Postgres takes on the referenced slot when an appointment
// moves to it), and that made a deadlock: a rebook had put its row into the one-booked-per-slot
// index and waited on the accept's slot lock for its foreign key, while the accept waited on the
// rebook's index entry. Postgres then aborted one of them and the patient got "unexpected"
// (found by deploy/faults.test.ts, an offer's acceptance racing a rebook through two apps).
// With FOR NO KEY UPDATE the rebook goes through at once and the accept that follows finds the
// slot taken. Real Postgres only: PGlite has one connection, so nothing can wait there.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bookAppointment, rebookAppointment } from "@/lib/appointments/service";
import { requirePostgresInCi, testDatabases } from "@/test/databases";
import { makeClinic, makePatient, makeSlot } from "@/test/fixtures";
import { lockSlot } from "./offers";

requirePostgresInCi();

const postgres = testDatabases.find((d) => d.name === "postgres");

describe.skipIf(!postgres)("the slot lock on Postgres", () => {
  let handle: Awaited<ReturnType<NonNullable<typeof postgres>["open"]>>;
  beforeAll(async () => {
    handle = await postgres!.open();
  });
  afterAll(async () => {
    await handle?.dispose();
  });

  it("a rebook into a slot whose offers are being decided is not held up by that lock", async () => {
    const now = new Date();
    const day = (n: number) => new Date(now.getTime() + n * 86_400_000);
    const { clinic, type } = await makeClinic(handle.db);
    const patient = await makePatient(handle.db);
    const from = await makeSlot(handle.db, clinic.id, type.id, day(8));
    const target = await makeSlot(handle.db, clinic.id, type.id, day(5));
    const booked = await bookAppointment(handle.db, { patientId: patient.id, slotId: from.id, now });
    if (!booked.ok) throw new Error("booking failed");

    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const lockTaken = new Promise<void>((resolve) => (locked = resolve));
    // An accept (or the offer worker) holding the slot's lock, as in the middle of its transaction.
    const decider = handle.db.transaction(async (tx) => {
      await lockSlot(tx, target.id);
      locked();
      await held;
    });
    await lockTaken;
    try {
      const rebook = rebookAppointment(handle.db, patient.id, {
        appointmentId: booked.appointmentId,
        slotId: target.id,
        now,
        audit: { ip: "192.0.2.1", userAgent: "test" },
      });
      const outcome = await Promise.race([
        rebook,
        new Promise<"blocked">((resolve) => setTimeout(() => resolve("blocked"), 3_000)),
      ]);
      expect(outcome).toMatchObject({ ok: true });
    } finally {
      release();
      await decider;
    }
  });
});
