// Keeps an appointment's SMS reminders in step with the appointment, inside the caller's
// transaction: the booking, cancel or rebook that makes reminders due or void commits them in the
// same breath, so there is never a booking without its promise to remind (or a cancelled visit
// with a live reminder).
//
// A reminder is a `messages` row (status `queued`, `due_at`) whose idempotency key names the
// appointment, the offset and the visit's start time: a rebook makes new keys (new reminders) and
// the old keys are cancelled; running this twice changes nothing.
import { and, eq, gt, inArray, notInArray, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import {
  appointments,
  appointmentTypes,
  clinics,
  messages,
  notificationPreferences,
  patients,
  pushSubscriptions,
  slots,
} from "@/db/schema";
import { changeDeadline } from "@/lib/appointments/cancellation-policy";
import { effectiveCutoffHoursSql, selfServiceSql } from "@/lib/appointments/effective-cutoff";
import { maySendSms, smsReachabilityColumns } from "@/lib/notifications/sms-consent";
import { computeReminderTimes, type ChangeWindow, type QuietHours, type ReminderOffset } from "./schedule";

export interface SyncOptions {
  /** Overrides the clinic's waking hours (the demo seed passes none, so its inbox fills at once). */
  quietHours?: QuietHours;
  /**
   * Send reminders whose time has passed at once instead of skipping them. Only the demo seed
   * and load tests want this: for a patient, a "3 days before" SMS the moment a visit two days
   * away is booked, or the moment "7 days before" is ticked, is a surprise, not a reminder.
   */
  sendOverdue?: boolean;
}

/** The clinic's waking hours as the quiet hours between them (outside 08:00–21:00 is 21:00–08:00). */
export function quietHoursOf(clinic: { wakingHoursStart: string; wakingHoursEnd: string }): QuietHours {
  return { start: clinic.wakingHoursEnd, end: clinic.wakingHoursStart };
}

export interface SyncResult {
  queued: number;
  cancelled: number;
}

/** UTC start time in a compact, key-safe form: 2030-03-04T09:00:00Z → 20300304T0900Z. */
export function startStamp(startsAt: Date): string {
  return `${startsAt.toISOString().slice(0, 16).replace(/[-:]/g, "")}Z`;
}

export function reminderKey(
  appointmentId: string,
  offsetKey: string,
  startsAt: Date,
  channel: "sms" | "push" = "sms",
): string {
  return `reminder:${appointmentId}:${offsetKey}:${startStamp(startsAt)}:${channel}`;
}

/** True when a reminder key was made for this start time (a rebook makes the old keys stale). */
export function keyMatchesStart(key: string, startsAt: Date): boolean {
  return key.endsWith(`:${startStamp(startsAt)}:sms`) || key.endsWith(`:${startStamp(startsAt)}:push`);
}

/**
 * When the SMS that backs up a push reminder is due: after the clinic's escalation time, but never
 * after the latest moment that still leaves the patient the clinic's lead before the cutoff (the
 * patient must still be able to cancel when the SMS arrives), and never before the push itself.
 */
export function fallbackDueAt(pushDueAt: Date, escalationMinutes: number, cutoffDeadline: Date): Date {
  const escalated = pushDueAt.getTime() + escalationMinutes * 60_000;
  return new Date(Math.max(pushDueAt.getTime(), Math.min(escalated, cutoffDeadline.getTime())));
}

export async function syncAppointmentReminders(
  tx: DbOrTx,
  appointmentId: string,
  now: Date,
  opts: SyncOptions = {},
): Promise<SyncResult> {
  const [row] = await tx
    .select({
      appointmentId: appointments.id,
      status: appointments.status,
      patientId: appointments.patientId,
      startsAt: slots.startsAt,
      timeZone: clinics.timeZone,
      clinicOffsets: clinics.reminderOffsets,
      pushFirst: clinics.pushFirst,
      pushEscalationMinutes: clinics.pushEscalationMinutes,
      cutoffHours: effectiveCutoffHoursSql,
      minLeadMinutes: clinics.reminderMinLeadMinutes,
      wakingHoursStart: clinics.wakingHoursStart,
      wakingHoursEnd: clinics.wakingHoursEnd,
      selfService: selfServiceSql,
      ...smsReachabilityColumns,
      patientOffsets: notificationPreferences.reminderOffsets,
    })
    .from(appointments)
    .innerJoin(slots, eq(slots.id, appointments.slotId))
    .innerJoin(clinics, eq(clinics.id, slots.clinicId))
    .innerJoin(appointmentTypes, eq(appointmentTypes.id, slots.typeId))
    .innerJoin(patients, eq(patients.id, appointments.patientId))
    .leftJoin(notificationPreferences, eq(notificationPreferences.patientId, appointments.patientId))
    .where(eq(appointments.id, appointmentId))
    .limit(1);
  if (!row) return { queued: 0, cancelled: 0 };

  const wanted = new Map<string, Date>();
  const wantedPush = new Map<string, Date>();
  // Offsets whose time had passed: nothing new is queued for them, but a row already queued for
  // one (due a moment ago, the worker not yet round) is left alone rather than withdrawn.
  const passedKeys: string[] = [];
  const upcoming = row.status === "booked" && row.startsAt.getTime() > now.getTime();
  const smsAllowed = upcoming && maySendSms(row);
  // Push first where the clinic wants it and the patient has a device subscribed.
  const [subs] =
    upcoming && row.pushFirst
      ? await tx
          .select({ n: sql<number>`count(*)::int` })
          .from(pushSubscriptions)
          .where(eq(pushSubscriptions.patientId, row.patientId))
      : [{ n: 0 }];
  const pushFirst = Number(subs?.n ?? 0) > 0;
  const deadline = changeDeadline({
    startsAt: row.startsAt,
    cutoffHours: Number(row.cutoffHours),
    timeZone: row.timeZone,
  });
  const change: ChangeWindow = {
    deadline,
    minLeadMinutes: row.minLeadMinutes,
    selfService: Boolean(row.selfService),
  };
  if (smsAllowed || pushFirst) {
    const offsets: ReminderOffset[] =
      row.patientOffsets && row.patientOffsets.length > 0 ? row.patientOffsets : row.clinicOffsets;
    const plans = computeReminderTimes({
      startsAt: row.startsAt,
      offsets,
      timeZone: row.timeZone,
      now,
      channel: "sms" as const,
      quietHours: opts.quietHours ?? quietHoursOf(row),
      change,
      overdue: opts.sendOverdue ? "send_now" : "skip",
    });
    // Reminders already out for this visit time: an overdue offset then adds nothing (it would be
    // a second "reminder" minutes after the first when, say, the patient changes a preference).
    const [out] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(messages)
      .where(
        and(
          eq(messages.appointmentId, appointmentId),
          eq(messages.purpose, "reminder"),
          notInArray(messages.status, ["queued", "cancelled", "skipped"]),
          sql`${messages.idempotencyKey} like ${`%:${startStamp(row.startsAt)}:%`}`,
        ),
      );
    const alreadyReminded = Number(out?.n ?? 0) > 0;
    for (const plan of plans) {
      if (plan.status === "skipped" && plan.reason === "passed") {
        passedKeys.push(reminderKey(appointmentId, plan.offsetKey, row.startsAt, "push"));
        passedKeys.push(reminderKey(appointmentId, plan.offsetKey, row.startsAt));
      }
      if (plan.status !== "due") continue;
      if (plan.adjustment === "overdue" && alreadyReminded) continue;
      if (pushFirst) wantedPush.set(reminderKey(appointmentId, plan.offsetKey, row.startsAt, "push"), plan.dueAt);
      if (smsAllowed) {
        const latest = new Date(deadline.getTime() - row.minLeadMinutes * 60_000);
        const due = pushFirst ? fallbackDueAt(plan.dueAt, row.pushEscalationMinutes, latest) : plan.dueAt;
        wanted.set(reminderKey(appointmentId, plan.offsetKey, row.startsAt), due);
      }
    }
  }

  // Void whatever is queued and no longer wanted (cancelled, rebooked, consent withdrawn, …).
  // Rows already `sending` are past recall: the worker re-checks the appointment before it sends.
  const stale = await tx
    .update(messages)
    .set({ status: "cancelled", updatedAt: now, leaseExpiresAt: null })
    .where(
      and(
        eq(messages.appointmentId, appointmentId),
        eq(messages.purpose, "reminder"),
        eq(messages.status, "queued"),
        wanted.size + wantedPush.size + passedKeys.length > 0
          ? notInArray(messages.idempotencyKey, [...wanted.keys(), ...wantedPush.keys(), ...passedKeys])
          : undefined,
      ),
    )
    .returning({ id: messages.id });

  let queued = 0;
  const pushIds = new Map<string, string>();
  if (wantedPush.size > 0) {
    await tx
      .insert(messages)
      .values(
        [...wantedPush].map(([idempotencyKey, dueAt]) => ({
          patientId: row.patientId,
          appointmentId,
          channel: "push" as const,
          purpose: "reminder",
          idempotencyKey,
          status: "queued" as const,
          dueAt,
          createdAt: now,
          updatedAt: now,
        })),
      )
      .onConflictDoUpdate({
        target: messages.idempotencyKey,
        set: { status: "queued" as const, dueAt: sql`excluded.due_at`, updatedAt: now },
        setWhere: sql`${messages.status} in ('queued', 'cancelled') and ${messages.attempts} = 0`,
      });
    const rows = await tx
      .select({ id: messages.id, key: messages.idempotencyKey })
      .from(messages)
      .where(inArray(messages.idempotencyKey, [...wantedPush.keys()]));
    for (const r of rows) pushIds.set(r.key, r.id);
    queued += wantedPush.size;
  }
  if (wanted.size > 0) {
    const values = [...wanted].map(([idempotencyKey, dueAt]) => ({
      patientId: row.patientId,
      appointmentId,
      channel: "sms" as const,
      purpose: "reminder",
      idempotencyKey,
      status: "queued" as const,
      dueAt,
      fallbackFor: pushIds.get(idempotencyKey.replace(/:sms$/, ":push")) ?? null,
      createdAt: now,
      updatedAt: now,
    }));
    // A key seen before comes back to life only if it never went out (cancelled, or queued and
    // never tried); a key that was sent stays sent, so re-syncing can never send twice.
    const rows = await tx
      .insert(messages)
      .values(values)
      .onConflictDoUpdate({
        target: messages.idempotencyKey,
        set: {
          status: "queued" as const,
          dueAt: sql`excluded.due_at`,
          fallbackFor: sql`excluded.fallback_for`,
          updatedAt: now,
        },
        setWhere: sql`${messages.status} in ('queued', 'cancelled') and ${messages.attempts} = 0`,
      })
      .returning({ id: messages.id });
    queued += rows.length;
  }
  return { queued, cancelled: stale.length };
}

/** After a preference or phone change: every upcoming booked appointment of the patient. */
export async function syncPatientReminders(
  tx: DbOrTx,
  patientId: string,
  now: Date,
  opts: SyncOptions = {},
): Promise<SyncResult> {
  const rows = await tx
    .select({ id: appointments.id })
    .from(appointments)
    .innerJoin(slots, eq(slots.id, appointments.slotId))
    .where(and(eq(appointments.patientId, patientId), eq(appointments.status, "booked"), gt(slots.startsAt, now)));
  const total = { queued: 0, cancelled: 0 };
  for (const r of rows) {
    const result = await syncAppointmentReminders(tx, r.id, now, opts);
    total.queued += result.queued;
    total.cancelled += result.cancelled;
  }
  return total;
}
