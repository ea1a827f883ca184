// Cancel by replying to the reminder SMS (issue 17, part 3).
//
// Where a clinic has it on and we send from a number that takes replies, a reminder ends with
// "Svara AVBOKA 4821 för att avboka" (4821 names the visit and its time for that number). A reply
// "AVBOKA 4821" from the number the reminder went to, before the cutoff, gets a question back:
// "Svara JA 4821 inom 15 min för att avboka tis 3 dec kl. 14:20 hos Mottagningen Ågatan". Only the
// "JA" cancels, through the same cancel transaction as the app (waitlist job, clinic webhook,
// audit with channel "sms"). Every other case gets one helpful answer:
// - a number we never sent a code to learns nothing about anyone's visits;
// - a code for a time that has since moved gets the visit's new time and its new code;
// - after the cutoff, the clinic's phone number;
// - several visits and no code: the codes back;
// - anything else: what Vårdtid understands, once a day per number at most, so an auto-reply on
//   the patient's phone and our answers can never keep each other going.
//
// The incoming text is never stored or logged (a patient may write anything); what we made of it is.
// (Slightly over ~300 lines: the whole reply conversation, ask, confirm, refuse, in one state machine.)
import { and, eq, gte, inArray } from "drizzle-orm";
import type { Db } from "@/db/client";
import { appointments, messages, patients, smsInbound, smsReplyCodes } from "@/db/schema";
import { isLocale } from "@/i18n/locales";
import { baseQuery, toView, type Row } from "@/lib/appointments/appointment-query";
import { cancelAppointment } from "@/lib/appointments/cancel-appointment";
import { encryptPii, type PiiKeys } from "@/lib/privacy/crypto";
import { smsSafeName, type SmsLanguage } from "./reminder-text";
import { parseReply } from "./reply-parse";
import { assignReplyCodes, claimConfirmation, markPending, phoneHash } from "./reply-codes";
import { codeList, keyword, replyTexts, replyWhen, unknownNumberText, type VisitRef } from "./reply-texts";
import type { IncomingSms, SmsGateway } from "./types";

/** How long a "JA" may follow the question. */
export const CONFIRM_WINDOW_MS = 15 * 60_000;
/** At most this many answers to one number a day, whatever it sends. */
export const MAX_ANSWERS_PER_DAY = 20;
const DAY_MS = 24 * 3_600_000;
const E164 = /^\+[1-9]\d{6,14}$/;

export interface ReplyContext {
  db: Db;
  keys: PiiKeys;
  now: Date;
  /** Our sender: an E.164 number (replies come back to it). */
  sender: string;
  /** Where the answers point patients to (the app's start page). */
  publicBaseUrl: string;
  /** Answers to numbers we know no patient for are sent at once, best effort. */
  gateway: Pick<SmsGateway, "send">;
}

export type ReplyOutcome =
  | "ignored"
  | "duplicate"
  | "confirm_asked"
  | "cancelled"
  | "already_cancelled"
  | "call_clinic"
  | "choose"
  | "moved"
  | "expired"
  | "help"
  | "unknown_number"
  | "silenced";

interface Answer {
  outcome: Exclude<ReplyOutcome, "ignored" | "duplicate" | "silenced">;
  text: string;
  patientId: string | null;
  appointmentId: string | null;
}

type CodeRow = typeof smsReplyCodes.$inferSelect & { language: string };

interface Visit {
  code: CodeRow;
  row: Row;
  lang: SmsLanguage;
  ref: VisitRef;
  /** Booked, upcoming, at the time the code was given for, at a clinic that takes SMS replies. */
  current: boolean;
}

