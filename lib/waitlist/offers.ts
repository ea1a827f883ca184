// Earlier-time offers, the patient's answer: acceptOffer ("Ta den nya tiden") and declineOffer
// ("Nej tack"), each in one transaction. Who gets an offer is offer-slot.ts; the worker passes
// that expire offers and run the "slot freed" jobs are in worker/offers.ts.
//
// Every function that decides a slot's fate first locks the slot's row (FOR NO KEY UPDATE): offering it,
// accepting it and expiring its offers are decided one at a time per slot. That is what makes 50
// patients pressing "Ta den nya tiden" at once simple: they queue on the slot row, the first one
// moves, every later one finds its offer already `taken` and changes nothing. The partial unique
// index on booked appointments still decides any race with a booking made outside the waitlist.
import { and, eq } from "drizzle-orm";
import type { Db, Tx } from "@/db/client";
import { appointments, slotOffers, slots, waitlistEntries } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { isUniqueViolation, isUuid, lockOwnAppointmentView, type AuditMeta } from "@/lib/appointments/service";
import { moveAppointment } from "@/lib/appointments/move-appointment";
import { cancelOfferMessages, queueSlotOffers } from "./queue";

export type OfferAnswerResult =
  | { ok: true; appointmentId: string; startsAt: Date }
  | { ok: false; error: "not_found" | "taken" | "expired" | "not_booked" | "answered" };

async function findOwnOffer(tx: Tx, patientId: string, offerId: string) {
  const [row] = await tx
    .select({ id: slotOffers.id, slotId: slotOffers.slotId, appointmentId: waitlistEntries.appointmentId })
    .from(slotOffers)
    .innerJoin(waitlistEntries, eq(waitlistEntries.id, slotOffers.waitlistEntryId))
    .where(and(eq(slotOffers.id, offerId), eq(waitlistEntries.patientId, patientId)))
    .limit(1);
  return row;
}

/**
 * Locks a slot's row: every decision about a slot's fate queues here (see the file's comment).
 * FOR NO KEY UPDATE, not FOR UPDATE: the deciders still queue on each other, but a booking or
 * rebook into the slot is not held up, because its foreign-key check takes FOR KEY SHARE on the
 * slot, which FOR UPDATE would block. That wait made a deadlock with the unique index (the rebook's
 * index entry blocking the accept, the accept's lock blocking the rebook's key check) and an
 * "unexpected" error for one patient (lib/waitlist/slot-lock.test.ts).
 */
export async function lockSlot(tx: Tx, slotId: string) {
  const [slot] = await tx
    .select({ id: slots.id, startsAt: slots.startsAt, clinicId: slots.clinicId, status: slots.status })
    .from(slots)
    .where(eq(slots.id, slotId))
    .for("no key update")
    .limit(1);
  return slot;
}

async function readOffer(tx: Tx, offerId: string) {
  const [offer] = await tx
    .select({
      status: slotOffers.status,
      expiresAt: slotOffers.expiresAt,
      entryId: slotOffers.waitlistEntryId,
      entryStatus: waitlistEntries.status,
    })
    .from(slotOffers)
    .innerJoin(waitlistEntries, eq(waitlistEntries.id, slotOffers.waitlistEntryId))
    .where(eq(slotOffers.id, offerId))
    .limit(1);
  return offer!;
}

function refusal(status: string): "taken" | "expired" | "answered" {
  if (status === "expired") return "expired";
  if (status === "taken" || status === "withdrawn") return "taken";
  return "answered";
}

/**
 * "Ta den nya tiden": in one transaction the patient's appointment moves to the offered slot, the
 * other open offers for that slot become `taken`, the wish is fulfilled, the old slot is queued for
 * the next waiting patients, reminders follow the new time, the clinic's system is told, and the
 * audit trail records it. A late patient gets `taken` and keeps their appointment and their place.
 */
