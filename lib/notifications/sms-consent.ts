import { notificationPreferences, patients } from "@/db/schema";
// The one rule for "may we text this patient?": SMS switched on, consent recorded, and a phone
// number that was confirmed with a one-time code. Reminders and earlier-time offers both ask it.
export interface SmsReachability {
  smsEnabled: boolean | null;
  smsConsentAt: Date | null;
  phoneEnc: string | null;
  phoneVerifiedAt: Date | null;
}

export function maySendSms(p: SmsReachability): boolean {
  return p.smsEnabled === true && p.smsConsentAt !== null && p.phoneEnc !== null && p.phoneVerifiedAt !== null;
}

/**
 * The columns `maySendSms` needs, for a select that joins `patients` and (left) joins
 * `notification_preferences`: every query that asks the rule selects exactly these.
 */
export const smsReachabilityColumns = {
  smsEnabled: notificationPreferences.smsEnabled,
  smsConsentAt: notificationPreferences.smsConsentAt,
  phoneEnc: patients.phoneEnc,
  phoneVerifiedAt: patients.phoneVerifiedAt,
};
