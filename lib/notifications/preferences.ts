// A patient's reminder settings: SMS consent, a confirmed mobile number, reminder times and the
// language of texts. Every function is scoped to the patient id of the session; each change is
// one transaction with its audit event and the re-synced reminders of the patient's visits.
// (Longer than ~300 lines because the settings page reads and writes one small model: consent,
// phone confirmation, offsets, language, and the two lists the page shows; split when it grows.)
import { isLocale, type Locale } from "@/i18n/locales";
import { verificationText } from "@/lib/sms/reminder-text";
import { randomInt } from "node:crypto";
import { and, asc, desc, eq, gt, gte, inArray, notInArray, sql } from "drizzle-orm";
import { parsePhoneNumberFromString } from "libphonenumber-js/mobile";
import type { Db } from "@/db/client";
import {
  appointments,
  clinics,
  messages,
  notificationPreferences,
  patients,
  phoneVerifications,
  slots,
  type ReminderOffsetConfig,
} from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { decryptPii, encryptPii, keyedHash, randomToken, type PiiKeys } from "@/lib/privacy/crypto";
import { computeReminderTimes, reminderOffsetKey, type ReminderOffset } from "@/lib/reminders/schedule";
import { quietHoursOf, syncPatientReminders } from "@/lib/reminders/sync";

export interface Ctx {
  db: Db;
  keys: PiiKeys;
  patientId: string;
  now: Date;
  audit: { ip?: string | null; userAgent?: string | null };
  /** A guardian acting for the child `patientId`: the child's SMS go to this guardian's number. */
  guardianPatientId?: string | null;
}

/** The reminder times a patient may choose from (keys as in idempotency keys). */
export const OFFSET_CHOICES = {
  d7: { kind: "days_before", days: 7 },
  d3: { kind: "days_before", days: 3 },
  d1: { kind: "days_before", days: 1 },
  h2: { kind: "hours_before", hours: 2 },
} as const satisfies Record<string, ReminderOffsetConfig>;
export type OffsetChoice = keyof typeof OFFSET_CHOICES;

const CODE_TTL_MS = 10 * 60_000;
const MAX_CODE_ATTEMPTS = 5;
const MAX_CODES_PER_HOUR = 5;

/** A Swedish (or other) mobile number in E.164, or null. Swedish is assumed without a country code. */
export function normaliseMobile(input: string): string | null {
  const parsed = parsePhoneNumberFromString(input.trim(), "SE");
  // The `mobile` metadata makes isValid() true only for mobile numbers.
  if (!parsed || !parsed.isValid()) return null;
  return parsed.number;
}

/** "+46 70 *** ** 05": enough to recognise one's own number, not enough to leak it from a screen. */
export function maskPhone(e164: string): string {
  const national = e164.startsWith("+46") ? `0${e164.slice(3)}` : e164;
  return `${national.slice(0, 3)}-*** ** ${national.slice(-2)}`;
}

async function audit(
  ctx: Ctx,
  tx: Parameters<Parameters<Db["transaction"]>[0]>[0],
  action: string,
  details?: Record<string, unknown>,
) {
  await recordAudit(tx, {
    actorType: "patient",
    actorId: ctx.patientId,
    action,
    resourceType: "notification_preferences",
    resourceId: ctx.patientId,
    patientId: ctx.patientId,
    ...ctx.audit,
    details: details ?? null,
    at: ctx.now,
  });
}

async function ensurePreferences(tx: Parameters<Parameters<Db["transaction"]>[0]>[0], patientId: string) {
  await tx.insert(notificationPreferences).values({ patientId }).onConflictDoNothing();
}

export interface NotificationSettings {
  smsEnabled: boolean;
  smsConsentAt: Date | null;
  phone: string | null;
  pendingPhone: string | null;
  offsets: OffsetChoice[];
  language: Locale;
  /** Acting for a child: `phone` is the guardian's own confirmed number, where the child's SMS go. */
  viaGuardian: boolean;
}

