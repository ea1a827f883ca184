// Sends due push reminders (push first, SMS as fallback). Same queue as SMS: `messages` rows of
// channel `push`, claimed with FOR UPDATE SKIP LOCKED. A push reaches the patient's devices now;
// its SMS twin (`fallback_for` = this row) waits for the clinic's escalation time and is skipped by
// the SMS worker if the push was opened. If push cannot reach the patient at all (no subscription
// left, every device gone or failing), the SMS is made due at once.
//
// Push is fire-and-forget by nature (no delivery report), so a push is never retried: a failed one
// escalates to SMS instead, which has its own retries and delivery reports.
//
// Rows are held with the SMS worker's lease (worker/push/lease.ts): a worker that dies mid-batch
// leaves its rows `sending`, and they are claimed again once their lease has run out. That retry
// may reach a device a second time if the first worker died after sending; the payload carries the
// same messageId both times.
import { isLocale } from "@/i18n/locales";
import type { Agent } from "node:https";
import { and, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { appointments, appointmentTypes, clinics, messages, patients, slots } from "@/db/schema";
import { changeDeadline } from "@/lib/appointments/cancellation-policy";
import { effectiveCutoffHoursSql, selfServiceSql } from "@/lib/appointments/effective-cutoff";
import { createAppointmentLink } from "@/lib/links/deep-links";
import { sendPush } from "@/lib/push/send";
import { dropGoneSubscription, patientPushTargets } from "@/lib/push/subscriptions";
import type { VapidKeys } from "@/lib/push/vapid";
import { offersChangeWhenSent } from "@/lib/reminders/schedule";
import { keyMatchesStart } from "@/lib/reminders/sync";
import { reminderPushText } from "@/lib/push/reminder-push-text";
import { assertPublicUrl } from "@/lib/security/public-address";
import { startPollingLoop, type PollingLoop } from "./poll-loop";
import { claimDuePush, DEFAULT_PUSH_BATCH_SIZE, finishPush, renewPushLease } from "./push/lease";

export interface PushDispatchConfig {
  db: Db;
  vapid: VapidKeys;
  now?: () => Date;
  batchSize?: number;
  /** How long a claim is owned. Default 120 s. */
  leaseMs?: number;
  /** Tests: trust a local push service. */
  agent?: Agent;
  /** Tests only: the local push service listens on 127.0.0.1. Never set in production. */
  allowPrivateEndpoints?: boolean;
  /** Tests: DNS for the endpoint check. */
  lookupAll?: (host: string) => Promise<string[]>;
  log?: (line: string) => void;
}

export interface PushPassResult {
  claimed: number;
  sent: number;
  escalated: number;
  skipped: number;
}

/** Makes the SMS twin of a push due now: push could not reach the patient. */
async function escalateNow(db: Db, pushId: string, now: Date): Promise<void> {
  await db
    .update(messages)
    .set({ dueAt: now, updatedAt: now })
    .where(and(eq(messages.fallbackFor, pushId), eq(messages.status, "queued")));
}

export async function runDuePush(config: PushDispatchConfig): Promise<PushPassResult> {
  const clock = config.now ?? (() => new Date());
  const now = clock();
  const { db } = config;
  const result: PushPassResult = { claimed: 0, sent: 0, escalated: 0, skipped: 0 };
  const claimed = await claimDuePush(db, { now, batchSize: config.batchSize, leaseMs: config.leaseMs });
  result.claimed = claimed.length;

  for (const m of claimed) {
    const [visit] = m.appointmentId
      ? await db
          .select({
            status: appointments.status,
            startsAt: slots.startsAt,
            endsAt: slots.endsAt,
            timeZone: clinics.timeZone,
            smsName: clinics.smsName,
            language: patients.language,
            cutoffHours: effectiveCutoffHoursSql,
            minLeadMinutes: clinics.reminderMinLeadMinutes,
            selfService: selfServiceSql,
          })
          .from(appointments)
          .innerJoin(slots, eq(slots.id, appointments.slotId))
          .innerJoin(clinics, eq(clinics.id, slots.clinicId))
          .innerJoin(appointmentTypes, eq(appointmentTypes.id, slots.typeId))
          .innerJoin(patients, eq(patients.id, appointments.patientId))
          .where(eq(appointments.id, m.appointmentId))
          .limit(1)
      : [];
    if (!visit || visit.status !== "booked" || !keyMatchesStart(m.key, visit.startsAt) || visit.startsAt <= now) {
      await finishPush(db, m, "cancelled", now, "appointment not booked at this time");
      result.skipped++;
      continue;
    }
    const targets = await patientPushTargets(db, m.patientId);
    if (targets.length === 0) {
      if (await finishPush(db, m, "failed", now, "no push subscription")) await escalateNow(db, m.id, now);
      result.escalated++;
      continue;
    }
    // A worker that stalled past its lease must not reach the devices as well as its successor.
    if (!(await renewPushLease(db, m, clock(), config.leaseMs))) {
      result.skipped++;
      continue;
    }
    const appointmentId = m.appointmentId!;
    const token = await db.transaction((tx) =>
      createAppointmentLink(tx, { appointmentId, expiresAt: visit.endsAt, now }),
    );
    const lang = isLocale(visit.language) ? visit.language : "sv";
    const text = reminderPushText({
      lang,
      startsAt: visit.startsAt,
      timeZone: visit.timeZone,
      clinicSmsName: visit.smsName,
      offersChange: offersChangeWhenSent(now, {
        deadline: changeDeadline({
          startsAt: visit.startsAt,
          cutoffHours: Number(visit.cutoffHours),
          timeZone: visit.timeZone,
        }),
        minLeadMinutes: visit.minLeadMinutes,
        selfService: Boolean(visit.selfService),
      }),
    });
    const payload = { ...text, url: `/l/${token}`, messageId: m.id, lang };
    let reached = 0;
    for (const target of targets) {
      // The endpoint was checked when saved; check again now, with DNS, before connecting (SSRF).
      if (!config.allowPrivateEndpoints) {
        const ok = await assertPublicUrl(target.endpoint, { resolve: true, lookupAll: config.lookupAll }).then(
          () => true,
          () => false,
        );
        if (!ok) {
          config.log?.("push worker: refused a push endpoint that is not a public https host; subscription removed");
          await dropGoneSubscription(db, target.endpoint);
          continue;
        }
      }
      const r = await sendPush(target, payload, config.vapid, { agent: config.agent });
      if (r.ok) reached++;
      else if (r.gone) await dropGoneSubscription(db, target.endpoint);
    }
    if (reached > 0) {
      await finishPush(db, m, "sent", now, null);
      result.sent++;
    } else {
      if (await finishPush(db, m, "failed", now, "no device reached")) await escalateNow(db, m.id, now);
      result.escalated++;
    }
  }
  if (result.claimed > 0)
    config.log?.(`push worker: ${result.sent} sent, ${result.escalated} escalated to SMS, ${result.skipped} skipped`);
  return result;
}

export type PushWorker = PollingLoop;

/** Polls for due push reminders until stopped. */
export function startPushWorker(config: PushDispatchConfig, opts: { pollMs?: number } = {}): PushWorker {
  return startPollingLoop(
    "push worker",
    async () => ({ full: (await runDuePush(config)).claimed >= (config.batchSize ?? DEFAULT_PUSH_BATCH_SIZE) }),
    { pollMs: opts.pollMs, log: config.log },
  );
}
