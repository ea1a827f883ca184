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
//
// Throughput: the work around each send is done per batch, not per message, because the worker
// is CPU-bound on round trips (each costs more CPU in drizzle and postgres.js than the SQL does
// in Postgres). A pass is: one claim statement; one select that joins everything the checks need
// for the whole batch; one transaction fixing the texts that are still unset (one update from a
// VALUES list, one insert of the deep links); fences for chunks of rows just before they are sent;
// and the outcomes written as they come, a batch of rows per statement.
import { and, asc, eq, inArray, lte, or, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { rowsOf, type Db } from "@/db/client";
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
import { effectiveCutoffHoursSql } from "@/lib/appointments/effective-cutoff";
import { newLinkToken, storeAppointmentLinks } from "@/lib/links/deep-links";
import { decryptPii, encryptPii, type PiiKeys } from "@/lib/privacy/crypto";
import {
  DEFAULT_QUIET_HOURS,
  isInQuietHours,
  nextQuietHoursEnd,
  offersChangeWhenSent,
  type QuietHours,
} from "@/lib/reminders/schedule";
import { keyMatchesStart } from "@/lib/reminders/sync";
import { deliveryCallbackUrl } from "@/lib/sms/delivery-reports";
import { reminderText, type SmsLanguage } from "@/lib/sms/reminder-text";
import { SmsError, type SentSms, type SmsGateway } from "@/lib/sms/types";
import { startPollingLoop, type PollingLoop } from "./poll-loop";

export const DEFAULT_SMS_BATCH_SIZE = 100;
export const DEFAULT_SMS_CONCURRENCY = 16;

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

type Outcome = Exclude<keyof PassResult, "claimed">;

interface Claimed {
  id: string;
  attempts: number;
}

const leaseOf = (config: SmsDispatchConfig) => config.leaseMs ?? 120_000;

/** One pass: claim due rows (and rows whose worker died), send them, store the outcome. */
export async function runDueSms(config: SmsDispatchConfig, shared: { slots?: SendSlots } = {}): Promise<PassResult> {
  const now = config.now ?? (() => new Date());
  const result: PassResult = { claimed: 0, sent: 0, retried: 0, failed: 0, dead: 0, skipped: 0 };
  const claimedAt = performance.now();
  const claimed = await claim(config, now());
  result.claimed = claimed.length;
  if (claimed.length === 0) return result;

  const writer = new OutcomeWriter(config);
  try {
    const ready: Ready[] = [];
    for (const p of await prepareBatch(config, claimed, now())) {
      if (p.kind === "ready") ready.push(p);
      else if (p.kind === "later")
        result.retried += 1; // no write: the lease runs out, a later pass retries
      else {
        writer.final({ ...p.claimed, status: p.status, dueAt: null, lastError: p.reason }, now());
        result.skipped += 1;
      }
    }
    const slots = shared.slots ?? new SendSlots(Math.max(1, config.concurrency ?? DEFAULT_SMS_CONCURRENCY));
    await sendAll(config, ready, claimedAt, writer, slots, now, (outcome) => (result[outcome] += 1));
  } finally {
    await writer.close();
  }
  return result;
}

/** Claims up to a batch of due rows in one statement: attempts + 1 and a fresh lease. */
async function claim(config: SmsDispatchConfig, now: Date): Promise<Claimed[]> {
  const due = config.db
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
    .limit(config.batchSize ?? DEFAULT_SMS_BATCH_SIZE)
    .for("update", { skipLocked: true });
  return config.db
    .update(messages)
    .set({
      status: "sending",
      attempts: sql`${messages.attempts} + 1`,
      leaseExpiresAt: new Date(now.getTime() + leaseOf(config)),
      updatedAt: now,
    })
    .where(inArray(messages.id, due))
    .returning({ id: messages.id, attempts: messages.attempts });
}

/** `(id, attempts) in (…)`: the rows of this claim, and only while no later claim took them. */
function stillOurs(rows: Claimed[]): SQL {
  const pairs = rows.map((r) => sql`(${r.id}::uuid, ${r.attempts}::int)`);
  return and(
    eq(messages.status, "sending"),
    sql`(${messages.id}, ${messages.attempts}) in (${sql.join(pairs, sql`, `)})`,
  )!;
}

type Ready = {
  kind: "ready";
  claimed: Claimed;
  purpose: string;
  idempotencyKey: string;
  to: string;
  text: string;
  visit: { startsAt: Date; timeZone: string } | null;
};
type Void = { kind: "void"; claimed: Claimed; status: "cancelled" | "skipped"; reason: string };
/** Could not be prepared now (its text could not be fixed): left to its lease, like a crash. */
type Later = { kind: "later"; claimed: Claimed };
type Prepared = Ready | Void | Later;
/** A reminder whose recipient and text are fixed in this pass. */
type Unfixed = Omit<Ready, "kind" | "text" | "visit"> & {
  visit: NonNullable<Ready["visit"]>;
  appointmentId: string;
  endsAt: Date;
  lang: SmsLanguage;
  smsName: string;
  /** Decided when the text is written: can the patient still act on "cancel or rebook"? */
  offersChange: boolean;
};

/**
 * Checks that each message is still wanted and fixes its recipient and text before the first
 * send (a retry sends exactly the same SMS, with the same link). One select for the batch.
 */
async function prepareBatch(config: SmsDispatchConfig, claimed: Claimed[], now: Date): Promise<Prepared[]> {
  const rows = await selectBatch(
    config.db,
    claimed.map((c) => c.id),
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  const prepared: Prepared[] = [];
  const unfixed: Unfixed[] = [];
  for (const c of claimed) {
    const row = byId.get(c.id);
    const p = row
      ? check(config.keys, c, row, now)
      : ({ kind: "void", claimed: c, status: "skipped", reason: "message not found" } as const);
    if (p.kind === "unfixed") unfixed.push(p.unfixed);
    else prepared.push(p);
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
      phoneEnc: patients.phoneEnc,
      phoneVerifiedAt: patients.phoneVerifiedAt,
      language: patients.language,
      smsEnabled: notificationPreferences.smsEnabled,
      smsConsentAt: notificationPreferences.smsConsentAt,
      visitStatus: appointments.status,
      startsAt: slots.startsAt,
      endsAt: slots.endsAt,
      timeZone: clinics.timeZone,
      smsName: clinics.smsName,
      cutoffHours: effectiveCutoffHoursSql,
      minLeadMinutes: clinics.reminderMinLeadMinutes,
      selfService: sql<boolean>`(${clinics.selfServiceCancel} and ${appointmentTypes.cancellable}) or (${clinics.selfServiceRebook} and ${appointmentTypes.rebookable})`,
      pushOpenedAt: push.openedAt,
    })
    .from(messages)
    .innerJoin(patients, eq(patients.id, messages.patientId))
    .leftJoin(notificationPreferences, eq(notificationPreferences.patientId, messages.patientId))
    .leftJoin(appointments, eq(appointments.id, messages.appointmentId))
    .leftJoin(slots, eq(slots.id, appointments.slotId))
    .leftJoin(clinics, eq(clinics.id, slots.clinicId))
    .leftJoin(appointmentTypes, eq(appointmentTypes.id, slots.typeId))
    .leftJoin(push, eq(push.id, messages.fallbackFor))
    .where(inArray(messages.id, ids));
}

type Row = Awaited<ReturnType<typeof selectBatch>>[number];

/** The checks of one row, in the order they always ran; no database work. */
function check(keys: PiiKeys, c: Claimed, row: Row, now: Date): Ready | Void | { kind: "unfixed"; unfixed: Unfixed } {
  const skip = (reason: string): Void => ({ kind: "void", claimed: c, status: "skipped", reason });
  const cancel = (reason: string): Void => ({ kind: "void", claimed: c, status: "cancelled", reason });
  const base = { claimed: c, purpose: row.purpose, idempotencyKey: row.idempotencyKey };

  if (row.purpose !== "reminder") {
    // Other SMS (e.g. a phone verification code) are written complete, recipient and text included.
    if (!row.toEnc || !row.bodyEnc) return skip("no recipient or text");
    return {
      kind: "ready",
      ...base,
      to: decryptPii(row.toEnc, keys),
      text: decryptPii(row.bodyEnc, keys),
      visit: null,
    };
  }

  // A reminder: the visit must still be booked, upcoming and at the time the key was made for.
  if (!row.appointmentId) return skip("no appointment");
  if (row.visitStatus !== "booked" || !row.startsAt || !row.endsAt || !row.timeZone || row.smsName === null)
    return cancel("appointment not booked");
  if (!keyMatchesStart(row.idempotencyKey, row.startsAt)) return cancel("appointment moved");
  if (row.startsAt.getTime() <= now.getTime()) return skip("appointment started");
  if (!row.smsEnabled || !row.smsConsentAt) return skip("no SMS consent");
  // Push first: the patient already opened the push reminder, so this SMS is not needed.
  if (row.fallbackFor && row.pushOpenedAt) return skip("push opened");
  const visit = { startsAt: row.startsAt, timeZone: row.timeZone };

  if (row.toEnc && row.bodyEnc)
    return { kind: "ready", ...base, to: decryptPii(row.toEnc, keys), text: decryptPii(row.bodyEnc, keys), visit };
  if (!row.phoneEnc || !row.phoneVerifiedAt) return skip("no verified phone");
  return {
    kind: "unfixed",
    unfixed: {
      ...base,
      to: decryptPii(row.phoneEnc, keys),
      visit,
      appointmentId: row.appointmentId,
      endsAt: row.endsAt,
      lang: row.language === "en" ? "en" : "sv",
      smsName: row.smsName,
      // Asked now, at the moment the text is written, not when the reminder was planned: a late
      // send (a worker that was down, a retry) must not promise a change that has become impossible.
      offersChange: offersChangeWhenSent(now, {
        deadline: changeDeadline({
          startsAt: row.startsAt,
          cutoffHours: Number(row.cutoffHours),
          timeZone: row.timeZone,
        }),
        minLeadMinutes: row.minLeadMinutes ?? 0,
        selfService: Boolean(row.selfService),
      }),
    },
  };
}

/**
 * Writes the recipient and text of the batch's new reminders, only where still unset (two workers
 * racing here, one of them past its lease, keep one text), and stores the deep links of the texts
 * that were kept, in one transaction. A row another worker fixed first is sent with its text.
 */
async function fixTexts(config: SmsDispatchConfig, unfixed: Unfixed[], now: Date): Promise<Prepared[]> {
  if (unfixed.length === 0) return [];
  const { db, keys } = config;
  const drafts = unfixed.map((u) => {
    const token = newLinkToken();
    const link = new URL(`/l/${token}`, config.publicBaseUrl).toString();
    const text = reminderText({
      lang: u.lang,
      startsAt: u.visit.startsAt,
      timeZone: u.visit.timeZone,
      clinicSmsName: u.smsName,
      link,
      offersChange: u.offersChange,
    });
    return { u, token, text };
  });
  const kept = await db.transaction(async (tx) => {
    const values = drafts.map(
      (d) => sql`(${d.u.claimed.id}::uuid, ${encryptPii(d.u.to, keys)}::text, ${encryptPii(d.text, keys)}::text)`,
    );
    const stored = await tx.execute(sql`
      update messages m set to_enc = v.to_enc, body_enc = v.body_enc, updated_at = ${now.toISOString()}::timestamptz
      from (values ${sql.join(values, sql`, `)}) as v(id, to_enc, body_enc)
      where m.id = v.id and m.body_enc is null
      returning m.id`);
    const ids = new Set(rowsOf<{ id: string }>(stored).map((r) => r.id));
    const mine = drafts.filter((d) => ids.has(d.u.claimed.id));
    await storeAppointmentLinks(
      tx,
      mine.map((d) => ({ token: d.token, appointmentId: d.u.appointmentId, expiresAt: d.u.endsAt })),
      now,
    );
    return ids;
  });
  const ready = (u: Unfixed, to: string, text: string): Ready => ({
    kind: "ready",
    claimed: u.claimed,
    purpose: u.purpose,
    idempotencyKey: u.idempotencyKey,
    to,
    text,
    visit: u.visit,
  });
  const lost = drafts.filter((d) => !kept.has(d.u.claimed.id)).map((d) => d.u);
  const theirs =
    lost.length === 0
      ? []
      : await db
          .select({ id: messages.id, toEnc: messages.toEnc, bodyEnc: messages.bodyEnc })
          .from(messages)
          .where(
            inArray(
              messages.id,
              lost.map((u) => u.claimed.id),
            ),
          );
  const theirById = new Map(theirs.map((r) => [r.id, r]));
  return [
    ...drafts.filter((d) => kept.has(d.u.claimed.id)).map((d) => ready(d.u, d.u.to, d.text)),
    ...lost.map((u): Prepared => {
      const t = theirById.get(u.claimed.id);
      return t?.toEnc && t.bodyEnc
        ? ready(u, decryptPii(t.toEnc, keys), decryptPii(t.bodyEnc, keys))
        : { kind: "later", claimed: u.claimed };
    }),
  ];
}

/**
 * Bounds the gateway calls in flight to `concurrency`, shared by the passes a worker overlaps
 * (see startSmsWorker).
 */
export class SendSlots {
  private readonly waiting: (() => void)[] = [];
  constructor(private free: number) {}

  async acquire(): Promise<void> {
    if (this.free > 0) this.free -= 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free += 1;
  }
}

/** Sends the ready rows, at most `concurrency` at a time, each only after a fresh fence. */
async function sendAll(
  config: SmsDispatchConfig,
  ready: Ready[],
  claimedAt: number,
  writer: OutcomeWriter,
  slots: SendSlots,
  now: () => Date,
  count: (o: Outcome) => void,
): Promise<void> {
  const concurrency = Math.max(1, config.concurrency ?? DEFAULT_SMS_CONCURRENCY);
  const fences = new Fences(config, ready, claimedAt, concurrency * 4, now);
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, ready.length) }, async () => {
    for (;;) {
      // The slot first, then the row and its fence: a fence is asked for only when its send can
      // start at once, and rows are taken (and fenced in chunks) in order.
      await slots.acquire();
      if (next >= ready.length) {
        slots.release();
        return;
      }
      const i = next++;
      try {
        count(await sendOne(config, ready[i]!, fences.ours(i), writer, now));
      } finally {
        slots.release();
      }
    }
  });
  await Promise.all(lanes);
}