export async function getNotificationSettings(ctx: Ctx): Promise<NotificationSettings> {
  await recordAudit(ctx.db, {
    actorType: "patient",
    actorId: ctx.patientId,
    action: "notification_settings.read",
    resourceType: "notification_preferences",
    resourceId: ctx.patientId,
    patientId: ctx.patientId,
    ...ctx.audit,
  });
  const [row] = await ctx.db
    .select({
      phoneEnc: patients.phoneEnc,
      phoneVerifiedAt: patients.phoneVerifiedAt,
      language: patients.language,
      smsEnabled: notificationPreferences.smsEnabled,
      smsConsentAt: notificationPreferences.smsConsentAt,
      reminderOffsets: notificationPreferences.reminderOffsets,
    })
    .from(patients)
    .leftJoin(notificationPreferences, eq(notificationPreferences.patientId, patients.id))
    .where(eq(patients.id, ctx.patientId))
    .limit(1);
  const [pending] = await ctx.db
    .select()
    .from(phoneVerifications)
    .where(and(eq(phoneVerifications.patientId, ctx.patientId), gte(phoneVerifications.expiresAt, ctx.now)))
    .limit(1);
  const chosen = new Set((row?.reminderOffsets ?? []).map((o) => reminderOffsetKey(o)));
  const phoneRow = ctx.guardianPatientId ? await guardianPhoneRow(ctx.db, ctx.guardianPatientId) : row;
  return {
    viaGuardian: Boolean(ctx.guardianPatientId),
    smsEnabled: Boolean(row?.smsEnabled && row.smsConsentAt),
    smsConsentAt: row?.smsConsentAt ?? null,
    phone: phoneRow?.phoneEnc && phoneRow.phoneVerifiedAt ? maskPhone(decryptPii(phoneRow.phoneEnc, ctx.keys)) : null,
    pendingPhone:
      pending && pending.attempts < MAX_CODE_ATTEMPTS ? maskPhone(decryptPii(pending.phoneEnc, ctx.keys)) : null,
    offsets: (Object.keys(OFFSET_CHOICES) as OffsetChoice[]).filter((k) => chosen.has(k)),
    language: isLocale(row?.language) ? row.language : "sv",
  };
}

async function guardianPhoneRow(db: Db | Parameters<Parameters<Db["transaction"]>[0]>[0], guardianId: string) {
  const [g] = await db
    .select({ phoneEnc: patients.phoneEnc, phoneVerifiedAt: patients.phoneVerifiedAt })
    .from(patients)
    .where(eq(patients.id, guardianId))
    .limit(1);
  return g;
}

export type SettingsError = "needs_phone" | "invalid_phone" | "wrong_code" | "expired_code" | "too_many";

/** Consent on or off, recorded with its time and an audit event; reminders follow at once. */
export async function setSmsConsent(
  ctx: Ctx,
  enabled: boolean,
): Promise<{ ok: true } | { ok: false; error: SettingsError }> {
  return ctx.db.transaction(async (tx) => {
    // A guardian turns on the child's SMS to their own confirmed number; anyone else to theirs.
    const p = await guardianPhoneRow(tx, ctx.guardianPatientId ?? ctx.patientId);
    if (enabled && (!p?.phoneEnc || !p.phoneVerifiedAt)) return { ok: false, error: "needs_phone" } as const;
    await ensurePreferences(tx, ctx.patientId);
    await tx
      .update(notificationPreferences)
      .set({
        smsEnabled: enabled,
        smsConsentAt: enabled ? ctx.now : null,
        smsGuardianPatientId: enabled ? (ctx.guardianPatientId ?? null) : null,
        updatedAt: ctx.now,
      })
      .where(eq(notificationPreferences.patientId, ctx.patientId));
    await audit(ctx, tx, enabled ? "notification.sms.consent_given" : "notification.sms.consent_withdrawn", {
      channel: "sms",
    });
    await syncPatientReminders(tx, ctx.patientId, ctx.now);
    return { ok: true } as const;
  });
}

