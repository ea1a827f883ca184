// The change feed (`Appointment?_lastUpdated=gt…`) agrees with the webhooks (issue 14): a booking
// system that polls, through a third-party FHIR client (fhir-kit-client), sees each patient change
// as the very resource its webhook carried: a cancel (with our reason code), a rebook and an
// accepted earlier-time offer within the clinic, and a move to a sister clinic, which the clinic it
// left sees as cancelled (reason `moved`) at its old slot and the new clinic as booked. On PGlite
// and (with TEST_DATABASE_URL) real Postgres.
import { randomUUID } from "node:crypto";
import type { Appointment, Bundle } from "@medplum/fhirtypes";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as s from "@/db/schema";
import { createApiClient } from "@/lib/api-clients/clients";
import { cancelAppointment, rebookAppointment } from "@/lib/appointments/service";
import { acceptOffer } from "@/lib/waitlist/offers";
import type { WebhookEventBody } from "@/lib/webhooks/events";
import { requirePostgresInCi, testDatabases } from "@/test/databases";
import { fhirClient, getToken, makeClientKey, startFhirServer, type FhirServer } from "@/test/fhir-harness";
import { makeClinic, makePatient, makeSlot } from "@/test/fixtures";
import { CANCEL_REASON_SYSTEM } from "./systems";

requirePostgresInCi();

const day = 86_400_000;
const audit = { ip: null, userAgent: "test" };
const SCOPE = "system/*.cruds";

