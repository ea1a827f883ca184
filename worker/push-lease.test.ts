// The push worker holds its rows with the SMS worker's lease: a crashed worker's push is sent by
// the next worker once the lease has run out (not before), and a worker that lost its lease
// neither reaches the devices nor writes an outcome.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import webpush from "web-push";
import * as s from "@/db/schema";
import { bookAppointment } from "@/lib/appointments/service";
import { savePushSubscription } from "@/lib/push/subscriptions";
import { requirePostgresInCi, testDatabases } from "@/test/databases";
import { makeClinic, makePatient, makeSlot } from "@/test/fixtures";
import { startPushService } from "@/test/push-service";
import { consentToSms } from "@/test/sms-harness";
import { runDuePush } from "./push-dispatch";
import { claimDuePush, DEFAULT_PUSH_LEASE_MS, finishPush, renewPushLease } from "./push/lease";

requirePostgresInCi();

const vapid = { ...webpush.generateVAPIDKeys(), subject: "mailto:drift@vardtid.invalid" };
// Monday 4 March 2030, 10:00 in Stockholm; the visit is Saturday 9 March 10:00.
const t0 = new Date("2030-03-04T09:00:00Z");
const visit = new Date(t0.getTime() + 5 * 24 * 3_600_000);
const pushDue = new Date("2030-03-06T09:00:00Z"); // 3 days before
const after = (ms: number) => new Date(pushDue.getTime() + ms);
let phoneSeq = 10;

describe.each(testDatabases)("push lease on $name", (target) => {
  let handle: Awaited<ReturnType<typeof target.open>>;
  let push: Awaited<ReturnType<typeof startPushService>>;

  beforeAll(async () => {
    handle = await target.open();
    push = await startPushService();
  });
  afterAll(async () => {
    await push?.close();
    await handle?.dispose();
  });

  const pushPass = (now: Date) =>
    runDuePush({ db: handle.db, vapid, agent: push.agent, allowPrivateEndpoints: true, now: () => now });
  const row = async (id: string) => (await handle.db.select().from(s.messages).where(eq(s.messages.id, id)))[0]!;
  const pushesFor = (messageId: string) =>
    push.received.filter((r) => (r.payload as { messageId?: string }).messageId === messageId);

  /** A patient with SMS consent and a subscribed device, booked into Saturday's visit. */
  async function bookedWithPush() {
    const { clinic, type } = await makeClinic(handle.db, {
      pushEscalationMinutes: 120,
      reminderOffsets: [{ kind: "days_before", days: 3 }],
    });
    const patient = await makePatient(handle.db);
    await consentToSms(handle.db, patient.id, `+467017407${String(phoneSeq++).padStart(2, "0")}`, t0);
    await savePushSubscription(handle.db, patient.id, { ...push.subscribe(), userAgent: "test" }, {});
    const slot = await makeSlot(handle.db, clinic.id, type.id, visit);
    const booked = await bookAppointment(handle.db, { patientId: patient.id, slotId: slot.id, now: t0 });
    if (!booked.ok) throw new Error("booking failed");
    const rows = await handle.db.select().from(s.messages).where(eq(s.messages.appointmentId, booked.appointmentId));
    return { pushRow: rows.find((r) => r.channel === "push")!, smsRow: rows.find((r) => r.channel === "sms")! };
  }

  it("a push claimed by a worker that died is sent by the next pass after its lease, not before, once", async () => {
    const { pushRow, smsRow } = await bookedWithPush();
    // The first worker claims the batch and dies before sending anything.
    const dead = (await claimDuePush(handle.db, { now: pushDue })).find((c) => c.id === pushRow.id);
    expect(dead).toMatchObject({ id: pushRow.id, attempts: 1 });
    expect(await row(pushRow.id)).toMatchObject({ status: "sending", leaseExpiresAt: after(DEFAULT_PUSH_LEASE_MS) });

    // While the lease holds, no other worker takes the row.
    await pushPass(after(DEFAULT_PUSH_LEASE_MS - 1_000));
    expect(await row(pushRow.id)).toMatchObject({ status: "sending", attempts: 1 });
    expect(pushesFor(pushRow.id)).toHaveLength(0);

    // After it, the next pass takes it over and sends it.
    const r = await pushPass(after(DEFAULT_PUSH_LEASE_MS));
    expect(r.sent).toBeGreaterThanOrEqual(1);
    expect(await row(pushRow.id)).toMatchObject({ status: "sent", attempts: 2, leaseExpiresAt: null });
    expect(pushesFor(pushRow.id)).toHaveLength(1);
    await pushPass(after(2 * DEFAULT_PUSH_LEASE_MS + 1_000));
    expect(pushesFor(pushRow.id)).toHaveLength(1);
    // The push reached the device, so its SMS twin keeps waiting for the escalation time.
    expect(await row(smsRow.id)).toMatchObject({ status: "queued", dueAt: smsRow.dueAt });
  });

  it("a worker that lost its lease is fenced: it may not send, its failure is not written, nothing escalates", async () => {
    const { pushRow, smsRow } = await bookedWithPush();
    const stale = (await claimDuePush(handle.db, { now: pushDue })).find((c) => c.id === pushRow.id)!;
    // It stalls past its lease; another worker claims the row.
    const successor = (await claimDuePush(handle.db, { now: after(DEFAULT_PUSH_LEASE_MS) })).find(
      (c) => c.id === pushRow.id,
    )!;
    expect(successor.attempts).toBe(2);

    const later = after(DEFAULT_PUSH_LEASE_MS + 5_000);
    expect(await renewPushLease(handle.db, stale, later)).toBe(false);
    expect(await finishPush(handle.db, stale, "failed", later, "no device reached")).toBe(false);
    expect(await row(pushRow.id)).toMatchObject({ status: "sending", attempts: 2, lastError: null });

    // The successor holds the fence, renews the lease and writes its outcome.
    expect(await renewPushLease(handle.db, successor, later)).toBe(true);
    expect((await row(pushRow.id)).leaseExpiresAt).toEqual(new Date(later.getTime() + DEFAULT_PUSH_LEASE_MS));
    expect(await finishPush(handle.db, successor, "sent", later, null)).toBe(true);
    expect(await row(pushRow.id)).toMatchObject({ status: "sent", sentAt: later, leaseExpiresAt: null });
    // A stale failure after that changes nothing either, and the SMS twin was never made due early.
    expect(await finishPush(handle.db, stale, "failed", later, "no device reached")).toBe(false);
    expect(await row(smsRow.id)).toMatchObject({ status: "queued", dueAt: smsRow.dueAt });
  });

  it("a sent push is final: a later pass does not claim it again", async () => {
    const { pushRow } = await bookedWithPush();
    await pushPass(pushDue);
    expect(await row(pushRow.id)).toMatchObject({ status: "sent", attempts: 1, leaseExpiresAt: null });
    await pushPass(after(3 * DEFAULT_PUSH_LEASE_MS));
    expect(await row(pushRow.id)).toMatchObject({ status: "sent", attempts: 1 });
    expect(pushesFor(pushRow.id)).toHaveLength(1);
  });
});