/** Stores a pending number and queues an SMS with a one-time code; the number is used only once confirmed. */
export async function requestPhoneVerification(
  ctx: Ctx,
  input: string,
): Promise<{ ok: true; phone: string } | { ok: false; error: SettingsError }> {
  const phone = normaliseMobile(input);
  if (!phone) return { ok: false, error: "invalid_phone" };
  return ctx.db.transaction(async (tx) => {
    const [recent] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(messages)
      .where(
        and(
          eq(messages.patientId, ctx.patientId),
          eq(messages.purpose, "phone_verification"),
          gte(messages.createdAt, new Date(ctx.now.getTime() - 3_600_000)),
        ),
      );
    if (Number(recent?.n ?? 0) >= MAX_CODES_PER_HOUR) return { ok: false, error: "too_many" } as const;
    const code = String(randomInt(0, 1_000_000)).padStart(6, "0");
    const phoneEnc = encryptPii(phone, ctx.keys);
    const values = {
      phoneEnc,
      codeHash: keyedHash(`${ctx.patientId}:${code}`, ctx.keys),
      attempts: 0,
      expiresAt: new Date(ctx.now.getTime() + CODE_TTL_MS),
    };
    await tx
      .insert(phoneVerifications)
      .values({ patientId: ctx.patientId, ...values })
      .onConflictDoUpdate({ target: phoneVerifications.patientId, set: values });
    const [p] = await tx
      .select({ language: patients.language })
      .from(patients)
      .where(eq(patients.id, ctx.patientId))
      .limit(1);
    const text = verificationText(isLocale(p?.language) ? p.language : "sv", code);
    await tx.insert(messages).values({
      patientId: ctx.patientId,
      channel: "sms",
      purpose: "phone_verification",
      idempotencyKey: `verify:${ctx.patientId}:${randomToken(9)}:sms`,
      status: "queued",
      toEnc: phoneEnc,
      bodyEnc: encryptPii(text, ctx.keys),
      dueAt: ctx.now,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    });
    await audit(ctx, tx, "patient.phone.verification_requested");
    return { ok: true, phone: maskPhone(phone) } as const;
  });
}

export async function confirmPhone(
  ctx: Ctx,
  code: string,
): Promise<{ ok: true } | { ok: false; error: SettingsError }> {
  return ctx.db.transaction(async (tx) => {
    const [pending] = await tx
      .select()
      .from(phoneVerifications)
      .where(eq(phoneVerifications.patientId, ctx.patientId))
      .for("update")
      .limit(1);
    if (!pending || pending.expiresAt <= ctx.now || pending.attempts >= MAX_CODE_ATTEMPTS)
      return { ok: false, error: "expired_code" } as const;
    if (keyedHash(`${ctx.patientId}:${code}`, ctx.keys) !== pending.codeHash) {
      await tx
        .update(phoneVerifications)
        .set({ attempts: pending.attempts + 1 })
        .where(eq(phoneVerifications.patientId, ctx.patientId));
      return { ok: false, error: "wrong_code" } as const;
    }
    await tx
      .update(patients)
      .set({ phoneEnc: pending.phoneEnc, phoneVerifiedAt: ctx.now })
      .where(eq(patients.id, ctx.patientId));
    await tx.delete(phoneVerifications).where(eq(phoneVerifications.patientId, ctx.patientId));
    await audit(ctx, tx, "patient.phone.verified");
    await syncPatientReminders(tx, ctx.patientId, ctx.now);
    return { ok: true } as const;
  });
}