async function sendOne(
  config: SmsDispatchConfig,
  item: Ready,
  fence: Promise<boolean>,
  writer: OutcomeWriter,
  now: () => Date,
): Promise<Outcome> {
  try {
    // A worker whose lease ran out while it waited must not send the row as well.
    if (!(await fence)) return "skipped";
  } catch (error) {
    // A database hiccup: the lease runs out and another pass takes the row again.
    config.log?.(
      `sms worker: message ${item.claimed.id} left for retry (${error instanceof Error ? error.name : "unknown"})`,
    );
    return "retried";
  }
  let sent: SentSms;
  try {
    sent = await config.gateway.send({
      idempotencyKey: item.idempotencyKey,
      from: config.sender,
      to: item.to,
      text: item.text,
      callbackUrl: deliveryCallbackUrl(config.publicBaseUrl, config.webhookSecret, item.claimed.id),
    });
  } catch (error) {
    return failed(config, item, error, writer, now());
  }
  writer.sent({ id: item.claimed.id, providerId: sent.providerId, parts: sent.parts }, now());
  return "sent";
}

function failed(config: SmsDispatchConfig, item: Ready, error: unknown, writer: OutcomeWriter, at: Date): Outcome {
  const smsError = error instanceof SmsError ? error : new SmsError("unexpected send error", { retryable: true });
  // SmsError messages carry no numbers or texts (the adapter masks the operator's reason).
  const lastError = smsError.message.slice(0, 300);
  if (!smsError.retryable) {
    writer.final({ ...item.claimed, status: "failed", dueAt: null, lastError }, at);
    return "failed";
  }
  const retryAt = nextAttemptAt(config, item.claimed.attempts, at, item);
  if (item.claimed.attempts >= (config.maxAttempts ?? 5) || retryAt === null) {
    writer.final({ ...item.claimed, status: "dead", dueAt: null, lastError }, at);
    config.log?.(`sms worker: message ${item.claimed.id} dead after ${item.claimed.attempts} attempts`);
    return "dead";
  }
  writer.final({ ...item.claimed, status: "queued", dueAt: retryAt, lastError }, at);
  return "retried";
}

