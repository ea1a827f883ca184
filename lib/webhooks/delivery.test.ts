// Issue 14's done criteria, end to end on both database engines: a patient's change reaches a
// local receiver that verifies it with the third-party `standardwebhooks` package; retries keep
// the webhook-id; the 24-hour window ends in `failed` (injected clock) and replay sends again;
// clinic A's events never reach clinic B's client; events of one appointment arrive in order; two
// workers never have one event in flight at once (every try ends inside its lease).
// (Over ~300 lines: one delivery story per test against one receiver and seeded database per engine.)
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { Webhook, WebhookVerificationError } from "standardwebhooks";
import type { Db } from "@/db/client";
import * as s from "@/db/schema";
import { cancelAppointment, rebookAppointment } from "@/lib/appointments/service";
import { CANCEL_REASON_SYSTEM } from "@/lib/fhir/systems";
import { requirePostgresInCi, testDatabases } from "@/test/databases";
import { makeClinic, makePatient, makeSlot, testKeys } from "@/test/fixtures";
import { startWebhookReceiver, type WebhookReceiver } from "@/test/webhook-receiver";
import { runWebhookPass, webhookClaimLimit, type WebhookDispatchConfig } from "@/worker/webhook-dispatch";
import { rotateWebhookSecret, setWebhookEndpoint } from "./endpoints";
import type { WebhookEventBody } from "./events";
import { listWebhookEvents, replayWebhookEvent, webhookCounts } from "./operations";
import { fanOutEvents } from "./queue";
import { DEFAULT_RETRY_POLICY } from "./retry-policy";
import { signWebhook } from "./signing";

requirePostgresInCi();

describe("webhookClaimLimit", () => {
  it("claims no more than the senders get through within one lease, with a second to spare", () => {
    // The in-app defaults: 8 at a time, 10 s each, 5 rounds in a 60 s lease.
    expect(webhookClaimLimit({ batchSize: 50, concurrency: 8, leaseMs: 60_000, timeoutMs: 10_000 })).toBe(40);
    expect(webhookClaimLimit({ batchSize: 6, concurrency: 1, leaseMs: 3_000, timeoutMs: 1_500 })).toBe(1);
    expect(webhookClaimLimit({ batchSize: 10, concurrency: 4, leaseMs: 3_000, timeoutMs: 1_000 })).toBe(8);
    expect(webhookClaimLimit({ batchSize: 100, concurrency: 16, leaseMs: 120_000, timeoutMs: 10_000 })).toBe(100);
    expect(() => webhookClaimLimit({ leaseMs: 1_500, timeoutMs: 1_000 })).toThrow(/lease/);
  });
});

const PORTS = { from: 3410, to: 3449 };
const day = 86_400_000;
const audit = { ip: null, userAgent: "test" };

