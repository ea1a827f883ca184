// What a patient may see about their own data: who accessed it and when (the audit trail), and a
// full copy to download (GDPR art. 15 and 20). Both are patient-scoped and themselves audited.
import { and, desc, eq, lt, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Db } from "@/db/client";
import {
  apiClients,
  appointments,
  appointmentTypes,
  auditEvents,
  clinics,
  messages,
  notificationPreferences,
  patients,
  pushSubscriptions,
  sessions,
  slots,
  waitlistEntries,
} from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { decryptPii, type PiiKeys } from "./crypto";

export interface AccessEntry {
  seq: number;
  at: Date;
  /** Who: the patient themself, the system (reminders, jobs), clinic staff, or someone not logged in. */
  actor: "self" | "system" | "clinic" | "anonymous" | "other_patient" | "api_client" | "guardian";
  /** For a booking system (api_client): the name it was registered with; for a guardian, their name. */
  actorName?: string;
  action: string;
  resourceType: string | null;
}

type Audit = { ip?: string | null; userAgent?: string | null };

/** The patient's access log, newest first, in pages of `limit` (before = the seq to continue from). */
export async function listAccessLog(
  db: Db,
  patientId: string,
  opts: { before?: number; limit?: number; audit: Audit },
): Promise<AccessEntry[]> {
  const guardian = alias(patients, "guardian");
  const rows = await db
    .select({
      seq: auditEvents.seq,
      at: auditEvents.at,
      actorType: auditEvents.actorType,
      actorId: auditEvents.actorId,
      action: auditEvents.action,
      resourceType: auditEvents.resourceType,
      clientName: apiClients.name,
      actorRole: auditEvents.actorRole,
      guardianGiven: guardian.givenName,
      guardianSurname: guardian.surname,
    })
    .from(auditEvents)
    .leftJoin(
      apiClients,
      and(eq(auditEvents.actorType, "api_client"), eq(sql`${apiClients.id}::text`, auditEvents.actorId)),
    )
    // A guardian who acted for the patient is named (the child and the guardian both know who).
    .leftJoin(guardian, and(eq(auditEvents.actorRole, "guardian"), eq(sql`${guardian.id}::text`, auditEvents.actorId)))
    .where(and(eq(auditEvents.patientId, patientId), opts.before ? lt(auditEvents.seq, opts.before) : undefined))
    .orderBy(desc(auditEvents.seq))
    .limit(Math.min(opts.limit ?? 50, 200));
  // Viewing the log is itself an access; recorded after reading, so it shows up next time.
  await recordAudit(db, {
    actorType: "patient",
    actorId: patientId,
    action: "access_log.read",
    resourceType: "audit_events",
    patientId,
    ...opts.audit,
  });
  return rows.map((r) => ({
    seq: r.seq,
    at: r.at,
    action: r.action,
    resourceType: r.resourceType,
    ...(r.clientName ? { actorName: r.clientName } : {}),
    ...(r.actorRole === "guardian" && r.guardianGiven
      ? { actorName: `${r.guardianGiven} ${r.guardianSurname ?? ""}`.trim() }
      : {}),
    actor:
      r.actorType === "patient"
        ? r.actorRole === "guardian" && r.guardianGiven
          ? "guardian"
          : r.actorId === patientId
            ? "self"
            : "other_patient"
        : (r.actorType as AccessEntry["actor"]),
  }));
}

export interface AccessLogPage {
  entries: AccessEntry[];
  /** The seq to continue from for older events, or null when these are the oldest. */
  olderBefore: number | null;
}

/**
 * One page of the log. Reads one row more than it shows, so "show older" appears only when there
 * is something older: with exactly `limit` events the second page would otherwise be empty.
 */
export async function listAccessLogPage(
  db: Db,
  patientId: string,
  opts: { before?: number; limit: number; audit: Audit },
): Promise<AccessLogPage> {
  const limit = Math.min(Math.max(1, opts.limit), 199);
  const rows = await listAccessLog(db, patientId, { ...opts, limit: limit + 1 });
  const entries = rows.slice(0, limit);
  return { entries, olderBefore: rows.length > limit ? entries.at(-1)!.seq : null };
}