/** Exponential backoff; a reminder's retry respects quiet hours and is pointless after the visit. */
function nextAttemptAt(config: SmsDispatchConfig, attempts: number, at: Date, prepared: Ready): Date | null {
  const base = config.retryBaseMs ?? 30_000;
  let when = new Date(at.getTime() + Math.min(base * 2 ** Math.max(0, attempts - 1), 3_600_000));
  if (prepared.purpose === "reminder" && prepared.visit) {
    const quiet = config.quietHours ?? DEFAULT_QUIET_HOURS;
    if (isInQuietHours(when, prepared.visit.timeZone, quiet))
      when = nextQuietHoursEnd(when, prepared.visit.timeZone, quiet);
    if (when.getTime() >= prepared.visit.startsAt.getTime()) return null;
  }
  return when;
}

/**
 * Fencing: right before a send, the row must still be ours (still sending, same attempt number)
 * and its lease renewed. One statement fences a chunk of the rows about to be sent. A fence is
 * trusted for a quarter of the lease only (real time), so a send that starts under it ends (the
 * lease is at least twice the send timeout) before the lease can run out under it; a row whose
 * fence has grown older than that, behind slow sends, is fenced again.
 *
 * A first attempt needs no fence statement while its claim is that young: the claim itself made it
 * ours with attempts 1 and a full lease, nobody has ever sent it (so no earlier worker or delivery
 * report can be in the way), and no other worker can take it before the lease runs out. A retaken
 * row (attempts > 1) is always fenced: its previous worker, or that send's report, may be late.
 */
