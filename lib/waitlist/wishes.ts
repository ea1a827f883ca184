// The patient's wish for an earlier time on one appointment: read, set or change, stop. Every
// function is scoped to the logged-in patient; a foreign appointment or offer is "not found".
import { and, desc, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { appointments, appointmentTypes, clinics, slotOffers, slots, waitlistEntries } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { isUuid, lockOwnAppointmentView, type AuditMeta } from "@/lib/appointments/service";
import type { TimeOfDay } from "./matching";
import { endWaitlistForAppointment } from "./queue";

export const TIMES_OF_DAY = ["morning", "afternoon", "evening"] as const satisfies readonly TimeOfDay[];
/** The notice choices offered in the form, in minutes. */
export const NOTICE_CHOICES = [120, 1440, 2880] as const;

export interface WaitlistWishesInput {
  fromDate: string;
  weekdays: number[];
  timesOfDay: TimeOfDay[];
  minNoticeMinutes: number;
}

export interface WaitlistState {
  /** Whether the appointment's type may use the waitlist at all. */
  enabled: boolean;
  /** The active wish, or null. */
  wish: (WaitlistWishesInput & { since: Date }) | null;
  /** The offers the patient can still answer. */
  offers: { id: string; startsAt: Date; expiresAt: Date; clinicName: string }[];
}

/** The patient's wish and open offers for their own appointment, audited as a read. */
export async function getWaitlistState(
  db: Db,
  patientId: string,
  appointmentId: string,
  now: Date,
  audit: AuditMeta,
): Promise<WaitlistState> {
  const { owned, state } = await readWaitlistState(db, patientId, appointmentId, now);
  if (owned)
    await recordAudit(db, {
      actorType: "patient",
      actorId: patientId,
      action: "waitlist.read",
      resourceType: "appointment",
      resourceId: appointmentId,
      patientId,
      ...audit,
    });
  return state;
}

async function readWaitlistState(
  db: Db,
  patientId: string,
  appointmentId: string,
  now: Date,
): Promise<{ owned: boolean; state: WaitlistState }> {
  if (!isUuid(appointmentId)) return { owned: false, state: { enabled: false, wish: null, offers: [] } };
  const [type] = await db
    .select({ waitlistEnabled: appointmentTypes.waitlistEnabled })
    .from(appointments)
    .innerJoin(slots, eq(slots.id, appointments.slotId))
    .innerJoin(appointmentTypes, eq(appointmentTypes.id, slots.typeId))
    .where(and(eq(appointments.id, appointmentId), eq(appointments.patientId, patientId)))
    .limit(1);
  const enabled = type?.waitlistEnabled === true;
  const [entry] = await db
    .select()
    .from(waitlistEntries)
    .where(
      and(
        eq(waitlistEntries.appointmentId, appointmentId),
        eq(waitlistEntries.patientId, patientId),
        eq(waitlistEntries.status, "active"),
      ),
    )
    .orderBy(desc(waitlistEntries.createdAt))
    .limit(1);
  if (!entry) return { owned: Boolean(type), state: { enabled, wish: null, offers: [] } };
  const offers = await db
    .select({ id: slotOffers.id, startsAt: slots.startsAt, expiresAt: slotOffers.expiresAt, clinicName: clinics.name })
    .from(slotOffers)
    .innerJoin(slots, eq(slots.id, slotOffers.slotId))
    .innerJoin(clinics, eq(clinics.id, slots.clinicId))
    .where(and(eq(slotOffers.waitlistEntryId, entry.id), eq(slotOffers.status, "pending")))
    .orderBy(slots.startsAt);
  const state = {
    enabled,
    wish: {
      fromDate: entry.fromDate,
      weekdays: entry.weekdays,
      timesOfDay: entry.timesOfDay as TimeOfDay[],
      minNoticeMinutes: entry.minNoticeMinutes,
      since: entry.createdAt,
    },
    offers: offers.filter((o) => o.expiresAt.getTime() > now.getTime()),
  };
  return { owned: true, state };
}

export type WishResult =
  { ok: true } | { ok: false; error: "not_found" | "not_allowed" | "past_cutoff" | "not_booked" | "past" | "invalid" };

/** Sets or changes the wish. Only for a booked, upcoming appointment the patient may rebook. */
export async function saveWaitlistWishes(
  db: Db,
  patientId: string,
  input: WaitlistWishesInput & { appointmentId: string; now: Date; audit: AuditMeta },
): Promise<WishResult> {
  if (!isUuid(input.appointmentId)) return { ok: false, error: "not_found" };
  if (
    !/^\d{4}-\d{2}-\d{2}$/.test(input.fromDate) ||
    input.minNoticeMinutes < 0 ||
    input.weekdays.some((d) => !Number.isInteger(d) || d < 1 || d > 7)
  ) {
    return { ok: false, error: "invalid" };
  }
  return db.transaction(async (tx) => {
    const view = await lockOwnAppointmentView(tx, patientId, input.appointmentId, input.now);
    if (!view) return { ok: false, error: "not_found" } as const;
    if (!view.rebook.allowed) return { ok: false, error: view.rebook.reason } as const;
    const [type] = await tx
      .select({ waitlistEnabled: appointmentTypes.waitlistEnabled })
      .from(appointmentTypes)
      .where(eq(appointmentTypes.id, view.type.id))
      .limit(1);
    if (!type?.waitlistEnabled) return { ok: false, error: "not_allowed" } as const;
    const wishes = {
      fromDate: input.fromDate,
      weekdays: [...new Set(input.weekdays)].sort(),
      timesOfDay: [...new Set(input.timesOfDay)],
      minNoticeMinutes: input.minNoticeMinutes,
    };
    // Changing the wish keeps the patient's place in the queue (created_at stays).
    const updated = await tx
      .update(waitlistEntries)
      .set({ ...wishes, updatedAt: input.now })
      .where(and(eq(waitlistEntries.appointmentId, input.appointmentId), eq(waitlistEntries.status, "active")))
      .returning({ id: waitlistEntries.id });
    if (updated.length === 0) {
      await tx.insert(waitlistEntries).values({
        patientId,
        appointmentId: input.appointmentId,
        ...wishes,
        status: "active",
        createdAt: input.now,
        updatedAt: input.now,
      });
    }
    await recordAudit(tx, {
      actorType: "patient",
      actorId: patientId,
      action: updated.length ? "waitlist.change" : "waitlist.join",
      resourceType: "appointment",
      resourceId: input.appointmentId,
      patientId,
      ...input.audit,
      details: wishes,
      at: input.now,
    });
    return { ok: true } as const;
  });
}

/** Stops the wish; its open offers are withdrawn and go to the next patients. */
export async function stopWaitlist(
  db: Db,
  patientId: string,
  input: { appointmentId: string; now: Date; audit: AuditMeta },
): Promise<WishResult> {
  if (!isUuid(input.appointmentId)) return { ok: false, error: "not_found" };
  return db.transaction(async (tx) => {
    const view = await lockOwnAppointmentView(tx, patientId, input.appointmentId, input.now);
    if (!view) return { ok: false, error: "not_found" } as const;
    await endWaitlistForAppointment(tx, input.appointmentId, "stopped", input.now);
    await recordAudit(tx, {
      actorType: "patient",
      actorId: patientId,
      action: "waitlist.stop",
      resourceType: "appointment",
      resourceId: input.appointmentId,
      patientId,
      ...input.audit,
      at: input.now,
    });
    return { ok: true } as const;
  });
}

export interface OfferView {
  id: string;
  appointmentId: string;
  /** pending (answerable now), accepted, expired, declined, taken, withdrawn. */
  status: string;
  expiresAt: Date;
  offered: { startsAt: Date; endsAt: Date; clinicName: string; address: string; timeZone: string };
}

/** An offer of the patient's, with the offered slot, audited; null for a foreign or unknown id. */
export async function getOwnOffer(
  db: Db,
  patientId: string,
  offerId: string,
  now: Date,
  audit: AuditMeta,
): Promise<OfferView | null> {
  const offer = await readOwnOffer(db, patientId, offerId, now);
  if (offer)
    await recordAudit(db, {
      actorType: "patient",
      actorId: patientId,
      action: "offer.read",
      resourceType: "slot_offer",
      resourceId: offerId,
      patientId,
      ...audit,
    });
  return offer;
}

async function readOwnOffer(db: Db, patientId: string, offerId: string, now: Date): Promise<OfferView | null> {
  if (!isUuid(offerId)) return null;
  const [row] = await db
    .select({
      id: slotOffers.id,
      status: slotOffers.status,
      expiresAt: slotOffers.expiresAt,
      appointmentId: waitlistEntries.appointmentId,
      startsAt: slots.startsAt,
      endsAt: slots.endsAt,
      clinicName: clinics.name,
      address: clinics.address,
      timeZone: clinics.timeZone,
    })
    .from(slotOffers)
    .innerJoin(waitlistEntries, eq(waitlistEntries.id, slotOffers.waitlistEntryId))
    .innerJoin(appointments, eq(appointments.id, waitlistEntries.appointmentId))
    .innerJoin(slots, eq(slots.id, slotOffers.slotId))
    .innerJoin(clinics, eq(clinics.id, slots.clinicId))
    .where(and(eq(slotOffers.id, offerId), eq(waitlistEntries.patientId, patientId)))
    .limit(1);
  if (!row) return null;
  const status = row.status === "pending" && row.expiresAt.getTime() <= now.getTime() ? "expired" : row.status;
  return {
    id: row.id,
    appointmentId: row.appointmentId,
    status,
    expiresAt: row.expiresAt,
    offered: {
      startsAt: row.startsAt,
      endsAt: row.endsAt,
      clinicName: row.clinicName,
      address: row.address,
      timeZone: row.timeZone,
    },
  };
}
