// Who gets a freed slot: offerSlot matches the waiting patients (lib/waitlist/matching.ts) and
// writes their offers, links and offer SMS, inside the caller's transaction. Called by the offer
// worker's passes (worker/offers.ts); the patient's answer is in offers.ts.
//
// Every function that decides a slot's fate first locks the slot's row (FOR NO KEY UPDATE): offering it,
// accepting it and expiring its offers are decided one at a time per slot. That is what makes 50
// patients pressing "Ta den nya tiden" at once simple: they queue on the slot row, the first one
// moves, every later one finds its offer already `taken` and changes nothing. The partial unique
// index on booked appointments still decides any race with a booking made outside the waitlist.
import { isLocale } from "@/i18n/locales";
import { and, asc, eq, gt, inArray, ne, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Tx } from "@/db/client";
import {
  appointments,
  appointmentTypes,
  clinics,
  messages,
  notificationPreferences,
  patients,
  slotOffers,
  slots,
  waitlistEntries,
} from "@/db/schema";
import { effectiveCutoffHours } from "@/lib/appointments/effective-cutoff";
import { recordAudit } from "@/lib/audit";
import { createOfferLink } from "@/lib/links/deep-links";
import { maySendSms, smsReachabilityColumns } from "@/lib/notifications/sms-consent";
import { decryptPii, encryptPii, type PiiKeys } from "@/lib/privacy/crypto";
import { offerText } from "@/lib/sms/reminder-text";
import { matchWaitlist, offerExpiresAt, type OfferFairness, type TimeOfDay, type WaitlistEntry } from "./matching";
import { offerMessageKey } from "./queue";

export interface OfferContext {
  keys: PiiKeys;
  /** e.g. https://vardtid.example.se — the SMS link is built on it. */
  publicBaseUrl: string;
  now: Date;
}

export type OfferSlotResult =
  | { offered: number; skipped?: undefined }
  | { offered: 0; skipped: "no_slot" | "not_open" | "booked" | "started" | "pending" | "past_cutoff" };

const entrySlot = alias(slots, "entry_slot");

/**
 * Offers a free slot to the next matching waiting patients: up to the clinic's batch size at
 * once (first_come) or one at a time (in_turn). Nothing happens while offers for it are still
 * open, so the next batch or the next patient in turn goes out only when the last has lapsed or
 * been declined. Each offer gets its opaque link and, where the patient has consented to SMS
 * and confirmed a phone, a queued SMS; without SMS the offer still shows in the app.
 */
