// The waitlist's side of the transactions that free a slot or end a wish. Everything here runs
// inside the caller's transaction, so "the slot is free" and "offer it on" commit together (or
// not at all), exactly like a booking and its reminders.
import { and, eq, inArray } from "drizzle-orm";
import type { Db, DbOrTx } from "@/db/client";
import { messages, slotOffers, slots, waitlistEntries, waitlistJobs } from "@/db/schema";

export type SlotFreedReason = "cancelled" | "rebooked" | "offer_accepted" | "offer_lapsed" | "added";

/**
 * Queues "offer this slot to the waiting patients". The worker (which holds the keys to write the
 * SMS) does the matching; a job is only a nudge, it re-reads the slot and the list when it runs.
 */
export async function queueSlotOffers(
  tx: DbOrTx,
  slotIds: readonly string[],
  reason: SlotFreedReason,
  now: Date,
): Promise<void> {
  const unique = [...new Set(slotIds)];
  if (unique.length === 0) return;
  await tx.insert(waitlistJobs).values(unique.map((slotId) => ({ slotId, reason, runAt: now, createdAt: now })));
}

export function offerMessageKey(offerId: string): string {
  return `offer:${offerId}:sms`;
}

/** Offer SMS not yet out are not sent for offers that are no longer open. */
export async function cancelOfferMessages(tx: DbOrTx, offerIds: readonly string[], now: Date): Promise<void> {
  if (offerIds.length === 0) return;
  await tx
    .update(messages)
    .set({ status: "cancelled", updatedAt: now, leaseExpiresAt: null })
    .where(
      and(
        eq(messages.purpose, "offer"),
        eq(messages.status, "queued"),
        inArray(messages.idempotencyKey, offerIds.map(offerMessageKey)),
      ),
    );
}

/**
 * Withdraws the open offers of the given waitlist entries (the patient stopped waiting, or their
 * appointment was cancelled or moved) and queues their slots for the next patients in line.
 */
export async function withdrawEntryOffers(tx: DbOrTx, entryIds: readonly string[], now: Date): Promise<number> {
  if (entryIds.length === 0) return 0;
  const withdrawn = await tx
    .update(slotOffers)
    .set({ status: "withdrawn", respondedAt: now })
    .where(and(inArray(slotOffers.waitlistEntryId, [...entryIds]), eq(slotOffers.status, "pending")))
    .returning({ id: slotOffers.id, slotId: slotOffers.slotId });
  await cancelOfferMessages(
    tx,
    withdrawn.map((o) => o.id),
    now,
  );
  await queueSlotOffers(
    tx,
    withdrawn.map((o) => o.slotId),
    "offer_lapsed",
    now,
  );
  return withdrawn.length;
}

/**
 * Ends an appointment's wish for an earlier time: `stopped` when the patient stops it or the
 * appointment is cancelled or moved, `fulfilled` when an offer moved it.
 */
export async function endWaitlistForAppointment(
  tx: DbOrTx,
  appointmentId: string,
  status: "stopped" | "fulfilled",
  now: Date,
): Promise<void> {
  const ended = await tx
    .update(waitlistEntries)
    .set({ status, updatedAt: now })
    .where(and(eq(waitlistEntries.appointmentId, appointmentId), eq(waitlistEntries.status, "active")))
    .returning({ id: waitlistEntries.id });
  await withdrawEntryOffers(
    tx,
    ended.map((e) => e.id),
    now,
  );
}

/**
 * A slot added by the clinic (its booking system, through the integration API): the slot and the
 * job that offers it to the waiting patients commit together.
 */
export async function addClinicSlot(
  db: Db,
  input: {
    clinicId: string;
    typeId: string;
    practitionerId?: string | null;
    startsAt: Date;
    endsAt: Date;
    externalId?: string | null;
    now: Date;
  },
): Promise<{ id: string }> {
  return db.transaction(async (tx) => {
    const [slot] = await tx
      .insert(slots)
      .values({
        clinicId: input.clinicId,
        typeId: input.typeId,
        practitionerId: input.practitionerId ?? null,
        startsAt: input.startsAt,
        endsAt: input.endsAt,
        externalId: input.externalId ?? null,
        createdAt: input.now,
      })
      .returning({ id: slots.id });
    await queueSlotOffers(tx, [slot!.id], "added", input.now);
    return slot!;
  });
}