export async function handleSmsReply(ctx: ReplyContext, incoming: IncomingSms): Promise<ReplyOutcome> {
  const { db, now } = ctx;
  // Only numbers can reply; never answer ourselves.
  if (!E164.test(incoming.from) || incoming.from === ctx.sender) return "ignored";
  const [seen] = await db
    .select({ id: smsInbound.id })
    .from(smsInbound)
    .where(eq(smsInbound.providerId, incoming.providerId))
    .limit(1);
  // The operator retries a callback it thinks failed: one reply is handled once.
  if (seen) return "duplicate";

  const hash = phoneHash(incoming.from, ctx.keys);
  const parsed = parseReply(incoming.text);
  const visits = await visitsFor(ctx, hash);
  const answer = await decide(ctx, parsed, visits);

  const since = new Date(now.getTime() - DAY_MS);
  const earlier = await db
    .select({ outcome: smsInbound.outcome })
    .from(smsInbound)
    .where(and(eq(smsInbound.phoneHash, hash), eq(smsInbound.answered, true), gte(smsInbound.receivedAt, since)));
  const generic = (o: string) => o === "help" || o === "unknown_number";
  const silenced =
    earlier.length >= MAX_ANSWERS_PER_DAY || (generic(answer.outcome) && earlier.some((e) => generic(e.outcome)));

  const recorded = await db.transaction(async (tx) => {
    const [inbound] = await tx
      .insert(smsInbound)
      .values({
        providerId: incoming.providerId,
        phoneHash: hash,
        kind: parsed.kind,
        outcome: silenced ? "silenced" : answer.outcome,
        answered: !silenced,
        receivedAt: now,
      })
      .onConflictDoNothing()
      .returning({ id: smsInbound.id });
    if (!inbound) return false;
    // A known patient's answer goes through the outbox like every SMS we send: stored, retried,
    // shown in their list of sent messages.
    if (!silenced && answer.patientId) {
      await tx.insert(messages).values({
        patientId: answer.patientId,
        appointmentId: answer.appointmentId,
        channel: "sms",
        purpose: "sms_reply",
        idempotencyKey: `sms-reply:${incoming.providerId}`,
        status: "queued",
        toEnc: encryptPii(incoming.from, ctx.keys),
        bodyEnc: encryptPii(answer.text, ctx.keys),
        dueAt: now,
      });
    }
    return true;
  });
  if (!recorded) return "duplicate";
  if (silenced) return "silenced";
  if (!answer.patientId) {
    // No patient to file it under: sent directly, once (the gateway de-duplicates by key where it can).
    await ctx.gateway
      .send({
        idempotencyKey: `sms-reply:${incoming.providerId}`,
        from: ctx.sender,
        to: incoming.from,
        text: answer.text,
      })
      .catch(() => undefined);
  }
  return answer.outcome;
}

/** The visits behind every code this number was given, with what the patient may do now. */
async function visitsFor(ctx: ReplyContext, hash: string): Promise<Visit[]> {
  const codes = await ctx.db
    .select({ code: smsReplyCodes, language: patients.language })
    .from(smsReplyCodes)
    .innerJoin(patients, eq(patients.id, smsReplyCodes.patientId))
    .where(eq(smsReplyCodes.phoneHash, hash));
  if (codes.length === 0) return [];
  const rows = await baseQuery(ctx.db).where(
    inArray(appointments.id, [...new Set(codes.map((c) => c.code.appointmentId))]),
  );
  const byId = new Map(rows.map((r) => [r.appointment.id, r]));
  return codes.flatMap(({ code, language }) => {
    const row = byId.get(code.appointmentId);
    if (!row || row.appointment.patientId !== code.patientId) return [];
    const lang: SmsLanguage = isLocale(language) ? language : "sv";
    return [
      {
        code: { ...code, language },
        row,
        lang,
        ref: {
          time: replyWhen(row.slot.startsAt, lang, row.clinic.timeZone),
          clinic: smsSafeName(row.clinic.smsName),
        },
        current:
          row.appointment.status === "booked" &&
          row.slot.id === code.slotId &&
          row.slot.startsAt.getTime() > ctx.now.getTime() &&
          row.clinic.smsReplyCancel,
      },
    ];
  });
}

async function decide(ctx: ReplyContext, parsed: ReturnType<typeof parseReply>, visits: Visit[]): Promise<Answer> {
  const url = ctx.publicBaseUrl;
  if (visits.length === 0)
    return { outcome: "unknown_number", text: unknownNumberText(url), patientId: null, appointmentId: null };
  // The latest code's patient and language speak for the number when no visit is named.
  const latest = [...visits].sort((a, b) => b.code.createdAt.getTime() - a.code.createdAt.getTime())[0]!;
  const help = (): Answer => ({
    outcome: "help",
    text: replyTexts(latest.lang).help(url),
    patientId: latest.code.patientId,
    appointmentId: null,
  });
  const answer = (v: Visit, outcome: Answer["outcome"], text: string): Answer => ({
    outcome,
    text,
    patientId: v.code.patientId,
    appointmentId: v.row.appointment.id,
  });
  const choose = (list: Visit[], kind: "cancel" | "yes", unknownCode: boolean): Answer => {
    const t = replyTexts(latest.lang);
    const items = list
      .sort((a, b) => a.row.slot.startsAt.getTime() - b.row.slot.startsAt.getTime())
      .map((v) => ({ code: v.code.code, time: v.ref.time }));
    const text = `${unknownCode ? `${t.noSuchCode} ` : ""}${t.choose(keyword(latest.lang, kind), codeList(items))}`;
    return { outcome: "choose", text, patientId: latest.code.patientId, appointmentId: null };
  };
  const byCode = (code: string) => visits.find((v) => v.code.code === code);

  if (parsed.kind === "cancel") {
    const current = visits.filter((v) => v.current);
    let v: Visit | undefined;
    if (parsed.code) {
      v = byCode(parsed.code);
      if (!v) return current.length > 0 ? choose(current, "cancel", true) : help();
    } else if (current.length === 1) v = current[0];
    else if (current.length > 1) return choose(current, "cancel", false);
    else return help();
    return askToConfirm(ctx, v!, answer, help);
  }

  if (parsed.kind === "yes") {
    const pending = visits.filter((v) => v.code.pendingUntil && v.code.pendingUntil > ctx.now && !v.code.confirmedAt);
    let v: Visit | undefined;
    if (parsed.code) {
      v = byCode(parsed.code);
      if (!v) return pending.length > 0 ? choose(pending, "yes", true) : help();
    } else if (pending.length === 1) v = pending[0];
    else if (pending.length > 1) return choose(pending, "yes", false);
    else {
      // No question open: the last one asked tells what this "JA" is about (a second "JA", or one too late).
      v = visits
        .filter((x) => x.code.confirmedAt || x.code.pendingUntil)
        .sort((a, b) => lastAsked(b) - lastAsked(a))[0];
      if (!v) return help();
    }
    return confirm(ctx, v!, answer, help);
  }
  return help();
}