/** Everything Vårdtid holds about the patient, decrypted, as one JSON document. */
export async function exportPatientData(db: Db, patientId: string, keys: PiiKeys, audit: Audit, now: Date) {
  const [patient] = await db.select().from(patients).where(eq(patients.id, patientId)).limit(1);
  if (!patient) return null;
  const [prefs] = await db
    .select()
    .from(notificationPreferences)
    .where(eq(notificationPreferences.patientId, patientId));
  const visits = await db
    .select({
      id: appointments.id,
      status: appointments.status,
      startsAt: slots.startsAt,
      endsAt: slots.endsAt,
      clinic: clinics.name,
      address: clinics.address,
      type: appointmentTypes.nameSv,
      cancelledAt: appointments.cancelledAt,
      cancelReason: appointments.cancelReason,
      rebookedAt: appointments.rebookedAt,
      createdAt: appointments.createdAt,
    })
    .from(appointments)
    .innerJoin(slots, eq(slots.id, appointments.slotId))
    .innerJoin(clinics, eq(clinics.id, slots.clinicId))
    .innerJoin(appointmentTypes, eq(appointmentTypes.id, slots.typeId))
    .where(eq(appointments.patientId, patientId));
  const sent = await db
    .select({
      id: messages.id,
      channel: messages.channel,
      purpose: messages.purpose,
      status: messages.status,
      dueAt: messages.dueAt,
      sentAt: messages.sentAt,
      deliveredAt: messages.deliveredAt,
      bodyEnc: messages.bodyEnc,
    })
    .from(messages)
    .where(eq(messages.patientId, patientId));
  const waiting = await db.select().from(waitlistEntries).where(eq(waitlistEntries.patientId, patientId));
  const devices = await db
    .select({ createdAt: pushSubscriptions.createdAt, userAgent: pushSubscriptions.userAgent })
    .from(pushSubscriptions)
    .where(eq(pushSubscriptions.patientId, patientId));
  const logins = await db
    .select({
      createdAt: sessions.createdAt,
      lastSeenAt: sessions.lastSeenAt,
      revokedAt: sessions.revokedAt,
      userAgent: sessions.userAgent,
      ip: sessions.ip,
    })
    .from(sessions)
    .where(eq(sessions.patientId, patientId));
  const log = await db
    .select({
      at: auditEvents.at,
      actorType: auditEvents.actorType,
      action: auditEvents.action,
      resourceType: auditEvents.resourceType,
      resourceId: auditEvents.resourceId,
    })
    .from(auditEvents)
    .where(eq(auditEvents.patientId, patientId))
    .orderBy(auditEvents.seq);
  await recordAudit(db, {
    actorType: "patient",
    actorId: patientId,
    action: "data.export",
    resourceType: "patient",
    resourceId: patientId,
    patientId,
    ...audit,
    at: now,
  });
  return {
    exportedAt: now.toISOString(),
    patient: {
      personalNumber: decryptPii(patient.personalNumberEnc, keys),
      givenName: patient.givenName,
      surname: patient.surname,
      phone: patient.phoneEnc ? decryptPii(patient.phoneEnc, keys) : null,
      phoneVerifiedAt: patient.phoneVerifiedAt,
      language: patient.language,
      createdAt: patient.createdAt,
    },
    preferences: prefs
      ? {
          smsEnabled: prefs.smsEnabled,
          smsConsentAt: prefs.smsConsentAt,
          pushEnabled: prefs.pushEnabled,
          reminderOffsets: prefs.reminderOffsets,
          calendarFeed: Boolean(prefs.calendarFeedTokenHash),
        }
      : null,
    appointments: visits,
    messages: sent.map(({ bodyEnc, ...m }) => ({ ...m, text: bodyEnc ? decryptPii(bodyEnc, keys) : null })),
    earlierTimeRequests: waiting,
    pushDevices: devices,
    logins,
    accessLog: log,
  };
}
