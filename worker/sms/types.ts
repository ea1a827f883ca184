// The SMS worker's settings and the shapes a claimed row takes through one pass (claim →
// eligibility → fixed text → fence → send → outcome). Shared by the files in worker/sms/.
import type { Db } from "@/db/client";
import type { PiiKeys } from "@/lib/privacy/crypto";
import type { QuietHours } from "@/lib/reminders/schedule";
import type { SmsLanguage } from "@/lib/sms/reminder-text";
import type { SmsGateway } from "@/lib/sms/types";
import type { Claimed } from "../lease";

export const DEFAULT_SMS_BATCH_SIZE = 100;
export const DEFAULT_SMS_CONCURRENCY = 16;
const DEFAULT_LEASE_MS = 120_000;

export interface SmsDispatchConfig {
  db: Db;
  gateway: SmsGateway;
  keys: PiiKeys;
  /** Alphanumeric sender id or E.164 number. */
  sender: string;
  /** e.g. https://vardtid.example.se — links and delivery callbacks are built on it. */
  publicBaseUrl: string;
  webhookSecret: string;
  now?: () => Date;
  /** Rows claimed per pass. Default 100. */
  batchSize?: number;
  /** Gateway calls in flight per worker. Default 16. */
  concurrency?: number;
  /** How long a claim is owned; must exceed the gateway timeout by far. Default 120 s. */
  leaseMs?: number;
  /** Attempts before `dead`. Default 5. */
  maxAttempts?: number;
  /** First retry delay; doubled per attempt, at most an hour. Default 30 s. */
  retryBaseMs?: number;
  quietHours?: QuietHours;
  /** A child's SMS go to a guardian only while the child is under this age (GUARDIAN_MAX_CHILD_AGE). Default 13. */
  guardianMaxChildAge?: number;
  /** Operational lines only: counts and row ids, never numbers or texts. */
  log?: (line: string) => void;
}

export const leaseOf = (config: Pick<SmsDispatchConfig, "leaseMs">): number => config.leaseMs ?? DEFAULT_LEASE_MS;
export const concurrencyOf = (config: Pick<SmsDispatchConfig, "concurrency">): number =>
  Math.max(1, config.concurrency ?? DEFAULT_SMS_CONCURRENCY);

export interface PassResult {
  claimed: number;
  sent: number;
  retried: number;
  failed: number;
  dead: number;
  skipped: number;
}

export type Outcome = Exclude<keyof PassResult, "claimed">;

export type { Claimed } from "../lease";

/** Recipient and text known: can be sent. `visit` is set for reminders (retry policy needs it). */
export type Ready = {
  kind: "ready";
  claimed: Claimed;
  purpose: string;
  idempotencyKey: string;
  to: string;
  text: string;
  visit: { startsAt: Date; timeZone: string } | null;
  /** Set when this pass wrote the text: what the claim stores on the row, and the deep link. */
  fix?: { toEnc: string; bodyEnc: string; tokenHash: string; appointmentId: string; expiresAt: Date };
};
/** Not to be sent: stored with this status and reason. */
export type Void = { kind: "void"; claimed: Claimed; status: "cancelled" | "skipped"; reason: string };
export type Prepared = Ready | Void;
/** A reminder whose recipient and text are fixed in this pass. */
export type Unfixed = Omit<Ready, "kind" | "text" | "visit" | "fix"> & {
  /** The patient's phone as stored (ciphertext): the row's recipient is this very ciphertext. */
  toEnc: string;
  visit: NonNullable<Ready["visit"]>;
  appointmentId: string;
  endsAt: Date;
  lang: SmsLanguage;
  smsName: string;
  /** A child's reminder going to a guardian: whose visit it is, by first name only. */
  forName: string | null;
  /** Set when the clinic takes "AVBOKA <code>" replies: the reminder then names the visit's code. */
  reply: { patientId: string; slotId: string } | null;
  /** Decided when the text is written: can the patient still act on "cancel or rebook"? */
  offersChange: boolean;
};
