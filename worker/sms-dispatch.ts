// Sends due SMS. The `messages` table is the queue: a row is written (status `queued`, `due_at`) in
// the same transaction as the booking, rebook or cancel that makes it due or void, and workers
// claim due rows with FOR UPDATE SKIP LOCKED, so any number of workers can share one database.
//
// Why a claim loop on `messages` rather than pg-boss jobs: the row that proves "this reminder was
// promised" is the row that records what happened to it. A separate job table would be a second
// state machine that can disagree with it (a job done, a message still queued), and enqueueing
// would need pg-boss inside drizzle's transaction on both drivers. The loop is 100 lines, behaves
// the same on PGlite and Postgres, and its due index serves both the worker and the patient's list.
//
// Life of a row: queued → (claim: attempts+1, lease) sending → gateway → sent → delivered/failed
// (delivery report). A retryable error puts it back to queued with exponential backoff; after
// `maxAttempts` it is `dead` (shown to the patient and countable by operations). A 4xx is `failed`.
//
// Never twice: the gateway call carries the idempotency key. A worker that dies after the operator
// accepted an SMS but before storing the answer leaves the row `sending`; the operator's `sent`
// report (its callback URL names our row) marks it sent meanwhile. Only when the lease has run out
// with no report is it sent again, with the same key and the same text. Residual risk with the
// real 46elks, which does not de-duplicate: a report later than the lease (default 120 s) means a
// second SMS. The simulator de-duplicates and counts it, so tests catch it.
import { and, asc, eq, inArray, isNull, lte, or, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { appointments, clinics, messages, notificationPreferences, patients, slots } from "@/db/schema";
import { createAppointmentLink } from "@/lib/links/deep-links";
import { decryptPii, encryptPii, type PiiKeys } from "@/lib/privacy/crypto";
import { DEFAULT_QUIET_HOURS, isInQuietHours, nextQuietHoursEnd, type QuietHours } from "@/lib/reminders/schedule";
import { keyMatchesStart } from "@/lib/reminders/sync";
import { deliveryCallbackUrl } from "@/lib/sms/delivery-reports";
import { reminderText, type SmsLanguage } from "@/lib/sms/reminder-text";
import { SmsError, type SmsGateway } from "@/lib/sms/types";
import { startPollingLoop, type PollingLoop } from "./poll-loop";

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
  /** Rows claimed per pass. Default 25. */
  batchSize?: number;
  /** Gateway calls in flight per worker. Default 4. */
  concurrency?: number;
  /** How long a claim is owned; must exceed the gateway timeout by far. Default 120 s. */
  leaseMs?: number;
  /** Attempts before `dead`. Default 5. */
  maxAttempts?: number;
  /** First retry delay; doubled per attempt, at most an hour. Default 30 s. */
  retryBaseMs?: number;
  quietHours?: QuietHours;
  /** Operational lines only: counts and row ids, never numbers or texts. */
  log?: (line: string) => void;
}

export interface PassResult {
  claimed: number;
  sent: number;
  retried: number;
  failed: number;
  dead: number;
  skipped: number;
}

interface Claimed {
  id: string;
  attempts: number;
}

/** One pass: claim due rows (and rows whose worker died), send them, store the outcome. */
export async function runDueSms(config: SmsDispatchConfig): Promise<PassResult> {
  const now = config.now ?? (() => new Date());
  const result: PassResult = { claimed: 0, sent: 0, retried: 0, failed: 0, dead: 0, skipped: 0 };
  const claimed = await claim(config, now());
  result.claimed = claimed.length;
  const concurrency = Math.max(1, config.concurrency ?? 4);
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, claimed.length) }, async () => {
    while (next < claimed.length) {
      const row = claimed[next++]!;
      const outcome = await processOne(config, row, now).catch((error: unknown) => {
        // A database hiccup: the lease runs out and another pass takes the row again.
        config.log?.(`sms worker: message ${row.id} left for retry (${error instanceof Error ? error.name : "unknown"})`);
        return "retried" as const;
      });
      result[outcome] += 1;
    }
  });
  await Promise.all(lanes);
  return result;
}

async function claim(config: SmsDispatchConfig, now: Date): Promise<Claimed[]> {
  const leaseMs = config.leaseMs ?? 120_000;
  return config.db.transaction(async (tx) => {
    const due = await tx
      .select({ id: messages.id })
      .from(messages)
      .where(
        and(
          eq(messages.channel, "sms"),
          or(
            and(eq(messages.status, "queued"), lte(messages.dueAt, now)),
            // The worker that claimed it is gone (or very late): take it over.
            and(eq(messages.status, "sending"), lte(messages.leaseExpiresAt, now)),
          ),
        ),
      )
      .orderBy(asc(messages.dueAt))
      .limit(config.batchSize ?? 25)
      .for("update", { skipLocked: true });
    if (due.length === 0) return [];
    return tx
      .update(messages)
      .set({ status: "sending", attempts: sql`${messages.attempts} + 1`, leaseExpiresAt: new Date(now.getTime() + leaseMs), updatedAt: now })
      .where(inArray(messages.id, due.map((d) => d.id)))
      .returning({ id: messages.id, attempts: messages.attempts });
  });
}