export async function removePhone(ctx: Ctx): Promise<{ ok: true }> {
  return ctx.db.transaction(async (tx) => {
    await tx.update(patients).set({ phoneEnc: null, phoneVerifiedAt: null }).where(eq(patients.id, ctx.patientId));
    await ensurePreferences(tx, ctx.patientId);
    await tx
      .update(notificationPreferences)
      .set({ smsEnabled: false, smsConsentAt: null, updatedAt: ctx.now })
      .where(eq(notificationPreferences.patientId, ctx.patientId));
    await audit(ctx, tx, "patient.phone.removed");
    await syncPatientReminders(tx, ctx.patientId, ctx.now);
    return { ok: true } as const;
  });
}

/** An empty choice means "the clinic's default times". */
export async function setReminderOffsets(ctx: Ctx, choice: OffsetChoice[]): Promise<{ ok: true }> {
  const offsets =
    choice.length === 0
      ? null
      : (Object.keys(OFFSET_CHOICES) as OffsetChoice[])
          .filter((k) => choice.includes(k))
          .map((k) => OFFSET_CHOICES[k] as ReminderOffsetConfig);
  return ctx.db.transaction(async (tx) => {
    await ensurePreferences(tx, ctx.patientId);
    await tx
      .update(notificationPreferences)
      .set({ reminderOffsets: offsets, updatedAt: ctx.now })
      .where(eq(notificationPreferences.patientId, ctx.patientId));
    await audit(ctx, tx, "notification.reminder_offsets.changed", { offsets: choice });
    await syncPatientReminders(tx, ctx.patientId, ctx.now);
    return { ok: true } as const;
  });
}

export async function setTextLanguage(ctx: Ctx, language: Locale): Promise<{ ok: true }> {
  return ctx.db.transaction(async (tx) => {
    await tx.update(patients).set({ language }).where(eq(patients.id, ctx.patientId));
    await audit(ctx, tx, "patient.language.changed", { language });
    return { ok: true } as const;
  });
}

export interface MessageView {
  id: string;
  channel: "sms" | "push";
  /** Why it was not sent, when that is something the patient should see (e.g. "push opened"). */
  skippedBecause: "push_opened" | null;
  purpose: string;
  status: string;
  dueAt: Date;
  sentAt: Date | null;
  deliveredAt: Date | null;
  parts: number | null;
  text: string | null;
  appointmentStartsAt: Date | null;
  timeZone: string;
}

/** The patient's messages that went out or were meant to (not the ones still waiting or withdrawn). */
export async function listMyMessages(ctx: Ctx): Promise<MessageView[]> {
  const rows = await ctx.db
    .select({ m: messages, startsAt: slots.startsAt, timeZone: clinics.timeZone })
    .from(messages)
    .leftJoin(appointments, eq(appointments.id, messages.appointmentId))
    .leftJoin(slots, eq(slots.id, appointments.slotId))
    .leftJoin(clinics, eq(clinics.id, slots.clinicId))
    .where(and(eq(messages.patientId, ctx.patientId), notInArray(messages.status, ["queued", "cancelled"])))
    .orderBy(desc(messages.updatedAt))
    .limit(100);
  await recordAudit(ctx.db, {
    actorType: "patient",
    actorId: ctx.patientId,
    action: "message.list",
    resourceType: "message",
    patientId: ctx.patientId,
    ...ctx.audit,
    details: { count: rows.length },
  });
  return rows.map(({ m, startsAt, timeZone }) => ({
    id: m.id,
    channel: m.channel === "push" ? "push" : "sms",
    skippedBecause: m.status === "skipped" && m.lastError === "push opened" ? "push_opened" : null,
    purpose: m.purpose,
    status: m.status,
    dueAt: m.dueAt,
    sentAt: m.sentAt,
    deliveredAt: m.deliveredAt,
    parts: m.parts,
    // A confirmation code is not worth keeping on screen; a reminder's text, or our answer to the
    // patient's own SMS, is theirs.
    text:
      (m.purpose === "reminder" || m.purpose === "offer" || m.purpose === "sms_reply") && m.bodyEnc
        ? decryptPii(m.bodyEnc, ctx.keys)
        : null,
    appointmentStartsAt: startsAt,
    timeZone: timeZone ?? "Europe/Stockholm",
  }));
}

