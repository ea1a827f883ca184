import { sql } from "drizzle-orm";
import { notificationPreferences, patients } from "@/db/schema";
// The one rule for "may we text this patient?": SMS switched on, consent recorded, and a phone
// number that was confirmed with a one-time code. Reminders and earlier-time offers both ask it.
// A child's SMS go to the confirmed number of the guardian who turned them on
// (notification_preferences.sms_guardian_patient_id), never to a number of the child's own, and
// the SMS worker sends them only while that guardian may still act for the child.
export interface SmsReachability {
  smsEnabled: boolean | null;
  smsConsentAt: Date | null;
  phoneEnc: string | null;
  phoneVerifiedAt: Date | null;
}

export function maySendSms(p: SmsReachability): boolean {
  return p.smsEnabled === true && p.smsConsentAt !== null && p.phoneEnc !== null && p.phoneVerifiedAt !== null;
}

// The guardian's own row, for a child whose SMS go to a guardian.
const guardianPhone = <T>(column: "phone_enc" | "phone_verified_at") =>
  sql<T | null>`case when ${notificationPreferences.smsGuardianPatientId} is null then ${sql.identifier("patients")}.${sql.identifier(column)} else (select g.${sql.identifier(column)} from ${patients} g where g.id = ${notificationPreferences.smsGuardianPatientId}) end`;

/**
 * The columns `maySendSms` needs, for a select that joins `patients` and (left) joins
 * `notification_preferences`: every query that asks the rule selects exactly these. The phone is
 * the guardian's where the child's SMS go to a guardian (`smsGuardianId`).
 */
export const smsReachabilityColumns = {
  smsEnabled: notificationPreferences.smsEnabled,
  smsConsentAt: notificationPreferences.smsConsentAt,
  phoneEnc: guardianPhone<string>("phone_enc"),
  phoneVerifiedAt: guardianPhone<Date>("phone_verified_at").mapWith(patients.phoneVerifiedAt),
  smsGuardianId: notificationPreferences.smsGuardianPatientId,
};