class Fences {
  private readonly fences: ({ at: number; ours: Promise<boolean> } | undefined)[] = [];
  private readonly maxAgeMs: number;

  constructor(
    private readonly config: SmsDispatchConfig,
    private readonly items: Ready[],
    private readonly claimedAt: number,
    private readonly chunk: number,
    private readonly now: () => Date,
  ) {
    this.maxAgeMs = leaseOf(config) / 4;
  }

  ours(i: number): Promise<boolean> {
    if (this.claimCovers(i)) return CLAIM_IS_FENCE;
    if (!this.isFresh(i)) this.fenceFrom(i);
    return this.fences[i]!.ours;
  }

  private claimCovers(i: number): boolean {
    return this.items[i]!.claimed.attempts === 1 && performance.now() - this.claimedAt < this.maxAgeMs;
  }

  private isFresh(i: number): boolean {
    const f = this.fences[i];
    return f !== undefined && performance.now() - f.at < this.maxAgeMs;
  }

  /** Fences row i and the next rows without a fresh fence, up to a chunk. */
  private fenceFrom(i: number): void {
    const picked: number[] = [];
    for (let j = i; j < this.items.length && picked.length < this.chunk; j++)
      if (j === i || !(this.isFresh(j) || this.claimCovers(j))) picked.push(j);
    const at = performance.now();
    const now = this.now();
    const rows = this.config.db
      .update(messages)
      .set({ leaseExpiresAt: new Date(now.getTime() + leaseOf(this.config)), updatedAt: now })
      .where(stillOurs(picked.map((j) => this.items[j]!.claimed)))
      .returning({ id: messages.id })
      .then((r) => new Set(r.map((x) => x.id)));
    // A superseded fence may never be awaited: its failure must not be an unhandled rejection.
    rows.catch(() => undefined);
    for (const j of picked) {
      const ours = rows.then((ids) => ids.has(this.items[j]!.claimed.id));
      ours.catch(() => undefined);
      this.fences[j] = { at, ours };
    }
  }
}