export interface PlannedVisitReminders {
  appointmentId: string;
  startsAt: Date;
  timeZone: string;
  clinicName: string;
  /** Reminders waiting to go out, earliest first. */
  planned: { channel: "sms" | "push"; dueAt: Date }[];
  /**
   * Reminder times (offset keys such as "d7") that had already passed when they were chosen or
   * the visit was booked, and so are not sent. The settings page says so, so that ticking
   * "7 days before" for a visit in 6 days is not a silent no-op.
   */
  passed: string[];
}

/**
 * The patient's upcoming visits with their planned reminders: what the queue holds, plus the
 * chosen times that will not be sent because they have passed (and were not sent before).
 */
export async function listPlannedReminders(ctx: Ctx): Promise<PlannedVisitReminders[]> {
  const visits = await ctx.db
    .select({
      appointmentId: appointments.id,
      startsAt: slots.startsAt,
      timeZone: clinics.timeZone,
      clinicName: clinics.name,
      clinicOffsets: clinics.reminderOffsets,
      wakingHoursStart: clinics.wakingHoursStart,
      wakingHoursEnd: clinics.wakingHoursEnd,
      patientOffsets: notificationPreferences.reminderOffsets,
    })
    .from(appointments)
    .innerJoin(slots, eq(slots.id, appointments.slotId))
    .innerJoin(clinics, eq(clinics.id, slots.clinicId))
    .leftJoin(notificationPreferences, eq(notificationPreferences.patientId, appointments.patientId))
    .where(
      and(eq(appointments.patientId, ctx.patientId), eq(appointments.status, "booked"), gt(slots.startsAt, ctx.now)),
    )
    .orderBy(asc(slots.startsAt))
    .limit(20);
  if (visits.length === 0) return [];
  const rows = await ctx.db
    .select({
      appointmentId: messages.appointmentId,
      key: messages.idempotencyKey,
      channel: messages.channel,
      status: messages.status,
      dueAt: messages.dueAt,
    })
    .from(messages)
    .where(
      and(
        eq(messages.patientId, ctx.patientId),
        eq(messages.purpose, "reminder"),
        inArray(
          messages.appointmentId,
          visits.map((v) => v.appointmentId),
        ),
      ),
    )
    .orderBy(asc(messages.dueAt));
  return visits.map((v) => {
    const mine = rows.filter((r) => r.appointmentId === v.appointmentId);
    const offsets: ReminderOffset[] =
      v.patientOffsets && v.patientOffsets.length > 0 ? v.patientOffsets : v.clinicOffsets;
    const plans = computeReminderTimes({
      startsAt: v.startsAt,
      offsets,
      timeZone: v.timeZone,
      now: ctx.now,
      channel: "sms",
      quietHours: quietHoursOf(v),
      overdue: "skip",
    });
    // A passed time that did go out (the "3 days before" reminder, two days ago) is not news.
    const wentOut = (offsetKey: string) =>
      mine.some((r) => r.key.includes(`:${offsetKey}:`) && r.status !== "queued" && r.status !== "cancelled");
    return {
      appointmentId: v.appointmentId,
      startsAt: v.startsAt,
      timeZone: v.timeZone,
      clinicName: v.clinicName,
      planned: mine
        .filter((r) => r.status === "queued" && r.dueAt.getTime() < v.startsAt.getTime())
        .map((r) => ({ channel: r.channel === "push" ? ("push" as const) : ("sms" as const), dueAt: r.dueAt })),
      passed: plans
        .filter((p) => p.status === "skipped" && p.reason === "passed" && !wentOut(p.offsetKey))
        .map((p) => p.offsetKey),
    };
  });
}
