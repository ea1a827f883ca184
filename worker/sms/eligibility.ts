// Eligibility: may this claimed SMS still go out, and is its text already fixed? A pure function of
// the row as read for the batch and the clock; no database work, no decryption. "May we text this
// patient" is the one rule in lib/notifications/sms-consent.ts, the same that decides whether a
// reminder or an offer SMS is queued at all.
import { maySendSms, type SmsReachability } from "@/lib/notifications/sms-consent";
import { keyMatchesStart } from "@/lib/reminders/sync";

/** What eligibility reads of a message row (joined with its patient, visit and push twin). */
export interface EligibilityRow extends SmsReachability {
  purpose: string;
  idempotencyKey: string;
  /** Recipient and text stored on the row (always for non-reminders; for a reminder once fixed). */
  toEnc: string | null;
  bodyEnc: string | null;
  appointmentId: string | null;
  visitStatus: string | null;
  startsAt: Date | null;
  endsAt: Date | null;
  timeZone: string | null;
  smsName: string | null;
  /** The push reminder this SMS is the fallback of, and when the patient opened it. */
  fallbackFor: string | null;
  pushOpenedAt: Date | null;
}

type Visit = { startsAt: Date; endsAt: Date; timeZone: string };

export type Eligibility =
  /** Send the recipient and text stored on the row (encrypted); `visit` only for a reminder. */
  | { verdict: "send-stored"; toEnc: string; bodyEnc: string; visit: Visit | null }
  /** A reminder to be sent whose recipient (the patient's phone) and text are fixed first. */
  | { verdict: "fix-text"; phoneEnc: string; visit: Visit; appointmentId: string; smsName: string }
  /** Not to be sent, ever: stored with this status and reason. */
  | { verdict: "void"; status: "skipped" | "cancelled"; reason: string };

/** The checks of one row, in the order they always ran (the first that fails names the reason). */
export function smsEligibility(row: EligibilityRow, now: Date): Eligibility {
  const skip = (reason: string): Eligibility => ({ verdict: "void", status: "skipped", reason });
  const cancel = (reason: string): Eligibility => ({ verdict: "void", status: "cancelled", reason });

  if (row.purpose !== "reminder") {
    // Other SMS (a phone verification code, an offer) are written complete, recipient and text
    // included, by code that already decided they may go (a code goes to a not yet verified phone).
    if (row.toEnc === null || row.bodyEnc === null) return skip("no recipient or text");
    return { verdict: "send-stored", toEnc: row.toEnc, bodyEnc: row.bodyEnc, visit: null };
  }

  // A reminder: the visit must still be booked, upcoming and at the time the key was made for.
  if (!row.appointmentId) return skip("no appointment");
  if (row.visitStatus !== "booked" || !row.startsAt || !row.endsAt || !row.timeZone || row.smsName === null)
    return cancel("appointment not booked");
  if (!keyMatchesStart(row.idempotencyKey, row.startsAt)) return cancel("appointment moved");
  if (row.startsAt.getTime() <= now.getTime()) return skip("appointment started");
  // (maySendSms implies a phone; the second test tells TypeScript so.)
  if (!maySendSms(row) || row.phoneEnc === null)
    return skip(row.smsEnabled && row.smsConsentAt ? "no verified phone" : "no SMS consent");
  // Push first: the patient already opened the push reminder, so this SMS is not needed.
  if (row.fallbackFor && row.pushOpenedAt) return skip("push opened");
  const visit = { startsAt: row.startsAt, endsAt: row.endsAt, timeZone: row.timeZone };
  // A retry sends exactly the recipient and text (and link) of the first attempt.
  if (row.toEnc !== null && row.bodyEnc !== null)
    return { verdict: "send-stored", toEnc: row.toEnc, bodyEnc: row.bodyEnc, visit };
  return { verdict: "fix-text", phoneEnc: row.phoneEnc, visit, appointmentId: row.appointmentId, smsName: row.smsName };
}