const lastAsked = (v: Visit) => Math.max(v.code.confirmedAt?.getTime() ?? 0, v.code.pendingUntil?.getTime() ?? 0);

async function askToConfirm(
  ctx: ReplyContext,
  v: Visit,
  answer: (v: Visit, outcome: Answer["outcome"], text: string) => Answer,
  help: () => Answer,
): Promise<Answer> {
  const t = replyTexts(v.lang);
  if (v.row.appointment.status === "cancelled") return answer(v, "already_cancelled", t.alreadyCancelled(v.ref));
  if (v.row.appointment.status !== "booked" || !v.row.clinic.smsReplyCancel) return help();
  if (v.row.slot.id !== v.code.slotId) return moved(ctx, v, answer);
  const view = toView(v.row, v.lang, ctx.now);
  if (!view.cancel.allowed) {
    if (view.cancel.reason === "past") return help();
    return answer(v, "call_clinic", t.callClinic(v.ref, v.row.clinic.phone));
  }
  await markPending(ctx.db, v.code.id, new Date(ctx.now.getTime() + CONFIRM_WINDOW_MS));
  return answer(v, "confirm_asked", t.confirm(v.code.code, v.ref));
}

/** The visit moved since this code's reminder: its new time, and the code that names it. */
async function moved(
  ctx: ReplyContext,
  v: Visit,
  answer: (v: Visit, outcome: Answer["outcome"], text: string) => Answer,
): Promise<Answer> {
  const t = replyTexts(v.lang);
  const view = toView(v.row, v.lang, ctx.now);
  if (!view.cancel.allowed) return answer(v, "call_clinic", t.callClinic(v.ref, v.row.clinic.phone));
  const [code] = await assignReplyCodes(ctx.db, [
    {
      phoneHash: v.code.phoneHash,
      patientId: v.code.patientId,
      appointmentId: v.row.appointment.id,
      slotId: v.row.slot.id,
    },
  ]);
  return answer(v, "moved", t.moved(v.ref, code!));
}

async function confirm(
  ctx: ReplyContext,
  v: Visit,
  answer: (v: Visit, outcome: Answer["outcome"], text: string) => Answer,
  help: () => Answer,
): Promise<Answer> {
  const t = replyTexts(v.lang);
  if (!(await claimConfirmation(ctx.db, v.code.id, ctx.now))) {
    if (v.row.appointment.status === "cancelled") return answer(v, "already_cancelled", t.alreadyCancelled(v.ref));
    if (v.code.pendingUntil && !v.code.confirmedAt) return answer(v, "expired", t.expired(v.code.code));
    return help();
  }
  const result = await cancelAppointment(ctx.db, v.code.patientId, {
    appointmentId: v.row.appointment.id,
    reason: null,
    now: ctx.now,
    audit: {},
    channel: "sms",
    expectedSlotId: v.code.slotId,
  });
  if (result.ok) return answer(v, "cancelled", t.cancelled(v.ref));
  switch (result.error) {
    case "not_booked":
      return answer(v, "already_cancelled", t.alreadyCancelled(v.ref));
    case "past_cutoff":
    case "not_allowed":
      return answer(v, "call_clinic", t.callClinic(v.ref, v.row.clinic.phone));
    case "stale":
      return moved(ctx, v, answer);
    default:
      return help();
  }
}