export async function offerSlot(tx: Tx, slotId: string, ctx: OfferContext): Promise<OfferSlotResult> {
  const { now } = ctx;
  const [found] = await tx
    .select({ slot: slots, clinic: clinics, type: appointmentTypes })
    .from(slots)
    .innerJoin(clinics, eq(clinics.id, slots.clinicId))
    .innerJoin(appointmentTypes, eq(appointmentTypes.id, slots.typeId))
    .where(eq(slots.id, slotId))
    // The same lock as lockSlot in offers.ts (NO KEY UPDATE: it does not block a booking's key check).
    .for("no key update", { of: slots })
    .limit(1);
  if (!found) return { offered: 0, skipped: "no_slot" };
  const { slot, clinic, type } = found;
  if (slot.status !== "open") return { offered: 0, skipped: "not_open" };
  if (slot.startsAt.getTime() <= now.getTime()) return { offered: 0, skipped: "started" };
  const [booked] = await tx
    .select({ id: appointments.id })
    .from(appointments)
    .where(and(eq(appointments.slotId, slot.id), eq(appointments.status, "booked")))
    .limit(1);
  if (booked) return { offered: 0, skipped: "booked" };
  const [open] = await tx
    .select({ id: slotOffers.id })
    .from(slotOffers)
    .where(and(eq(slotOffers.slotId, slot.id), eq(slotOffers.status, "pending"), gt(slotOffers.expiresAt, now)))
    .limit(1);
  if (open) return { offered: 0, skipped: "pending" };
  const cutoffHours = effectiveCutoffHours(type, clinic);
  const expiresAt = offerExpiresAt({
    now,
    answerWindowMinutes: clinic.offerAnswerMinutes,
    slotStartsAt: slot.startsAt,
    cutoffHours,
    timeZone: clinic.timeZone,
  });
  if (!expiresAt) return { offered: 0, skipped: "past_cutoff" };

  const sisterClinicIds = clinic.sisterGroup
    ? (
        await tx
          .select({ id: clinics.id })
          .from(clinics)
          .where(and(eq(clinics.sisterGroup, clinic.sisterGroup), ne(clinics.id, clinic.id)))
      ).map((c) => c.id)
    : [];
  const excludedTypeIds = (
    await tx
      .select({ id: appointmentTypes.id })
      .from(appointmentTypes)
      .where(and(eq(appointmentTypes.clinicId, clinic.id), eq(appointmentTypes.waitlistEnabled, false)))
  ).map((t) => t.id);
  // Types are per clinic: a sister clinic's "same type" is the one with the same code that also
  // allows sister clinics. Such entries are handed to matching under this slot's type id.
  const typeIds = [type.id];
  if (type.allowSisterClinics && sisterClinicIds.length > 0) {
    const sisterTypes = await tx
      .select({ id: appointmentTypes.id })
      .from(appointmentTypes)
      .where(
        and(
          inArray(appointmentTypes.clinicId, sisterClinicIds),
          eq(appointmentTypes.code, type.code),
          eq(appointmentTypes.allowSisterClinics, true),
        ),
      );
    typeIds.push(...sisterTypes.map((t) => t.id));
  }

  const rows = await tx
    .select({
      entry: waitlistEntries,
      appointmentStartsAt: entrySlot.startsAt,
      appointmentClinicId: entrySlot.clinicId,
      language: patients.language,
      givenName: patients.givenName,
      ...smsReachabilityColumns,
    })
    .from(waitlistEntries)
    .innerJoin(appointments, eq(appointments.id, waitlistEntries.appointmentId))
    .innerJoin(entrySlot, eq(entrySlot.id, appointments.slotId))
    .innerJoin(patients, eq(patients.id, waitlistEntries.patientId))
    .leftJoin(notificationPreferences, eq(notificationPreferences.patientId, waitlistEntries.patientId))
    .where(
      and(
        eq(waitlistEntries.status, "active"),
        eq(appointments.status, "booked"),
        inArray(entrySlot.typeId, typeIds),
        gt(entrySlot.startsAt, slot.startsAt),
        gt(entrySlot.startsAt, now),
        // Each entry is offered a slot once: a lapsed or declined offer is not repeated.
        sql`not exists (select 1 from ${slotOffers} o where o.slot_id = ${slot.id} and o.waitlist_entry_id = ${waitlistEntries.id})`,
      ),
    )
    .orderBy(asc(waitlistEntries.createdAt))
    .limit(2000);
  type Candidate = WaitlistEntry & { row: (typeof rows)[number] };
  const entries: Candidate[] = rows.map((row) => ({
    id: row.entry.id,
    patientId: row.entry.patientId,
    appointment: {
      id: row.entry.appointmentId,
      clinicId: row.appointmentClinicId,
      typeId: type.id,
      startsAt: row.appointmentStartsAt,
    },
    wishes: {
      fromDate: row.entry.fromDate,
      weekdays: row.entry.weekdays,
      timesOfDay: row.entry.timesOfDay as TimeOfDay[],
      minNoticeMinutes: row.entry.minNoticeMinutes,
    },
    createdAt: row.entry.createdAt,
    row,
  }));
  const fairness: OfferFairness = clinic.offerFairness === "in_turn" ? "in_turn" : "first_come";
  const matched = matchWaitlist({
    slot: { id: slot.id, clinicId: clinic.id, typeId: type.id, startsAt: slot.startsAt, cutoffHours },
    clinic: { id: clinic.id, sisterClinicIds, fairness, batchSize: clinic.offerBatchSize, excludedTypeIds },
    type: { id: type.id, allowSisterClinics: type.allowSisterClinics },
    entries,
    now,
    timeZone: clinic.timeZone,
  });
  const chosen = fairness === "in_turn" ? matched.slice(0, 1) : matched;

  const created: { offerId: string; patientId: string }[] = [];
  for (const candidate of chosen) {
    const { row } = candidate;
    const [offer] = await tx
      .insert(slotOffers)
      .values({
        slotId: slot.id,
        waitlistEntryId: candidate.id,
        status: "pending",
        expiresAt,
        appointmentStartsAt: row.appointmentStartsAt,
        createdAt: now,
      })
      .returning({ id: slotOffers.id });
    const offerId = offer!.id;
    const token = await createOfferLink(tx, { appointmentId: candidate.appointment.id, offerId, expiresAt, now });
    const smsAllowed = maySendSms(row);
    if (smsAllowed && row.phoneEnc) {
      const link = new URL(`/l/${token}`, ctx.publicBaseUrl).toString();
      const text = offerText({
        lang: isLocale(row.language) ? row.language : "sv",
        startsAt: slot.startsAt,
        respondBy: expiresAt,
        now,
        timeZone: clinic.timeZone,
        clinicSmsName: clinic.smsName,
        link,
        // To a guardian's phone (a child's wish): say whose visit, by first name only.
        forName: row.smsGuardianId ? row.givenName : null,
      });
      await tx.insert(messages).values({
        patientId: candidate.patientId,
        appointmentId: candidate.appointment.id,
        channel: "sms",
        purpose: "offer",
        idempotencyKey: offerMessageKey(offerId),
        status: "queued",
        // Recipient and text fixed now (encrypted), like every non-reminder SMS.
        toEnc: encryptPii(decryptPii(row.phoneEnc, ctx.keys), ctx.keys),
        bodyEnc: encryptPii(text, ctx.keys),
        dueAt: now,
        createdAt: now,
        updatedAt: now,
      });
    }
    created.push({ offerId, patientId: candidate.patientId });
  }
  // Audit last: the chain's lock is then held only until this transaction commits.
  for (const c of created) {
    await recordAudit(tx, {
      actorType: "system",
      action: "waitlist.offer",
      resourceType: "slot_offer",
      resourceId: c.offerId,
      patientId: c.patientId,
      details: { slotId: slot.id, fairness },
      at: now,
    });
  }
  return { offered: created.length };
}