describe.each(testDatabases)("webhooks on $name", (target) => {
  let handle: Awaited<ReturnType<typeof target.open>>;
  const receivers: WebhookReceiver[] = [];
  beforeAll(async () => {
    handle = await target.open();
  });
  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });
  afterAll(async () => {
    await handle?.dispose();
  });

  async function receiver() {
    const r = await startWebhookReceiver(PORTS);
    receivers.push(r);
    return r;
  }

  async function clinicWithHsa() {
    const hsaId = `SE2321000032-${randomUUID().slice(0, 8)}`;
    return { ...(await makeClinic(handle.db, { hsaId })), hsaId };
  }

  /** An API client of these clinics with a webhook endpoint; returns its id and signing secret. */
  async function subscribedClient(db: Db, hsaIds: string[], url: string) {
    const [client] = await db
      .insert(s.apiClients)
      .values({ name: `Bokningssystem ${hsaIds.join("+")}`, clinicHsaIds: hsaIds, scopes: [], jwks: { keys: [] } })
      .returning();
    const set = await setWebhookEndpoint(db, client!.id, url, { keys: testKeys, production: false, now: new Date() });
    if (!set.ok || !set.secret) throw new Error("endpoint not set");
    return { clientId: client!.id, secret: set.secret };
  }

  async function bookedAppointment(clinicId: string, typeId: string, startsAt: Date) {
    const patient = await makePatient(handle.db);
    const slot = await makeSlot(handle.db, clinicId, typeId, startsAt);
    const [appointment] = await handle.db
      .insert(s.appointments)
      .values({ patientId: patient.id, slotId: slot.id })
      .returning();
    return { patient, slot, appointment: appointment! };
  }

  /** `count` booked visits of the clinic, each cancelled by its patient (one event each). */
  async function patientCancels(clinicId: string, typeId: string, count: number) {
    for (let i = 0; i < count; i++) {
      const x = await bookedAppointment(clinicId, typeId, new Date(Date.now() + (5 + i) * day));
      await cancelAppointment(handle.db, x.patient.id, {
        appointmentId: x.appointment.id,
        reason: null,
        now: new Date(),
        audit,
      });
    }
  }

  function config(overrides: Partial<WebhookDispatchConfig> = {}): WebhookDispatchConfig {
    return { db: handle.db, keys: testKeys, production: false, timeoutMs: 2_000, ...overrides };
  }

  /** Passes until nothing is due (each pass sends what is due at the clock's time). */
  async function drain(cfg: WebhookDispatchConfig = config()) {
    for (let i = 0; i < 20; i++) {
      const r = await runWebhookPass(cfg);
      if (r.claimed === 0 && r.fannedOut === 0) return;
    }
  }

  async function dispatchOf(eventId: string) {
    const rows = await handle.db.select().from(s.webhookDispatches).where(eq(s.webhookDispatches.eventId, eventId));
    expect(rows).toHaveLength(1);
    return rows[0]!;
  }

  it("a patient's cancel reaches the receiver once, verifiable with standardwebhooks; a forged body is refused", async () => {
    const { clinic, type, hsaId } = await clinicWithHsa();
    const r = await receiver();
    const { secret } = await subscribedClient(handle.db, [hsaId], r.url);
    const { patient, appointment } = await bookedAppointment(clinic.id, type.id, new Date(Date.now() + 5 * day));
    const result = await cancelAppointment(handle.db, patient.id, {
      appointmentId: appointment.id,
      reason: "feeling_better",
      now: new Date(),
      audit,
    });
    expect(result.ok).toBe(true);
    await drain();

    expect(r.received).toHaveLength(1);
    const got = r.received[0]!;
    const event = new Webhook(secret).verify(got.body, got.headers) as WebhookEventBody;
    expect(event.type).toBe("appointment.cancelled");
    expect(new Date(event.timestamp).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(event.data.resource).toMatchObject({
      resourceType: "Appointment",
      id: appointment.id,
      status: "cancelled",
      cancelationReason: { coding: [{ system: CANCEL_REASON_SYSTEM, code: "feeling_better" }] },
      meta: { versionId: "2" },
    });
    expect(event.data.previous).toBeUndefined();
    const [outbox] = await handle.db
      .select()
      .from(s.webhookDeliveries)
      .where(eq(s.webhookDeliveries.appointmentId, appointment.id));
    expect(got.id).toBe(outbox!.id);
    expect(got.headers["content-type"]).toBe("application/json");

    // A forged body under the real headers, and the forged body re-signed with a key the
    // attacker made up: both fail the receiver's verification.
    const forged = got.body.replace('"cancelled"', '"booked"');
    expect(forged).not.toBe(got.body);
    expect(() => new Webhook(secret).verify(forged, got.headers)).toThrow(WebhookVerificationError);
    const resigned = signWebhook({ id: got.id, at: new Date(), body: forged, secrets: [`whsec_${"A".repeat(44)}`] });
    expect(() => new Webhook(secret).verify(forged, resigned)).toThrow(WebhookVerificationError);

    // Delivered stays delivered: more passes send nothing more.
    await drain();
    expect(r.received).toHaveLength(1);
    expect((await dispatchOf(outbox!.id)).status).toBe("delivered");
  });

  it("a receiver answering 500 three times gets the same webhook-id on the fourth try", async () => {
    const { clinic, type, hsaId } = await clinicWithHsa();
    const r = await receiver();
    r.answer = (n) => (n < 3 ? 500 : 200);
    const { secret } = await subscribedClient(handle.db, [hsaId], r.url);
    const { patient, appointment } = await bookedAppointment(clinic.id, type.id, new Date(Date.now() + 5 * day));
    await cancelAppointment(handle.db, patient.id, {
      appointmentId: appointment.id,
      reason: null,
      now: new Date(),
      audit,
    });

    let clock = new Date();
    const cfg = config({ now: () => clock, random: () => 0.5 });
    const first = await runWebhookPass(cfg);
    expect(first).toMatchObject({ fannedOut: 1, claimed: 1, retried: 1 });
    const [outbox] = await handle.db
      .select()
      .from(s.webhookDeliveries)
      .where(eq(s.webhookDeliveries.appointmentId, appointment.id));
    const delays: number[] = [];
    for (let attempt = 2; attempt <= 4; attempt++) {
      const d = await dispatchOf(outbox!.id);
      expect(d.status).toBe("pending");
      // Not before its time: a pass just before the retry is due sends nothing.
      clock = new Date(d.nextAttemptAt.getTime() - 1);
      expect((await runWebhookPass(cfg)).claimed).toBe(0);
      delays.push(d.nextAttemptAt.getTime() - d.updatedAt.getTime());
      clock = d.nextAttemptAt;
      expect((await runWebhookPass(cfg)).claimed).toBe(1);
    }
    expect(delays).toEqual([10_000, 20_000, 40_000]); // exponential (jitter pinned by random = 0.5)
    expect(r.received).toHaveLength(4);
    // Cancelled without a reason: the Appointment still names our code for that.
    expect((JSON.parse(r.received[0]!.body) as WebhookEventBody).data.resource.cancelationReason).toEqual({
      coding: [{ system: CANCEL_REASON_SYSTEM, code: "no_reason_given" }],
    });
    expect(new Set(r.received.map((g) => g.id))).toEqual(new Set([outbox!.id]));
    expect(new Set(r.received.map((g) => g.body)).size).toBe(1);
    expect(() => new Webhook(secret).verify(r.received[3]!.body, r.received[3]!.headers)).not.toThrow();
    const d = await dispatchOf(outbox!.id);
    expect(d).toMatchObject({ status: "delivered", attempts: 4, lastStatus: 200 });
  });

  it("a receiver that never answers is `failed` after the 24-hour window; replay sends it again", async () => {
    const { clinic, type, hsaId } = await clinicWithHsa();
    const r = await receiver();
    r.answer = () => "hang";
    const { secret, clientId } = await subscribedClient(handle.db, [hsaId], r.url);
    const { patient, appointment } = await bookedAppointment(clinic.id, type.id, new Date(Date.now() + 5 * day));
    await cancelAppointment(handle.db, patient.id, {
      appointmentId: appointment.id,
      reason: null,
      now: new Date(),
      audit,
    });

    const start = new Date();
    let clock = start;
    const cfg = config({ now: () => clock, timeoutMs: 200 });
    await runWebhookPass(cfg);
    const [outbox] = await handle.db
      .select()
      .from(s.webhookDeliveries)
      .where(eq(s.webhookDeliveries.appointmentId, appointment.id));
    let d = await dispatchOf(outbox!.id);
    while (d.status === "pending") {
      clock = d.nextAttemptAt;
      await runWebhookPass(cfg);
      d = await dispatchOf(outbox!.id);
    }
    expect(d.status).toBe("failed");
    expect(d.lastError).toBe("timeout");
    expect(d.failedAt!.getTime() - start.getTime()).toBeGreaterThanOrEqual(DEFAULT_RETRY_POLICY.windowMs);
    // Every try that reached the receiver counts (under load a 200 ms try can time out before its
    // request is read, so the receiver may have seen a few fewer).
    expect(r.received.length).toBeLessThanOrEqual(d.attempts);
    expect(r.received.length).toBeGreaterThan(20);
    expect(new Set(r.received.map((g) => g.id))).toEqual(new Set([outbox!.id]));
    // Nothing more is tried on its own.
    clock = new Date(clock.getTime() + 7 * day);
    expect((await runWebhookPass(cfg)).claimed).toBe(0);

    // Visible to operators and in the counts.
    const failed = await listWebhookEvents(handle.db, { failed: true });
    const listed = failed.find((e) => e.eventId === outbox!.id);
    expect(listed?.status).toBe("failed");
    expect(listed?.receivers).toEqual([
      expect.objectContaining({ clientId, status: "failed", lastError: "timeout", nextAttemptAt: null }),
    ]);
    expect((await webhookCounts(handle.db)).dispatches.failed).toBeGreaterThanOrEqual(1);

    // The receiver is back; an operator replays: the same event, same id, verifiable.
    r.answer = () => 200;
    const before = r.received.length;
    expect(await replayWebhookEvent(handle.db, outbox!.id, { now: new Date() })).toEqual({ ok: true, requeued: 1 });
    await drain();
    expect(r.received).toHaveLength(before + 1);
    const last = r.received.at(-1)!;
    expect(last.id).toBe(outbox!.id);
    expect(() => new Webhook(secret).verify(last.body, last.headers)).not.toThrow();
    expect((await dispatchOf(outbox!.id)).status).toBe("delivered");
    expect(await replayWebhookEvent(handle.db, randomUUID(), { now: new Date() })).toEqual({
      ok: false,
      error: "not_found",
    });
  });

  it("clinic A's events never reach clinic B's client; a client of both gets both", async () => {
    const a = await clinicWithHsa();
    const b = await clinicWithHsa();
    const [ra, rb, rab] = [await receiver(), await receiver(), await receiver()];
    const ca = await subscribedClient(handle.db, [a.hsaId], ra.url);
    const cb = await subscribedClient(handle.db, [b.hsaId], rb.url);
    const cab = await subscribedClient(handle.db, [a.hsaId, b.hsaId], rab.url);
    // A revoked client of A hears nothing either.
    const revoked = await receiver();
    const cr = await subscribedClient(handle.db, [a.hsaId], revoked.url);
    await handle.db.update(s.apiClients).set({ revokedAt: new Date() }).where(eq(s.apiClients.id, cr.clientId));

    const atA = await bookedAppointment(a.clinic.id, a.type.id, new Date(Date.now() + 5 * day));
    const atB = await bookedAppointment(b.clinic.id, b.type.id, new Date(Date.now() + 6 * day));
    for (const x of [atA, atB])
      await cancelAppointment(handle.db, x.patient.id, {
        appointmentId: x.appointment.id,
        reason: null,
        now: new Date(),
        audit,
      });
    await drain();
    const ids = (r: WebhookReceiver, secret: string) =>
      r.received.map((g) => (new Webhook(secret).verify(g.body, g.headers) as WebhookEventBody).data.resource.id);
    expect(ids(ra, ca.secret)).toEqual([atA.appointment.id]);
    expect(ids(rb, cb.secret)).toEqual([atB.appointment.id]);
    expect(ids(rab, cab.secret).sort()).toEqual([atA.appointment.id, atB.appointment.id].sort());
    expect(revoked.received).toHaveLength(0);

    // Revoked while an event for it waits: that event is not sent either, and shows why.
    const late = await bookedAppointment(a.clinic.id, a.type.id, new Date(Date.now() + 7 * day));
    await cancelAppointment(handle.db, late.patient.id, {
      appointmentId: late.appointment.id,
      reason: null,
      now: new Date(),
      audit,
    });
    expect(await fanOutEvents(handle.db, new Date())).toBeGreaterThanOrEqual(1);
    await handle.db.update(s.apiClients).set({ revokedAt: new Date() }).where(eq(s.apiClients.id, ca.clientId));
    await drain();
    expect(ra.received).toHaveLength(1);
    expect(rab.received).toHaveLength(3);
    const [lateEvent] = await handle.db
      .select()
      .from(s.webhookDeliveries)
      .where(eq(s.webhookDeliveries.appointmentId, late.appointment.id));
    const lateDispatches = await handle.db
      .select()
      .from(s.webhookDispatches)
      .where(eq(s.webhookDispatches.eventId, lateEvent!.id));
    expect(lateDispatches.map((d) => d.lastError ?? d.status).sort()).toEqual(["client_revoked", "delivered"]);
  });

  it("a rebook names the slot it left; a sister-clinic move is a cancel (moved) there and a booking here, one rebook for a client of both", async () => {
    const group = `group-${randomUUID().slice(0, 8)}`;
    const a = await clinicWithHsa();
    const b = await clinicWithHsa();
    await handle.db.update(s.clinics).set({ sisterGroup: group }).where(eq(s.clinics.id, a.clinic.id));
    await handle.db.update(s.clinics).set({ sisterGroup: group }).where(eq(s.clinics.id, b.clinic.id));
    await handle.db
      .update(s.appointmentTypes)
      .set({ code: group, allowSisterClinics: true })
      .where(eq(s.appointmentTypes.clinicId, a.clinic.id));
    await handle.db
      .update(s.appointmentTypes)
      .set({ code: group, allowSisterClinics: true })
      .where(eq(s.appointmentTypes.clinicId, b.clinic.id));
    const [ra, rb, rab] = [await receiver(), await receiver(), await receiver()];
    const ca = await subscribedClient(handle.db, [a.hsaId], ra.url);
    const cb = await subscribedClient(handle.db, [b.hsaId], rb.url);
    const cab = await subscribedClient(handle.db, [a.hsaId, b.hsaId], rab.url);
    const x = await bookedAppointment(a.clinic.id, a.type.id, new Date(Date.now() + 5 * day));
    const sameClinic = await makeSlot(handle.db, a.clinic.id, a.type.id, new Date(Date.now() + 4 * day));
    const sister = await makeSlot(handle.db, b.clinic.id, b.type.id, new Date(Date.now() + 3 * day));

    const move = (slotId: string) =>
      rebookAppointment(handle.db, x.patient.id, { appointmentId: x.appointment.id, slotId, now: new Date(), audit });
    expect((await move(sameClinic.id)).ok).toBe(true);
    expect((await move(sister.id)).ok).toBe(true);
    await drain();

    const atA = ra.received.map((g) => new Webhook(ca.secret).verify(g.body, g.headers) as WebhookEventBody);
    const atB = rb.received.map((g) => new Webhook(cb.secret).verify(g.body, g.headers) as WebhookEventBody);
    expect(atA.map((e) => e.type)).toEqual(["appointment.rebooked", "appointment.cancelled"]);
    expect(atA[0]!.data.resource).toMatchObject({ status: "booked", slot: [{ reference: `Slot/${sameClinic.id}` }] });
    expect(atA[0]!.data.previous).toMatchObject({ resourceType: "Slot", id: x.slot.id, status: "free" });
    expect(atA[1]!.data.resource).toMatchObject({
      status: "cancelled",
      slot: [{ reference: `Slot/${sameClinic.id}` }],
      cancelationReason: { coding: [{ system: CANCEL_REASON_SYSTEM, code: "moved" }] },
      meta: { versionId: "3" },
    });
    expect(atA[1]!.data.previous).toBeUndefined();
    // Clinic B sees the booking at its own slot, and nothing of clinic A's slots.
    expect(atB.map((e) => e.type)).toEqual(["appointment.booked"]);
    expect(atB[0]!.data.resource).toMatchObject({ status: "booked", slot: [{ reference: `Slot/${sister.id}` }] });
    expect(rb.received[0]!.body).not.toContain(sameClinic.id);
    // A client of both clinics sees both slots: one event per change, the move a `rebooked` that
    // names the slot it left, never a cancel and a booking.
    const atBoth = rab.received.map((g) => new Webhook(cab.secret).verify(g.body, g.headers) as WebhookEventBody);
    expect(atBoth.map((e) => e.type)).toEqual(["appointment.rebooked", "appointment.rebooked"]);
    expect(atBoth[1]!.data.resource).toMatchObject({
      status: "booked",
      slot: [{ reference: `Slot/${sister.id}` }],
      meta: { versionId: "3" },
    });
    expect(atBoth[1]!.data.previous).toMatchObject({ resourceType: "Slot", id: sameClinic.id, status: "free" });
    expect(new Set(rab.received.map((g) => g.id)).size).toBe(2);
  });

  it("events of one appointment go in order: a later one waits while an earlier one is retried", async () => {
    const { clinic, type, hsaId } = await clinicWithHsa();
    const r = await receiver();
    r.answer = (n) => (n === 0 ? 503 : 204);
    const { secret } = await subscribedClient(handle.db, [hsaId], r.url);
    const x = await bookedAppointment(clinic.id, type.id, new Date(Date.now() + 5 * day));
    const other = await makeSlot(handle.db, clinic.id, type.id, new Date(Date.now() + 4 * day));
    await rebookAppointment(handle.db, x.patient.id, {
      appointmentId: x.appointment.id,
      slotId: other.id,
      now: new Date(),
      audit,
    });
    await cancelAppointment(handle.db, x.patient.id, {
      appointmentId: x.appointment.id,
      reason: "other",
      now: new Date(),
      audit,
    });
    let clock = new Date();
    const cfg = config({ now: () => clock });
    expect(await runWebhookPass(cfg)).toMatchObject({ fannedOut: 2, claimed: 1, retried: 1 });
    // The cancel is due but held back behind the rebook being retried.
    expect((await runWebhookPass(cfg)).claimed).toBe(0);
    clock = new Date(clock.getTime() + 60_000);
    await drain(cfg);
    const types = r.received.map((g) => (new Webhook(secret).verify(g.body, g.headers) as WebhookEventBody).type);
    expect(types).toEqual(["appointment.rebooked", "appointment.rebooked", "appointment.cancelled"]);
  });

  it("two workers whose passes overlap never have one event in flight at once", { timeout: 60_000 }, async () => {
    // Six events, a receiver that takes a second each, one sender, a 3 s lease and a 1.5 s
    // timeout: a pass that claimed all six would still be sending when its lease ran out and the
    // second worker took the rest (the audit's probe: 10 requests for 6 events, 2 in flight).
    const { clinic, type, hsaId } = await clinicWithHsa();
    const r = await receiver();
    await subscribedClient(handle.db, [hsaId], r.url);
    await patientCancels(clinic.id, type.id, 6);
    r.answer = () => new Promise((resolve) => setTimeout(() => resolve(204), 1_000));
    const cfg = config({ batchSize: 6, concurrency: 1, leaseMs: 3_000, timeoutMs: 1_500 });
    const first = runWebhookPass(cfg);
    await new Promise((resolve) => setTimeout(resolve, 3_300));
    const second = runWebhookPass(cfg);
    await Promise.all([first, second]);
    expect(r.maxInFlightPerId()).toBe(1);
    expect(new Set(r.received.map((g) => g.id)).size).toBe(r.received.length);
    // The rest go out in later passes, each event once.
    await drain(cfg);
    expect(r.maxInFlightPerId()).toBe(1);
    expect(r.received).toHaveLength(6);
    expect(new Set(r.received.map((g) => g.id)).size).toBe(6);
  });

  it("a try that could outlive its lease is handed back unsent, then sent by the next pass", async () => {
    const { clinic, type, hsaId } = await clinicWithHsa();
    const r = await receiver();
    await subscribedClient(handle.db, [hsaId], r.url);
    await patientCancels(clinic.id, type.id, 2);
    // The first try takes 55 s of the 60 s lease (a clock that jumps while it is in flight): the
    // second has 5 s left, less than its 10 s timeout, so it must not start.
    const start = Date.now();
    let clock = new Date(start);
    r.answer = () => {
      clock = new Date(start + 55_000);
      return 204;
    };
    const cfg = config({ now: () => clock, batchSize: 2, concurrency: 1, leaseMs: 60_000, timeoutMs: 10_000 });
    expect(await runWebhookPass(cfg)).toMatchObject({ claimed: 2, delivered: 1, released: 1, lost: 0 });
    expect(r.received).toHaveLength(1);
    const dispatches = await handle.db
      .select()
      .from(s.webhookDispatches)
      .innerJoin(s.webhookDeliveries, eq(s.webhookDeliveries.id, s.webhookDispatches.eventId))
      .where(eq(s.webhookDeliveries.clinicId, clinic.id));
    const handedBack = dispatches.map((d) => d.webhook_dispatches).find((d) => d.status !== "delivered")!;
    // Pending again, and no try counted: none was made.
    expect(handedBack).toMatchObject({ status: "pending", attempts: 0, leaseExpiresAt: null, lastError: null });
    expect(await runWebhookPass(cfg)).toMatchObject({ claimed: 1, delivered: 1, released: 0 });
    expect(r.received.map((g) => g.id).sort()).toEqual(dispatches.map((d) => d.webhook_dispatches.eventId).sort());
  });

  it("during a secret rotation both signatures are sent; either secret verifies", async () => {
    const { clinic, type, hsaId } = await clinicWithHsa();
    const r = await receiver();
    const { secret: old, clientId } = await subscribedClient(handle.db, [hsaId], r.url);
    const rotated = await rotateWebhookSecret(handle.db, clientId, {
      keys: testKeys,
      production: false,
      now: new Date(),
    });
    if (!rotated.ok || !rotated.secret) throw new Error("not rotated");
    expect(rotated.secret).not.toBe(old);
    const x = await bookedAppointment(clinic.id, type.id, new Date(Date.now() + 5 * day));
    await cancelAppointment(handle.db, x.patient.id, {
      appointmentId: x.appointment.id,
      reason: null,
      now: new Date(),
      audit,
    });
    await drain();
    const got = r.received[0]!;
    expect(got.signature.split(" ")).toHaveLength(2);
    expect(() => new Webhook(old).verify(got.body, got.headers)).not.toThrow();
    expect(() => new Webhook(rotated.secret!).verify(got.body, got.headers)).not.toThrow();
    // A day later the old secret no longer signs.
    const y = await bookedAppointment(clinic.id, type.id, new Date(Date.now() + 6 * day));
    await cancelAppointment(handle.db, y.patient.id, {
      appointmentId: y.appointment.id,
      reason: null,
      now: new Date(),
      audit,
    });
    await drain(config({ now: () => new Date(Date.now() + day + 60_000) }));
    const later = r.received[1]!;
    expect(later.signature.split(" ")).toHaveLength(1);
    // (verified against the signature directly: its timestamp is a day ahead of the real clock)
    expect(later.signature).toBe(
      signWebhook({
        id: later.id,
        at: new Date(Number(later.timestamp) * 1000),
        body: later.body,
        secrets: [rotated.secret],
      })["webhook-signature"],
    );
  });

  it("refuses a receiver URL that is not https or points inside our network in production", async () => {
    const [client] = await handle.db
      .insert(s.apiClients)
      .values({ name: "x", clinicHsaIds: ["SE-x"], scopes: [], jwks: { keys: [] } })
      .returning();
    const ctx = { keys: testKeys, production: true, now: new Date() };
    for (const url of ["http://booking.example.se/h", "https://127.0.0.1/h", "https://localhost/h", "https://[::1]/h"])
      expect(await setWebhookEndpoint(handle.db, client!.id, url, ctx), url).toMatchObject({
        ok: false,
        error: "bad_url",
      });
    expect(
      await setWebhookEndpoint(handle.db, randomUUID(), "http://127.0.0.1/h", { ...ctx, production: false }),
    ).toEqual({
      ok: false,
      error: "unknown_client",
    });
    const rows = await handle.db
      .select()
      .from(s.webhookEndpoints)
      .where(eq(s.webhookEndpoints.apiClientId, client!.id));
    expect(rows).toHaveLength(0);
    // And a stored URL whose name resolves to loopback when it is called is refused at connect time.
    const { clinic, type, hsaId } = await clinicWithHsa();
    const r = await receiver();
    await subscribedClient(handle.db, [hsaId], r.url.replace("http://127.0.0.1", "https://localhost"));
    const x = await bookedAppointment(clinic.id, type.id, new Date(Date.now() + 5 * day));
    await cancelAppointment(handle.db, x.patient.id, {
      appointmentId: x.appointment.id,
      reason: null,
      now: new Date(),
      audit,
    });
    await runWebhookPass(config({ production: true }));
    expect(r.received).toHaveLength(0);
    const [outbox] = await handle.db
      .select()
      .from(s.webhookDeliveries)
      .where(eq(s.webhookDeliveries.appointmentId, x.appointment.id));
    expect(await dispatchOf(outbox!.id)).toMatchObject({ status: "pending", lastError: "non_public_address" });

    // A loopback IP literal stored outside production: Node connects to a literal without a DNS
    // lookup, so the address itself is checked before the try.
    const literal = await clinicWithHsa();
    await subscribedClient(handle.db, [literal.hsaId], r.url.replace("http://", "https://"));
    const y = await bookedAppointment(literal.clinic.id, literal.type.id, new Date(Date.now() + 5 * day));
    await cancelAppointment(handle.db, y.patient.id, {
      appointmentId: y.appointment.id,
      reason: null,
      now: new Date(),
      audit,
    });
    await runWebhookPass(config({ production: true }));
    const [literalEvent] = await handle.db
      .select()
      .from(s.webhookDeliveries)
      .where(eq(s.webhookDeliveries.appointmentId, y.appointment.id));
    expect(await dispatchOf(literalEvent!.id)).toMatchObject({ status: "pending", lastError: "non_public_address" });
    expect(r.received).toHaveLength(0);
  });
});