describe.each(testDatabases)("the Appointment change feed agrees with the webhooks on $name", (target) => {
  let handle: Awaited<ReturnType<typeof target.open>>;
  let server: FhirServer;
  beforeAll(async () => {
    handle = await target.open();
    server = await startFhirServer(handle.db);
  });
  afterAll(async () => {
    await server?.close();
    await handle?.dispose();
  });

  /** Two sister clinics whose types allow the move between them. */
  async function sisterClinics() {
    const group = `group-${randomUUID().slice(0, 8)}`;
    const make = async () => {
      const hsaId = `SE2321000032-${randomUUID().slice(0, 8)}`;
      const made = await makeClinic(handle.db, { hsaId, sisterGroup: group });
      await handle.db
        .update(s.appointmentTypes)
        .set({ code: group, allowSisterClinics: true })
        .where(eq(s.appointmentTypes.id, made.type.id));
      return { ...made, hsaId };
    };
    return [await make(), await make()] as const;
  }

  /** A booking system of these clinics, registered as the CLI does, polling with its own token. */
  async function bookingSystem(hsaIds: string[]) {
    const key = await makeClientKey();
    const { client_id } = await createApiClient(handle.db, {
      name: `Bokningssystem ${hsaIds.join("+")}`,
      clinics: hsaIds,
      scope: SCOPE,
      jwks: { keys: [key.publicJwk] },
    });
    const fhir = fhirClient(server.baseUrl, await getToken(server.baseUrl, client_id, key, SCOPE));
    return {
      fhir,
      /** Every Appointment changed after `since`, oldest change first (following next links). */
      async feed(since: Date): Promise<Appointment[]> {
        let page: Bundle | undefined = await fhir.search({
          resourceType: "Appointment",
          searchParams: { _lastUpdated: `gt${since.toISOString()}` },
        });
        const out: Appointment[] = [];
        while (page) {
          out.push(...(page.entry ?? []).map((e) => e.resource as Appointment));
          page = await fhir.nextPage({ bundle: page });
        }
        return out;
      },
    };
  }

  async function booked(clinicId: string, typeId: string, startsAt: Date) {
    const patient = await makePatient(handle.db);
    const slot = await makeSlot(handle.db, clinicId, typeId, startsAt);
    const [appointment] = await handle.db
      .insert(s.appointments)
      .values({ patientId: patient.id, slotId: slot.id, updatedAt: new Date(Date.now() - day) })
      .returning();
    return { patient, slot, appointment: appointment! };
  }

  /** The resources of the webhook events this appointment's changes wrote, by event type. */
  async function eventResources(appointmentId: string) {
    const rows = await handle.db
      .select({ body: s.webhookDeliveries.body })
      .from(s.webhookDeliveries)
      .where(eq(s.webhookDeliveries.appointmentId, appointmentId))
      .orderBy(s.webhookDeliveries.seq);
    return rows.map((r) => JSON.parse(r.body!) as WebhookEventBody);
  }

  it("a patient's cancel, rebook and accepted offer read in the feed as their webhooks said", async () => {
    const [a, b] = await sisterClinics();
    const atA = await bookingSystem([a.hsaId]);
    const atB = await bookingSystem([b.hsaId]);
    const since = new Date();
    // One change a second, so the feed's order (oldest change first) is theirs.
    const at = (n: number) => new Date(since.getTime() + n * 1_000);

    // Cancelled without a reason: our code says so.
    const cancelled = await booked(a.clinic.id, a.type.id, new Date(Date.now() + 5 * day));
    expect(
      (
        await cancelAppointment(handle.db, cancelled.patient.id, {
          appointmentId: cancelled.appointment.id,
          reason: null,
          now: at(1),
          audit,
        })
      ).ok,
    ).toBe(true);
    // Rebooked within the clinic.
    const rebooked = await booked(a.clinic.id, a.type.id, new Date(Date.now() + 6 * day));
    const later = await makeSlot(handle.db, a.clinic.id, a.type.id, new Date(Date.now() + 7 * day));
    expect(
      (
        await rebookAppointment(handle.db, rebooked.patient.id, {
          appointmentId: rebooked.appointment.id,
          slotId: later.id,
          now: at(2),
          audit,
        })
      ).ok,
    ).toBe(true);
    // An earlier time offered from the waiting list, and taken.
    const waiting = await booked(a.clinic.id, a.type.id, new Date(Date.now() + 9 * day));
    const earlier = await makeSlot(handle.db, a.clinic.id, a.type.id, new Date(Date.now() + 4 * day));
    const [entry] = await handle.db
      .insert(s.waitlistEntries)
      .values({
        patientId: waiting.patient.id,
        appointmentId: waiting.appointment.id,
        fromDate: "2020-01-01",
        weekdays: [0, 1, 2, 3, 4, 5, 6],
        timesOfDay: ["morning", "afternoon", "evening"],
      })
      .returning();
    const [offer] = await handle.db
      .insert(s.slotOffers)
      .values({ slotId: earlier.id, waitlistEntryId: entry!.id, expiresAt: new Date(Date.now() + day) })
      .returning();
    expect((await acceptOffer(handle.db, waiting.patient.id, { offerId: offer!.id, now: at(3), audit })).ok).toBe(true);

    const feed = await atA.feed(since);
    expect(feed.map((r) => r.id)).toEqual([cancelled, rebooked, waiting].map((x) => x.appointment.id));
    const [c, r, w] = feed;
    expect(c).toMatchObject({
      status: "cancelled",
      slot: [{ reference: `Slot/${cancelled.slot.id}` }],
      cancelationReason: { coding: [{ system: CANCEL_REASON_SYSTEM, code: "no_reason_given" }] },
    });
    expect(r).toMatchObject({ status: "booked", slot: [{ reference: `Slot/${later.id}` }] });
    expect(w).toMatchObject({ status: "booked", slot: [{ reference: `Slot/${earlier.id}` }] });
    // Each is exactly the resource of the one webhook event its change wrote.
    for (const [polled, x, type] of [
      [c, cancelled, "appointment.cancelled"],
      [r, rebooked, "appointment.rebooked"],
      [w, waiting, "appointment.rebooked"],
    ] as const) {
      const events = await eventResources(x.appointment.id);
      expect(events.map((e) => e.type)).toEqual([type]);
      expect(polled).toEqual(events[0]!.data.resource);
    }
    // The sister clinic's poller sees none of it.
    expect(await atB.feed(since)).toEqual([]);
  });

  it("a move to a sister clinic: the clinic it left sees it cancelled (moved) there, the new one booked", async () => {
    const [a, b] = await sisterClinics();
    const atA = await bookingSystem([a.hsaId]);
    const atB = await bookingSystem([b.hsaId]);
    const atBoth = await bookingSystem([a.hsaId, b.hsaId]);
    const x = await booked(a.clinic.id, a.type.id, new Date(Date.now() + 5 * day));
    const there = await makeSlot(handle.db, b.clinic.id, b.type.id, new Date(Date.now() + 4 * day));
    const since = new Date();
    const move = await rebookAppointment(handle.db, x.patient.id, {
      appointmentId: x.appointment.id,
      slotId: there.id,
      now: new Date(since.getTime() + 1_000),
      audit,
    });
    expect(move.ok).toBe(true);
    const events = await eventResources(x.appointment.id);
    const webhook = (type: string) => events.find((e) => e.type === type)!.data.resource;

    // The clinic it left: cancelled, reason `moved`, at its own old slot: its webhook's resource.
    const leftBehind = await atA.feed(since);
    expect(leftBehind).toHaveLength(1);
    expect(leftBehind[0]).toMatchObject({
      id: x.appointment.id,
      status: "cancelled",
      slot: [{ reference: `Slot/${x.slot.id}` }],
      cancelationReason: { coding: [{ system: CANCEL_REASON_SYSTEM, code: "moved" }] },
      meta: { versionId: "2" },
    });
    expect(leftBehind[0]).toEqual(webhook("appointment.cancelled"));
    expect(JSON.stringify(leftBehind)).not.toContain(there.id);
    // Reads and searches there agree with the feed; nothing there can change it.
    expect(await atA.fhir.read({ resourceType: "Appointment", id: x.appointment.id })).toEqual(leftBehind[0]);
    const search = async (client: typeof atA, params: Record<string, string>) =>
      ((await client.fhir.search({ resourceType: "Appointment", searchParams: params })).entry ?? []).map(
        (e) => (e.resource as Appointment).status,
      );
    expect(await search(atA, { status: "cancelled", slot: `Slot/${x.slot.id}` })).toEqual(["cancelled"]);
    expect(await search(atA, { status: "booked", _id: x.appointment.id })).toEqual([]);
    const update = await atA.fhir
      .update({
        resourceType: "Appointment",
        id: x.appointment.id,
        body: { ...leftBehind[0]!, status: "entered-in-error", cancelationReason: undefined },
      })
      .catch((e: { response: { status: number } }) => e.response);
    expect((update as { status: number }).status).toBe(404);

    // The clinic it went to: booked at its slot, as its webhook said.
    const arrived = await atB.feed(since);
    expect(arrived).toHaveLength(1);
    expect(arrived[0]).toMatchObject({ status: "booked", slot: [{ reference: `Slot/${there.id}` }] });
    expect(arrived[0]).toEqual(webhook("appointment.booked"));
    // A client of both sees one appointment, booked at the new slot.
    const both = await atBoth.feed(since);
    expect(both.map((r) => [r.id, r.status, r.slot?.[0]?.reference])).toEqual([
      [x.appointment.id, "booked", `Slot/${there.id}`],
    ]);

    // Moved on within the new clinic: the old clinic still sees it left, at its old slot.
    const since2 = new Date(since.getTime() + 2_000);
    const again = await makeSlot(handle.db, b.clinic.id, b.type.id, new Date(Date.now() + 3 * day));
    await rebookAppointment(handle.db, x.patient.id, {
      appointmentId: x.appointment.id,
      slotId: again.id,
      now: new Date(since2.getTime() + 1_000),
      audit,
    });
    expect(await atA.feed(since2)).toEqual([
      expect.objectContaining({
        status: "cancelled",
        slot: [{ reference: `Slot/${x.slot.id}` }],
        meta: expect.objectContaining({ versionId: "3" }),
      }),
    ]);
    expect((await atB.feed(since2)).map((r) => r.slot?.[0]?.reference)).toEqual([`Slot/${again.id}`]);
  });

  it("a booking system of both clinics moving a visit between them: a client of the old one sees it leave", async () => {
    const [a, b] = await sisterClinics();
    const atA = await bookingSystem([a.hsaId]);
    const atBoth = await bookingSystem([a.hsaId, b.hsaId]);
    const x = await booked(a.clinic.id, a.type.id, new Date(Date.now() + 5 * day));
    const there = await makeSlot(handle.db, b.clinic.id, b.type.id, new Date(Date.now() + 4 * day));
    const since = new Date(Date.now() - 1_000);
    const current = await atBoth.fhir.read<Appointment>({ resourceType: "Appointment", id: x.appointment.id });
    const moved = await atBoth.fhir.update<Appointment>({
      resourceType: "Appointment",
      id: x.appointment.id,
      body: { ...current, slot: [{ reference: `Slot/${there.id}` }], start: undefined, end: undefined },
    });
    expect(moved).toMatchObject({ status: "booked", slot: [{ reference: `Slot/${there.id}` }] });
    expect(await atA.feed(since)).toEqual([
      expect.objectContaining({
        id: x.appointment.id,
        status: "cancelled",
        slot: [{ reference: `Slot/${x.slot.id}` }],
        cancelationReason: { coding: [{ system: CANCEL_REASON_SYSTEM, code: "moved" }] },
      }),
    ]);
    const [row] = await handle.db
      .select({ movedFrom: s.appointments.movedFromSlotId })
      .from(s.appointments)
      .where(and(eq(s.appointments.id, x.appointment.id), eq(s.appointments.status, "booked")));
    expect(row?.movedFrom).toBe(x.slot.id);
  });
});