type Outcome = Exclude<keyof PassResult, "claimed">;

async function processOne(config: SmsDispatchConfig, claimed: Claimed, now: () => Date): Promise<Outcome> {
  const { db } = config;
  const prepared = await prepare(config, claimed, now());
  if (prepared.kind === "void") {
    await db
      .update(messages)
      .set({ status: prepared.status, lastError: prepared.reason, leaseExpiresAt: null, updatedAt: now() })
      .where(and(eq(messages.id, claimed.id), eq(messages.status, "sending"), eq(messages.attempts, claimed.attempts)));
    return "skipped";
  }

  // Fencing: the row must still be ours (same attempt number, still sending) right before the
  // call; a worker whose lease ran out while it waited must not send it as well.
  const fence = await db
    .update(messages)
    .set({ leaseExpiresAt: new Date(now().getTime() + (config.leaseMs ?? 120_000)), updatedAt: now() })
    .where(and(eq(messages.id, claimed.id), eq(messages.status, "sending"), eq(messages.attempts, claimed.attempts)))
    .returning({ id: messages.id });
  if (fence.length === 0) return "skipped";

  try {
    const sent = await config.gateway.send({
      idempotencyKey: prepared.idempotencyKey,
      from: config.sender,
      to: prepared.to,
      text: prepared.text,
      callbackUrl: deliveryCallbackUrl(config.publicBaseUrl, config.webhookSecret, claimed.id),
    });
    const at = now();
    await db
      .update(messages)
      .set({
        // A delivery report may already have moved it on (to sent or delivered): never back.
        status: sql`case when ${messages.status} in ('sending', 'queued', 'dead') then 'sent' else ${messages.status} end`,
        providerId: sql`coalesce(${messages.providerId}, ${sent.providerId})`,
        parts: sent.parts,
        sentAt: sql`coalesce(${messages.sentAt}, ${at.toISOString()}::timestamptz)`,
        lastError: null,
        leaseExpiresAt: null,
        updatedAt: at,
      })
      .where(eq(messages.id, claimed.id));
    return "sent";
  } catch (error) {
    const at = now();
    const smsError = error instanceof SmsError ? error : new SmsError("unexpected send error", { retryable: true });
    // SmsError messages carry no numbers or texts (the adapter masks the operator's reason).
    const lastError = smsError.message.slice(0, 300);
    const stillOurs = and(eq(messages.id, claimed.id), eq(messages.status, "sending"), eq(messages.attempts, claimed.attempts));
    if (!smsError.retryable) {
      await db.update(messages).set({ status: "failed", lastError, leaseExpiresAt: null, updatedAt: at }).where(stillOurs);
      return "failed";
    }
    const retryAt = nextAttemptAt(config, claimed.attempts, at, prepared);
    if (claimed.attempts >= (config.maxAttempts ?? 5) || retryAt === null) {
      await db.update(messages).set({ status: "dead", lastError, leaseExpiresAt: null, updatedAt: at }).where(stillOurs);
      config.log?.(`sms worker: message ${claimed.id} dead after ${claimed.attempts} attempts`);
      return "dead";
    }
    await db.update(messages).set({ status: "queued", dueAt: retryAt, lastError, leaseExpiresAt: null, updatedAt: at }).where(stillOurs);
    return "retried";
  }
}

/** Exponential backoff; a reminder's retry respects quiet hours and is pointless after the visit. */
function nextAttemptAt(config: SmsDispatchConfig, attempts: number, at: Date, prepared: Ready): Date | null {
  const base = config.retryBaseMs ?? 30_000;
  let when = new Date(at.getTime() + Math.min(base * 2 ** Math.max(0, attempts - 1), 3_600_000));
  if (prepared.purpose === "reminder" && prepared.visit) {
    const quiet = config.quietHours ?? DEFAULT_QUIET_HOURS;
    if (isInQuietHours(when, prepared.visit.timeZone, quiet)) when = nextQuietHoursEnd(when, prepared.visit.timeZone, quiet);
    if (when.getTime() >= prepared.visit.startsAt.getTime()) return null;
  }
  return when;
}

type Ready = {
  kind: "ready";
  purpose: string;
  idempotencyKey: string;
  to: string;
  text: string;
  visit: { startsAt: Date; timeZone: string } | null;
};
type Prepared = Ready | { kind: "void"; status: "cancelled" | "skipped"; reason: string };

/**
 * Checks that the message is still wanted and fixes its recipient and text before the first
 * send (a retry sends exactly the same SMS, with the same link).
 */