const CLAIM_IS_FENCE = Promise.resolve(true);

type SentRow = { id: string; providerId: string; parts: number };
type FinalRow = Claimed & {
  status: "queued" | "failed" | "dead" | "cancelled" | "skipped";
  dueAt: Date | null;
  lastError: string;
};

/**
 * Stores outcomes a batch of rows per statement. Flushed when FLUSH_ROWS have gathered or the
 * oldest has waited FLUSH_MS (at most an eighth of the lease): a sent row must be marked sent long
 * before its lease could run out, or another worker would send it again.
 */
class OutcomeWriter {
  private sentRows: (SentRow & { at: Date })[] = [];
  private finalRows: (FinalRow & { at: Date })[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly writing = new Set<Promise<void>>();

  constructor(private readonly config: SmsDispatchConfig) {}

  sent(row: SentRow, at: Date): void {
    this.sentRows.push({ ...row, at });
    this.schedule();
  }

  final(row: FinalRow, at: Date): void {
    this.finalRows.push({ ...row, at });
    this.schedule();
  }

  async close(): Promise<void> {
    this.flush();
    while (this.writing.size > 0) await Promise.all(this.writing);
  }

  private schedule(): void {
    if (this.sentRows.length + this.finalRows.length >= FLUSH_ROWS) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), Math.min(FLUSH_MS, leaseOf(this.config) / 8));
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const sent = this.sentRows.splice(0);
    const finals = this.finalRows.splice(0);
    if (sent.length === 0 && finals.length === 0) return;
    const write = Promise.all([writeSent(this.config.db, sent), writeFinals(this.config.db, finals)])
      .then(() => undefined)
      .catch((error: unknown) => {
        // Rows stay `sending`: a sent one is marked by its delivery report, the others are taken
        // again when the lease runs out (with the same key and text).
        this.config.log?.(
          `sms worker: ${sent.length + finals.length} outcomes not stored (${error instanceof Error ? error.name : "unknown"})`,
        );
      })
      .finally(() => this.writing.delete(write));
    this.writing.add(write);
  }
}