export async function acceptOffer(
  db: Db,
  patientId: string,
  input: { offerId: string; now: Date; audit: AuditMeta },
): Promise<OfferAnswerResult> {
  if (!isUuid(input.offerId)) return { ok: false, error: "not_found" };
  const { now } = input;
  try {
    return await db.transaction(async (tx): Promise<OfferAnswerResult> => {
      const own = await findOwnOffer(tx, patientId, input.offerId);
      if (!own) return { ok: false, error: "not_found" };
      // Everyone answering for this slot queues here (see the file's comment).
      const target = await lockSlot(tx, own.slotId);
      const offer = await readOffer(tx, input.offerId);
      if (offer.status !== "pending") return { ok: false, error: refusal(offer.status) };
      if (offer.expiresAt.getTime() <= now.getTime()) return { ok: false, error: "expired" };
      if (!target || target.status !== "open") return { ok: false, error: "taken" };
      const view = await lockOwnAppointmentView(tx, patientId, own.appointmentId, now);
      if (!view || view.status !== "booked" || offer.entryStatus !== "active")
        return { ok: false, error: "not_booked" };
      const [holder] = await tx
        .select({ id: appointments.id })
        .from(appointments)
        .where(and(eq(appointments.slotId, target.id), eq(appointments.status, "booked")))
        .limit(1);
      if (holder) return { ok: false, error: "taken" };
      const [before] = await tx
        .select({ slotId: appointments.slotId, externalId: appointments.externalId })
        .from(appointments)
        .where(eq(appointments.id, own.appointmentId))
        .limit(1);
      const fromSlotId = before!.slotId;

      await tx.update(slotOffers).set({ status: "accepted", respondedAt: now }).where(eq(slotOffers.id, input.offerId));
      const siblings = await tx
        .update(slotOffers)
        .set({ status: "taken", respondedAt: now })
        .where(and(eq(slotOffers.slotId, target.id), eq(slotOffers.status, "pending")))
        .returning({ id: slotOffers.id });
      await cancelOfferMessages(tx, [input.offerId, ...siblings.map((s) => s.id)], now);
      // The same move as a rebook: reminders moved, the wish fulfilled (its offers for other slots
      // withdrawn), the old slot offered on, the clinic told.
      await moveAppointment(tx, {
        appointmentId: own.appointmentId,
        externalId: before!.externalId,
        from: { slotId: fromSlotId, clinicId: view.clinic.id, startsAt: view.startsAt },
        to: { slotId: target.id, clinicId: target.clinicId },
        source: "waitlist",
        now,
      });
      await recordAudit(tx, {
        actorType: "patient",
        actorId: patientId,
        action: "waitlist.offer.accept",
        resourceType: "slot_offer",
        resourceId: input.offerId,
        patientId,
        ...input.audit,
        details: { appointmentId: own.appointmentId, fromSlotId, toSlotId: target.id },
        at: now,
      });
      return { ok: true, appointmentId: own.appointmentId, startsAt: target.startsAt };
    });
  } catch (error) {
    if (isUniqueViolation(error)) return { ok: false, error: "taken" };
    throw error;
  }
}

/** "Nej tack": the offer is declined and the slot goes to the next patient; the wish stays. */
export async function declineOffer(
  db: Db,
  patientId: string,
  input: { offerId: string; now: Date; audit: AuditMeta },
): Promise<{ ok: true } | { ok: false; error: "not_found" | "taken" | "expired" | "answered" }> {
  if (!isUuid(input.offerId)) return { ok: false, error: "not_found" };
  return db.transaction(async (tx) => {
    const own = await findOwnOffer(tx, patientId, input.offerId);
    if (!own) return { ok: false, error: "not_found" } as const;
    await lockSlot(tx, own.slotId);
    const offer = await readOffer(tx, input.offerId);
    if (offer.status !== "pending") return { ok: false, error: refusal(offer.status) } as const;
    await tx
      .update(slotOffers)
      .set({ status: "declined", respondedAt: input.now })
      .where(eq(slotOffers.id, input.offerId));
    await cancelOfferMessages(tx, [input.offerId], input.now);
    await queueSlotOffers(tx, [own.slotId], "offer_lapsed", input.now);
    await recordAudit(tx, {
      actorType: "patient",
      actorId: patientId,
      action: "waitlist.offer.decline",
      resourceType: "slot_offer",
      resourceId: input.offerId,
      patientId,
      ...input.audit,
      at: input.now,
    });
    return { ok: true } as const;
  });
}