async function prepare(config: SmsDispatchConfig, claimed: Claimed, now: Date): Promise<Prepared> {
  const { db, keys } = config;
  const [row] = await db
    .select({
      message: {
        id: messages.id,
        purpose: messages.purpose,
        idempotencyKey: messages.idempotencyKey,
        toEnc: messages.toEnc,
        bodyEnc: messages.bodyEnc,
        appointmentId: messages.appointmentId,
        fallbackFor: messages.fallbackFor,
      },
      patient: { phoneEnc: patients.phoneEnc, phoneVerifiedAt: patients.phoneVerifiedAt, language: patients.language },
      prefs: { smsEnabled: notificationPreferences.smsEnabled, smsConsentAt: notificationPreferences.smsConsentAt },
    })
    .from(messages)
    .innerJoin(patients, eq(patients.id, messages.patientId))
    .leftJoin(notificationPreferences, eq(notificationPreferences.patientId, messages.patientId))
    .where(eq(messages.id, claimed.id))
    .limit(1);
  if (!row) return { kind: "void", status: "skipped", reason: "message not found" };
  const m = row.message;

  if (m.purpose !== "reminder") {
    // Other SMS (e.g. a phone verification code) are written complete, recipient and text included.
    if (!m.toEnc || !m.bodyEnc) return { kind: "void", status: "skipped", reason: "no recipient or text" };
    return { kind: "ready", purpose: m.purpose, idempotencyKey: m.idempotencyKey, to: decryptPii(m.toEnc, keys), text: decryptPii(m.bodyEnc, keys), visit: null };
  }

  // A reminder: the visit must still be booked, upcoming and at the time the key was made for.
  if (!m.appointmentId) return { kind: "void", status: "skipped", reason: "no appointment" };
  const [visit] = await db
    .select({ status: appointments.status, startsAt: slots.startsAt, endsAt: slots.endsAt, timeZone: clinics.timeZone, smsName: clinics.smsName })
    .from(appointments)
    .innerJoin(slots, eq(slots.id, appointments.slotId))
    .innerJoin(clinics, eq(clinics.id, slots.clinicId))
    .where(eq(appointments.id, m.appointmentId))
    .limit(1);
  if (!visit || visit.status !== "booked") return { kind: "void", status: "cancelled", reason: "appointment not booked" };
  if (!keyMatchesStart(m.idempotencyKey, visit.startsAt)) return { kind: "void", status: "cancelled", reason: "appointment moved" };
  if (visit.startsAt.getTime() <= now.getTime()) return { kind: "void", status: "skipped", reason: "appointment started" };
  if (!row.prefs?.smsEnabled || !row.prefs.smsConsentAt) return { kind: "void", status: "skipped", reason: "no SMS consent" };
  if (m.fallbackFor) {
    // Push first: the patient already opened the push reminder, so this SMS is not needed.
    const [push] = await db.select({ openedAt: messages.openedAt }).from(messages).where(eq(messages.id, m.fallbackFor)).limit(1);
    if (push?.openedAt) return { kind: "void", status: "skipped", reason: "push opened" };
  }
  const visitInfo = { startsAt: visit.startsAt, timeZone: visit.timeZone };

  if (m.toEnc && m.bodyEnc) {
    return { kind: "ready", purpose: m.purpose, idempotencyKey: m.idempotencyKey, to: decryptPii(m.toEnc, keys), text: decryptPii(m.bodyEnc, keys), visit: visitInfo };
  }
  if (!row.patient.phoneEnc || !row.patient.phoneVerifiedAt) return { kind: "void", status: "skipped", reason: "no verified phone" };
  const to = decryptPii(row.patient.phoneEnc, keys);
  const lang: SmsLanguage = row.patient.language === "en" ? "en" : "sv";
  const appointmentId = m.appointmentId;
  const text = await db.transaction(async (tx) => {
    const token = await createAppointmentLink(tx, { appointmentId, expiresAt: visit.endsAt, now });
    const link = new URL(`/l/${token}`, config.publicBaseUrl).toString();
    const body = reminderText({ lang, startsAt: visit.startsAt, timeZone: visit.timeZone, clinicSmsName: visit.smsName, link });
    // Only if still unset: two workers racing here (one of them past its lease) keep one text.
    const stored = await tx
      .update(messages)
      .set({ toEnc: encryptPii(to, keys), bodyEnc: encryptPii(body, keys), updatedAt: now })
      .where(and(eq(messages.id, m.id), isNull(messages.bodyEnc)))
      .returning({ id: messages.id });
    if (stored.length === 0) tx.rollback();
    return body;
  }).catch(async () => {
    const [again] = await db.select({ bodyEnc: messages.bodyEnc }).from(messages).where(eq(messages.id, m.id)).limit(1);
    if (!again?.bodyEnc) throw new Error("could not fix the reminder text");
    return decryptPii(again.bodyEnc, keys);
  });
  return { kind: "ready", purpose: m.purpose, idempotencyKey: m.idempotencyKey, to, text, visit: visitInfo };
}

export type SmsWorker = PollingLoop;

/** Polls until stopped; a full batch is followed at once by the next pass. */
export function startSmsWorker(config: SmsDispatchConfig, opts: { pollMs?: number } = {}): SmsWorker {
  return startPollingLoop(
    "sms worker",
    async () => {
      const r = await runDueSms(config);
      if (r.claimed > 0) config.log?.(`sms worker: ${r.sent} sent, ${r.retried} to retry, ${r.failed} failed, ${r.dead} dead, ${r.skipped} skipped`);
      return { full: r.claimed >= (config.batchSize ?? 25) };
    },
    { pollMs: opts.pollMs, log: config.log },
  );
}
