// Preparing a batch: one select joins everything eligibility needs (message, patient, preferences,
// visit, push twin) for the whole batch (claim.ts runs it with FOR UPDATE SKIP LOCKED); each row is
// judged by smsEligibility; the reminders still without a text get one (fix-texts.ts), which the
// claim stores. Decrypting happens here, not in the rule.
import { isLocale } from "@/i18n/locales";
import { eq } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { DbOrTx } from "@/db/client";
import {
  appointments,
  appointmentTypes,
  clinics,
  messages,
  notificationPreferences,
  patients,
  slots,
} from "@/db/schema";
import { changeDeadline } from "@/lib/appointments/cancellation-policy";
import { effectiveCutoffHoursSql, selfServiceSql } from "@/lib/appointments/effective-cutoff";
import { mayActFor } from "@/lib/guardians/custody";
import { smsReachabilityColumns } from "@/lib/notifications/sms-consent";
import { decryptPii } from "@/lib/privacy/crypto";
import { offersChangeWhenSent } from "@/lib/reminders/schedule";
import { smsEligibility } from "./eligibility";
import { fixTexts } from "./fix-texts";
import type { Prepared, SmsDispatchConfig, Unfixed } from "./types";

export type BatchRow = Awaited<ReturnType<ReturnType<typeof selectRows>["where"]>>[number];

/**
 * Checks that each message is still wanted and drafts its recipient and text before the first
 * send (a retry sends exactly the same SMS, with the same link): the claim stores them. Each row
 * is given the attempt number its claim makes (attempts + 1). `db` is the claim's transaction.
 */
export async function prepareRows(
  config: SmsDispatchConfig,
  db: DbOrTx,
  rows: BatchRow[],
  now: Date,
): Promise<Prepared[]> {
  // A child's SMS go to a guardian's number only while that guardian may still act for the child
  // (custody and the age rule, asked now, at the send): otherwise they are not sent at all.
  const guardianGone = new Set<string>();
  for (const r of rows)
    if (
      r.smsGuardianId &&
      !(await mayActFor(db, r.smsGuardianId, r.patientId, {
        now,
        keys: config.keys,
        maxAge: config.guardianMaxChildAge ?? 13,
      }))
    )
      guardianGone.add(r.id);
  const prepared: Prepared[] = [];
  const unfixed: Unfixed[] = [];
  for (const row of rows) {
    const c = { id: row.id, attempts: row.attempts + 1 };
    const base = { claimed: c, purpose: row.purpose, idempotencyKey: row.idempotencyKey };
    if (guardianGone.has(row.id) && row.purpose !== "phone_verification") {
      prepared.push({
        kind: "void",
        claimed: c,
        status: "skipped",
        reason: "guardian may no longer act for the child",
      });
      continue;
    }
    const e = smsEligibility(row, now);
    if (e.verdict === "void") prepared.push({ kind: "void", claimed: c, status: e.status, reason: e.reason });
    else if (e.verdict === "send-stored")
      prepared.push({
        kind: "ready",
        ...base,
        to: decryptPii(e.toEnc, config.keys),
        text: decryptPii(e.bodyEnc, config.keys),
        visit: e.visit && { startsAt: e.visit.startsAt, timeZone: e.visit.timeZone },
      });
    else
      unfixed.push({
        ...base,
        to: decryptPii(e.phoneEnc, config.keys),
        // Stored on the row as it is (no second encryption of the same number).
        toEnc: e.phoneEnc,
        visit: { startsAt: e.visit.startsAt, timeZone: e.visit.timeZone },
        appointmentId: e.appointmentId,
        endsAt: e.visit.endsAt,
        lang: isLocale(row.language) ? row.language : "sv",
        smsName: e.smsName,
        forName: row.smsGuardianId ? (row.givenName.split(" ")[0] ?? null) : null,
        reply: row.smsReplyCancel && row.slotId ? { patientId: row.patientId, slotId: row.slotId } : null,
        // Asked now, at the moment the text is written, not when the reminder was planned: a late
        // send (a worker that was down, a retry) must not promise a change that has become impossible.
        offersChange: offersChangeWhenSent(now, {
          deadline: changeDeadline({
            startsAt: e.visit.startsAt,
            cutoffHours: Number(row.cutoffHours),
            timeZone: e.visit.timeZone,
          }),
          minLeadMinutes: row.minLeadMinutes ?? 0,
          selfService: Boolean(row.selfService),
        }),
      });
  }
  return prepared.concat(await fixTexts(config, db, unfixed));
}

/** Everything the checks need for a batch: message, patient, preferences, visit, push twin. */
export function selectRows(db: DbOrTx) {
  const push = alias(messages, "push");
  return db
    .select({
      id: messages.id,
      attempts: messages.attempts,
      purpose: messages.purpose,
      idempotencyKey: messages.idempotencyKey,
      toEnc: messages.toEnc,
      bodyEnc: messages.bodyEnc,
      appointmentId: messages.appointmentId,
      fallbackFor: messages.fallbackFor,
      language: patients.language,
      givenName: patients.givenName,
      ...smsReachabilityColumns,
      visitStatus: appointments.status,
      startsAt: slots.startsAt,
      endsAt: slots.endsAt,
      timeZone: clinics.timeZone,
      smsName: clinics.smsName,
      smsReplyCancel: clinics.smsReplyCancel,
      patientId: messages.patientId,
      slotId: appointments.slotId,
      cutoffHours: effectiveCutoffHoursSql,
      minLeadMinutes: clinics.reminderMinLeadMinutes,
      selfService: selfServiceSql,
      pushOpenedAt: push.openedAt,
    })
    .from(messages)
    .innerJoin(patients, eq(patients.id, messages.patientId))
    .leftJoin(notificationPreferences, eq(notificationPreferences.patientId, messages.patientId))
    .leftJoin(appointments, eq(appointments.id, messages.appointmentId))
    .leftJoin(slots, eq(slots.id, appointments.slotId))
    .leftJoin(clinics, eq(clinics.id, slots.clinicId))
    .leftJoin(appointmentTypes, eq(appointmentTypes.id, slots.typeId))
    .leftJoin(push, eq(push.id, messages.fallbackFor));
}
