// "Delete my account" (issue 12, leave and minimise). After a fresh BankID login (step-up) the
// patient's own data goes: contact details (phone), notification preferences and consent, the
// calendar feed token, push subscriptions, earlier-time wishes, a pending phone confirmation, SMS
// reply codes, and every session (the patient ends logged out). What stays is the caregiver's
// record: the patient row's identity (personal number, name, so a booking system's appointments
// still have their patient), appointments, sent-message rows (without recipient and text) and the
// audit trail. One transaction, audited.
import { and, eq, inArray, isNotNull, ne, notExists, or, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import {
  deepLinks,
  messages,
  notificationPreferences,
  patients,
  phoneVerifications,
  pushSubscriptions,
  sessions,
  slotOffers,
  smsReplyCodes,
  waitlistEntries,
} from "@/db/schema";
import { recordAudit } from "@/lib/audit";

/** How recent the login must be for a deletion: the step-up window. */
export const STEP_UP_MINUTES = 5;

/** Whether this session began (a completed BankID login) within the step-up window. */
export async function isFreshLogin(db: Db, sessionHash: string, now: Date): Promise<boolean> {
  const [row] = await db
    .select({ createdAt: sessions.createdAt, revokedAt: sessions.revokedAt })
    .from(sessions)
    .where(eq(sessions.idHash, sessionHash))
    .limit(1);
  if (!row || row.revokedAt) return false;
  const age = now.getTime() - row.createdAt.getTime();
  return age >= -60_000 && age <= STEP_UP_MINUTES * 60_000;
}

export interface DeletedCounts {
  phone: boolean;
  preferences: number;
  pushSubscriptions: number;
  waitlistEntries: number;
  offers: number;
  sessions: number;
  messagesCancelled: number;
  messagesScrubbed: number;
}

export type DeleteAccountResult = { ok: true; deleted: DeletedCounts } | { ok: false; error: "step_up_required" };

export async function deleteAccount(
  db: Db,
  input: { patientId: string; sessionHash: string; now: Date; ip: string | null; userAgent: string | null },
): Promise<DeleteAccountResult> {
  const { patientId, now } = input;
  return db.transaction(async (tx) => {
    // Checked inside the transaction, on the row: the session must be this patient's and fresh.
    const [session] = await tx
      .select({ createdAt: sessions.createdAt, revokedAt: sessions.revokedAt })
      .from(sessions)
      .where(and(eq(sessions.idHash, input.sessionHash), eq(sessions.patientId, patientId)))
      .limit(1)
      .for("update");
    const age = session ? now.getTime() - session.createdAt.getTime() : Infinity;
    if (!session || session.revokedAt || age < -60_000 || age > STEP_UP_MINUTES * 60_000)
      return { ok: false as const, error: "step_up_required" as const };

    const phone = await tx
      .update(patients)
      .set({ phoneEnc: null, phoneVerifiedAt: null })
      .where(and(eq(patients.id, patientId), isNotNull(patients.phoneEnc)))
      .returning({ id: patients.id });
    await tx.delete(phoneVerifications).where(eq(phoneVerifications.patientId, patientId));
    const prefs = await tx
      .delete(notificationPreferences)
      .where(eq(notificationPreferences.patientId, patientId))
      .returning({ id: notificationPreferences.patientId });
    const push = await tx
      .delete(pushSubscriptions)
      .where(eq(pushSubscriptions.patientId, patientId))
      .returning({ id: pushSubscriptions.id });
    await tx.delete(smsReplyCodes).where(eq(smsReplyCodes.patientId, patientId));

    // Wishes for an earlier time. An accepted offer moved an appointment: it stays with that
    // appointment's history (and so does the wish it answered); everything else goes, links first.
    const mine = tx
      .select({ id: waitlistEntries.id })
      .from(waitlistEntries)
      .where(eq(waitlistEntries.patientId, patientId));
    const offersToGo = tx
      .select({ id: slotOffers.id })
      .from(slotOffers)
      .where(and(inArray(slotOffers.waitlistEntryId, mine), ne(slotOffers.status, "accepted")));
    await tx.delete(deepLinks).where(inArray(deepLinks.offerId, offersToGo));
    const offers = await tx
      .delete(slotOffers)
      .where(and(inArray(slotOffers.waitlistEntryId, mine), ne(slotOffers.status, "accepted")))
      .returning({ id: slotOffers.id });
    const entries = await tx
      .delete(waitlistEntries)
      .where(
        and(
          eq(waitlistEntries.patientId, patientId),
          notExists(
            tx
              .select({ one: sql`1` })
              .from(slotOffers)
              .where(eq(slotOffers.waitlistEntryId, waitlistEntries.id)),
          ),
        ),
      )
      .returning({ id: waitlistEntries.id });

    // Nothing more is sent to a number we no longer have; what was sent keeps its row (it keeps a
    // send idempotent and is part of the clinic's record) but loses recipient and text.
    const cancelled = await tx
      .update(messages)
      .set({ status: "cancelled", updatedAt: now, leaseExpiresAt: null })
      .where(and(eq(messages.patientId, patientId), inArray(messages.status, ["queued", "sending"])))
      .returning({ id: messages.id });
    const scrubbed = await tx
      .update(messages)
      .set({ toEnc: null, bodyEnc: null })
      .where(and(eq(messages.patientId, patientId), or(isNotNull(messages.toEnc), isNotNull(messages.bodyEnc))))
      .returning({ id: messages.id });

    const ended = await tx.delete(sessions).where(eq(sessions.patientId, patientId)).returning({ id: sessions.idHash });
    const deleted: DeletedCounts = {
      phone: phone.length > 0,
      preferences: prefs.length,
      pushSubscriptions: push.length,
      waitlistEntries: entries.length,
      offers: offers.length,
      sessions: ended.length,
      messagesCancelled: cancelled.length,
      messagesScrubbed: scrubbed.length,
    };
    await recordAudit(tx, {
      actorType: "patient",
      actorId: patientId,
      action: "account.delete",
      resourceType: "patient",
      resourceId: patientId,
      patientId,
      ip: input.ip,
      userAgent: input.userAgent,
      details: { ...deleted },
    });
    return { ok: true as const, deleted };
  });
}
