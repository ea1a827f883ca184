// Preparing a claimed batch: one select joins everything eligibility needs (message, patient,
// preferences, visit, push twin) for the whole batch; each row is judged by smsEligibility; the
// reminders still without a text get one (fix-texts.ts). Decrypting happens here, not in the rule.
import { eq, inArray } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Db } from "@/db/client";
import { appointments, clinics, messages, notificationPreferences, patients, slots } from "@/db/schema";
import { smsReachabilityColumns } from "@/lib/notifications/sms-consent";
import { decryptPii } from "@/lib/privacy/crypto";
import { smsEligibility } from "./eligibility";
import { fixTexts } from "./fix-texts";
import type { Claimed, Prepared, SmsDispatchConfig, Unfixed } from "./types";

/**
 * Checks that each message is still wanted and fixes its recipient and text before the first
 * send (a retry sends exactly the same SMS, with the same link). One select for the batch.
 */
export async function prepareBatch(config: SmsDispatchConfig, claimed: Claimed[], now: Date): Promise<Prepared[]> {
  const rows = await selectBatch(
    config.db,
    claimed.map((c) => c.id),
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  const prepared: Prepared[] = [];
  const unfixed: Unfixed[] = [];
  for (const c of claimed) {
    const row = byId.get(c.id);
    if (!row) {
      prepared.push({ kind: "void", claimed: c, status: "skipped", reason: "message not found" });
      continue;
    }
    const base = { claimed: c, purpose: row.purpose, idempotencyKey: row.idempotencyKey };
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
        visit: { startsAt: e.visit.startsAt, timeZone: e.visit.timeZone },
        appointmentId: e.appointmentId,
        endsAt: e.visit.endsAt,
        lang: row.language === "en" ? "en" : "sv",
        smsName: e.smsName,
      });
  }
  return prepared.concat(await fixTexts(config, unfixed, now));
}

/** Everything the checks need for a batch: message, patient, preferences, visit, push twin. */
function selectBatch(db: Db, ids: string[]) {
  const push = alias(messages, "push");
  return db
    .select({
      id: messages.id,
      purpose: messages.purpose,
      idempotencyKey: messages.idempotencyKey,
      toEnc: messages.toEnc,
      bodyEnc: messages.bodyEnc,
      appointmentId: messages.appointmentId,
      fallbackFor: messages.fallbackFor,
      language: patients.language,
      ...smsReachabilityColumns,
      visitStatus: appointments.status,
      startsAt: slots.startsAt,
      endsAt: slots.endsAt,
      timeZone: clinics.timeZone,
      smsName: clinics.smsName,
      pushOpenedAt: push.openedAt,
    })
    .from(messages)
    .innerJoin(patients, eq(patients.id, messages.patientId))
    .leftJoin(notificationPreferences, eq(notificationPreferences.patientId, messages.patientId))
    .leftJoin(appointments, eq(appointments.id, messages.appointmentId))
    .leftJoin(slots, eq(slots.id, appointments.slotId))
    .leftJoin(clinics, eq(clinics.id, slots.clinicId))
    .leftJoin(push, eq(push.id, messages.fallbackFor))
    .where(inArray(messages.id, ids));
}
