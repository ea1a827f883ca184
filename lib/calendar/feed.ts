// The personal calendar feed: a long random token (only its hash is stored) that a calendar app
// polls. It shows only time and the clinic's SMS-safe name — a calendar can be shared or synced
// to places the patient forgets about — and cancellations stay in it as CANCELLED.
import { and, eq, gte, ne } from "drizzle-orm";
import type { Db } from "@/db/client";
import { appointments, clinics, notificationPreferences, slots } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { randomToken, sha256Hex } from "@/lib/privacy/crypto";
import { calendarFeedIcs } from "./ics";

/** Creates (or replaces: the old link stops working) the patient's feed token. Shown once. */
export async function createCalendarFeed(
  db: Db,
  patientId: string,
  audit: { ip?: string | null; userAgent?: string | null },
): Promise<string> {
  const token = randomToken(32);
  await db.transaction(async (tx) => {
    await tx
      .insert(notificationPreferences)
      .values({ patientId, calendarFeedTokenHash: sha256Hex(token) })
      .onConflictDoUpdate({
        target: notificationPreferences.patientId,
        set: { calendarFeedTokenHash: sha256Hex(token), updatedAt: new Date() },
      });
    await recordAudit(tx, {
      actorType: "patient",
      actorId: patientId,
      action: "calendar_feed.create",
      resourceType: "calendar_feed",
      patientId,
      ...audit,
    });
  });
  return token;
}

export async function revokeCalendarFeed(
  db: Db,
  patientId: string,
  audit: { ip?: string | null; userAgent?: string | null },
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx
      .update(notificationPreferences)
      .set({ calendarFeedTokenHash: null, updatedAt: new Date() })
      .where(eq(notificationPreferences.patientId, patientId));
    await recordAudit(tx, {
      actorType: "patient",
      actorId: patientId,
      action: "calendar_feed.revoke",
      resourceType: "calendar_feed",
      patientId,
      ...audit,
    });
  });
}

export async function hasCalendarFeed(db: Db, patientId: string): Promise<boolean> {
  const [row] = await db
    .select({ h: notificationPreferences.calendarFeedTokenHash })
    .from(notificationPreferences)
    .where(eq(notificationPreferences.patientId, patientId));
  return Boolean(row?.h);
}

/** The feed for a token, or null for an unknown or revoked one. Past visits older than 30 days are left out. */
export async function calendarFeedFor(db: Db, token: string, now: Date, titleWord: string): Promise<string | null> {
  if (token.length < 32 || token.length > 64) return null;
  const [owner] = await db
    .select({ patientId: notificationPreferences.patientId })
    .from(notificationPreferences)
    .where(eq(notificationPreferences.calendarFeedTokenHash, sha256Hex(token)))
    .limit(1);
  if (!owner) return null;
  const rows = await db
    .select({
      id: appointments.id,
      status: appointments.status,
      version: appointments.version,
      startsAt: slots.startsAt,
      endsAt: slots.endsAt,
      smsName: clinics.smsName,
    })
    .from(appointments)
    .innerJoin(slots, eq(slots.id, appointments.slotId))
    .innerJoin(clinics, eq(clinics.id, slots.clinicId))
    .where(
      and(
        eq(appointments.patientId, owner.patientId),
        gte(slots.startsAt, new Date(now.getTime() - 30 * 86_400_000)),
        // Entered in error: the clinic withdrew it; calendars drop it at their next refresh.
        ne(appointments.status, "entered_in_error"),
      ),
    )
    .limit(500);
  await recordAudit(db, {
    actorType: "patient",
    actorId: owner.patientId,
    action: "calendar_feed.read",
    resourceType: "calendar_feed",
    patientId: owner.patientId,
    details: { count: rows.length },
  });
  return calendarFeedIcs(
    rows.map((r) => ({
      uid: `${r.id}@vardtid`,
      sequence: r.version,
      startsAt: r.startsAt,
      endsAt: r.endsAt,
      summary: `${titleWord}: ${r.smsName}`,
      status: r.status === "cancelled" ? ("CANCELLED" as const) : ("CONFIRMED" as const),
    })),
    { stamp: now },
  );
}
