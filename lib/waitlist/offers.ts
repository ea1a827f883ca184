// Earlier-time offers: who gets a freed slot (offerSlot), the patient's answer (acceptOffer,
// declineOffer) and lapsed offers (expireDueOffers). Each runs in one transaction.
//
// Every function that decides a slot's fate first locks the slot's row (FOR UPDATE): offering it,
// accepting it and expiring its offers are decided one at a time per slot. That is what makes 50
// patients pressing "Ta den nya tiden" at once simple: they queue on the slot row, the first one
// moves, every later one finds its offer already `taken` and changes nothing. The partial unique
// index on booked appointments still decides any race with a booking made outside the waitlist.
import { and, asc, eq, gt, inArray, lte, ne, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Db, Tx } from "@/db/client";
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
  waitlistJobs,
} from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { isUniqueViolation, isUuid, lockOwnAppointmentView, type AuditMeta } from "@/lib/appointments/service";
import { createOfferLink } from "@/lib/links/deep-links";
import { decryptPii, encryptPii, type PiiKeys } from "@/lib/privacy/crypto";
import { offerText } from "@/lib/sms/reminder-text";
import { matchWaitlist, offerExpiresAt, type OfferFairness, type TimeOfDay, type WaitlistEntry } from "./matching";
import { cancelOfferMessages, offerMessageKey, queueSlotOffers } from "./queue";
import { effectiveCutoffHours } from "@/lib/appointments/effective-cutoff";
import { moveAppointment } from "@/lib/appointments/move-appointment";
import { maySendSms, smsReachabilityColumns } from "@/lib/notifications/sms-consent";

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
    .for("update", { of: slots })
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
        lang: row.language === "en" ? "en" : "sv",
        startsAt: slot.startsAt,
        respondBy: expiresAt,
        now,
        timeZone: clinic.timeZone,
        clinicSmsName: clinic.smsName,
        link,
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

async function lockSlot(tx: Tx, slotId: string) {
  const [slot] = await tx
    .select({ id: slots.id, startsAt: slots.startsAt, clinicId: slots.clinicId, status: slots.status })
    .from(slots)
    .where(eq(slots.id, slotId))
    .for("update")
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

/**
 * Worker pass: open offers past their expiry become `expired`, and in the same transaction
 * (per slot, under the slot's lock) the slot is offered to the next in line.
 */
export async function expireDueOffers(
  db: Db,
  ctx: OfferContext,
  limit = 100,
): Promise<{ expired: number; offered: number }> {
  const due = await db
    .selectDistinct({ slotId: slotOffers.slotId })
    .from(slotOffers)
    .where(and(eq(slotOffers.status, "pending"), lte(slotOffers.expiresAt, ctx.now)))
    .limit(limit);
  const total = { expired: 0, offered: 0 };
  for (const { slotId } of due) {
    await db.transaction(async (tx) => {
      await lockSlot(tx, slotId);
      const expired = await tx
        .update(slotOffers)
        .set({ status: "expired" })
        .where(and(eq(slotOffers.slotId, slotId), eq(slotOffers.status, "pending"), lte(slotOffers.expiresAt, ctx.now)))
        .returning({ id: slotOffers.id });
      await cancelOfferMessages(
        tx,
        expired.map((e) => e.id),
        ctx.now,
      );
      total.expired += expired.length;
      if (expired.length > 0) total.offered += (await offerSlot(tx, slotId, ctx)).offered;
    });
  }
  return total;
}

/** Worker pass: the queued "slot freed" jobs, each in its own transaction; SKIP LOCKED lets many workers share them. */
export async function runWaitlistJobs(
  db: Db,
  ctx: OfferContext,
  limit = 25,
): Promise<{ jobs: number; offered: number; failed: number }> {
  const total = { jobs: 0, offered: 0, failed: 0 };
  for (let i = 0; i < limit; i++) {
    let claimed: { id: string; attempts: number } | undefined;
    try {
      const done = await db.transaction(async (tx) => {
        const [job] = await tx
          .select({ id: waitlistJobs.id, slotId: waitlistJobs.slotId, attempts: waitlistJobs.attempts })
          .from(waitlistJobs)
          .where(and(eq(waitlistJobs.status, "queued"), lte(waitlistJobs.runAt, ctx.now)))
          .orderBy(asc(waitlistJobs.runAt))
          .limit(1)
          .for("update", { skipLocked: true });
        if (!job) return null;
        claimed = job;
        const result = await offerSlot(tx, job.slotId, ctx);
        await tx
          .update(waitlistJobs)
          .set({ status: "done", attempts: job.attempts + 1, doneAt: ctx.now })
          .where(eq(waitlistJobs.id, job.id));
        return result;
      });
      if (!done) break;
      total.jobs += 1;
      total.offered += done.offered;
    } catch (error) {
      total.failed += 1;
      if (!claimed) throw error;
      // Rolled back: try the job again later, backing off.
      const retryMs = Math.min(60_000 * 2 ** claimed.attempts, 3_600_000);
      await db
        .update(waitlistJobs)
        .set({ attempts: claimed.attempts + 1, runAt: new Date(ctx.now.getTime() + retryMs) })
        .where(eq(waitlistJobs.id, claimed.id));
    }
  }
  return total;
}

/** For tests and the worker: every offer-related change one pass makes. */
export async function runOfferPass(
  db: Db,
  ctx: OfferContext,
): Promise<{ expired: number; offered: number; jobs: number; failed: number }> {
  const expiry = await expireDueOffers(db, ctx);
  const jobs = await runWaitlistJobs(db, ctx);
  return { expired: expiry.expired, offered: expiry.offered + jobs.offered, jobs: jobs.jobs, failed: jobs.failed };
}