const FLUSH_ROWS = 100;
const FLUSH_MS = 1_000;

/** Accepted by the operator: sent. No fence: the SMS is out whoever owns the row now. */
async function writeSent(db: Db, rows: (SentRow & { at: Date })[]): Promise<void> {
  if (rows.length === 0) return;
  const values = rows.map(
    (r) => sql`(${r.id}::uuid, ${r.providerId}::text, ${r.parts}::int, ${r.at.toISOString()}::timestamptz)`,
  );
  // A delivery report may already have moved a row on (to sent or delivered): never back.
  await db.execute(sql`
    update messages m set
      status = case when m.status in ('sending', 'queued', 'dead') then 'sent' else m.status end,
      provider_id = coalesce(m.provider_id, v.provider_id),
      parts = v.parts,
      sent_at = coalesce(m.sent_at, v.at),
      last_error = null,
      lease_expires_at = null,
      updated_at = v.at
    from (values ${sql.join(values, sql`, `)}) as v(id, provider_id, parts, at)
    where m.id = v.id`);
}

/** Not sent (void, failed, dead, or back to the queue): only while the row is still ours. */
async function writeFinals(db: Db, rows: (FinalRow & { at: Date })[]): Promise<void> {
  if (rows.length === 0) return;
  const values = rows.map(
    (r) =>
      sql`(${r.id}::uuid, ${r.attempts}::int, ${r.status}::text, ${r.dueAt?.toISOString() ?? null}::timestamptz, ${r.lastError}::text, ${r.at.toISOString()}::timestamptz)`,
  );
  await db.execute(sql`
    update messages m set
      status = v.status,
      due_at = coalesce(v.due_at, m.due_at),
      last_error = v.last_error,
      lease_expires_at = null,
      updated_at = v.at
    from (values ${sql.join(values, sql`, `)}) as v(id, attempts, status, due_at, last_error, at)
    where m.id = v.id and m.attempts = v.attempts and m.status = 'sending'`);
}

export type SmsWorker = PollingLoop;

/**
 * Polls until stopped; a full batch is followed at once by the next pass. Two passes overlap, so
 * one claims and prepares its batch (database round trips, during which it sends nothing) while
 * the other sends; they share the send slots, so `concurrency` stays the bound on calls in flight.
 */
export function startSmsWorker(config: SmsDispatchConfig, opts: { pollMs?: number } = {}): SmsWorker {
  const slots = new SendSlots(Math.max(1, config.concurrency ?? DEFAULT_SMS_CONCURRENCY));
  const loops = Array.from({ length: 2 }, () =>
    startPollingLoop(
      "sms worker",
      async () => {
        const r = await runDueSms(config, { slots });
        if (r.claimed > 0)
          config.log?.(
            `sms worker: ${r.sent} sent, ${r.retried} to retry, ${r.failed} failed, ${r.dead} dead, ${r.skipped} skipped`,
          );
        return { full: r.claimed >= (config.batchSize ?? DEFAULT_SMS_BATCH_SIZE) };
      },
      { pollMs: opts.pollMs, log: config.log },
    ),
  );
  return {
    async stop() {
      await Promise.all(loops.map((loop) => loop.stop()));
    },
  };
}
