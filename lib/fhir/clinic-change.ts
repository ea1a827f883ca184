// What follows when the clinic's booking system changes a booked visit, inside the same
// transaction as the change: reminders withdrawn or moved, the waitlist told about a freed slot,
// and, where the clinic has it on, an SMS to the patient that follows the reminder text rules.
import { and, eq, sql } from "drizzle-orm";
import {
  appointments,
  clinics,
  messages,
  notificationPreferences,
  patients,
  slots,
  waitlistEntries,
} from "@/db/schema";
import { isLocale } from "@/i18n/locales";
import { createAppointmentLink } from "@/lib/links/deep-links";
import { maySendSms, smsReachabilityColumns } from "@/lib/notifications/sms-consent";
import { encryptPii } from "@/lib/privacy/crypto";
import { isInQuietHours, nextQuietHoursEnd } from "@/lib/reminders/schedule";
import { syncAppointmentReminders } from "@/lib/reminders/sync";
import { clinicChangeText } from "@/lib/sms/reminder-text";
import { endWaitlistForAppointment, queueSlotOffers, type SlotFreedReason } from "@/lib/waitlist/queue";
import { memo, type FhirContext } from "./context";

/**
 * Queues "offer this slot to the waiting patients" when someone could be waiting: a bulk load of
 * a week's slots into a clinic with no waitlist does not fill the job table with no-ops.
 */
export async function offerFreedSlots(ctx: FhirContext, slotIds: string[], reason: SlotFreedReason): Promise<void> {
  if (slotIds.length === 0) return;
  // The FHIR API never adds waitlist entries, so one look per call is enough.
  const waiting = await memo(ctx, "waitlist-active", async () => {
    const [row] = await ctx.tx
      .select({ n: sql<number>`count(*)::int` })
      .from(waitlistEntries)
      .where(eq(waitlistEntries.status, "active"));
    return Number(row?.n ?? 0) > 0;
  });
  if (!waiting) return;
  await queueSlotOffers(ctx.tx, slotIds, reason, ctx.now);
}

export async function afterClinicChange(
  ctx: FhirContext,
  change: {
    appointmentId: string;
    kind: "moved" | "cancelled" | "entered_in_error";
    freedSlotId?: string;
    previousStartsAt?: Date;
  },
): Promise<void> {
  await syncAppointmentReminders(ctx.tx, change.appointmentId, ctx.now);
  if (change.kind !== "moved") await endWaitlistForAppointment(ctx.tx, change.appointmentId, "stopped", ctx.now);
  if (change.freedSlotId)
    await offerFreedSlots(ctx, [change.freedSlotId], change.kind === "moved" ? "rebooked" : "cancelled");
  // A booking entered in error is withdrawn silently: the patient never had a real visit.
  if (change.kind !== "entered_in_error")
    await textPatient(ctx, change.appointmentId, change.kind, change.previousStartsAt);
}

async function textPatient(
  ctx: FhirContext,
  appointmentId: string,
  kind: "moved" | "cancelled",
  previousStartsAt?: Date,
) {
  const [row] = await ctx.tx
    .select({
      version: appointments.version,
      startsAt: slots.startsAt,
      endsAt: slots.endsAt,
      timeZone: clinics.timeZone,
      smsName: clinics.smsName,
      smsOnClinicChange: clinics.smsOnClinicChange,
      patientId: patients.id,
      language: patients.language,
      givenName: patients.givenName,
      // A child's SMS go to the guardian who turned them on (the guardian's confirmed number).
      ...smsReachabilityColumns,
    })
    .from(appointments)
    .innerJoin(slots, eq(slots.id, appointments.slotId))
    .innerJoin(clinics, eq(clinics.id, slots.clinicId))
    .innerJoin(patients, eq(patients.id, appointments.patientId))
    .leftJoin(notificationPreferences, eq(notificationPreferences.patientId, patients.id))
    .where(and(eq(appointments.id, appointmentId)))
    .limit(1);
  if (!row || !row.smsOnClinicChange || !maySendSms(row) || !row.phoneEnc) return;
  // Only news about a visit still ahead (the old time for a cancel, the new one for a move).
  const relevant = kind === "cancelled" ? row.startsAt : row.startsAt;
  if (relevant.getTime() <= ctx.now.getTime()) return;
  const token = await createAppointmentLink(ctx.tx, {
    appointmentId,
    expiresAt: new Date(row.endsAt.getTime() + 7 * 86_400_000),
    now: ctx.now,
  });
  const text = clinicChangeText({
    kind,
    lang: isLocale(row.language) ? row.language : "sv",
    startsAt: row.startsAt,
    previousStartsAt,
    timeZone: row.timeZone,
    clinicSmsName: row.smsName,
    link: `${ctx.publicBaseUrl}/l/${token}`,
    forName: row.smsGuardianId ? row.givenName : null,
  });
  const dueAt = isInQuietHours(ctx.now, row.timeZone) ? nextQuietHoursEnd(ctx.now, row.timeZone) : ctx.now;
  await ctx.tx
    .insert(messages)
    .values({
      patientId: row.patientId,
      appointmentId,
      channel: "sms",
      purpose: `clinic_${kind}`,
      idempotencyKey: `clinic_${kind}:${appointmentId}:${row.version}`,
      status: "queued",
      toEnc: row.phoneEnc,
      bodyEnc: encryptPii(text, ctx.keys),
      dueAt,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    })
    .onConflictDoNothing({ target: messages.idempotencyKey });
}
