// Push subscriptions per patient and device. Endpoints are unique: a browser that re-subscribes
// (or a device that changes hands) moves the endpoint to the patient now logged in, but only when it
// proves it is that browser by sending the same keys. Knowing an endpoint alone is not enough to
// take another patient's subscription (their reminders would stop reaching them).
import { and, eq, or } from "drizzle-orm";
import type { Db } from "@/db/client";
import { pushSubscriptions } from "@/db/schema";
import { recordAudit } from "@/lib/audit";

export async function savePushSubscription(
  db: Db,
  patientId: string,
  sub: { endpoint: string; p256dh: string; auth: string; userAgent: string | null },
  audit: { ip?: string | null; userAgent?: string | null },
): Promise<"saved" | "conflict"> {
  return db.transaction(async (tx) => {
    const saved = await tx
      .insert(pushSubscriptions)
      .values({
        patientId,
        endpoint: sub.endpoint,
        p256dh: sub.p256dh,
        auth: sub.auth,
        userAgent: sub.userAgent?.slice(0, 300) ?? null,
      })
      .onConflictDoUpdate({
        target: pushSubscriptions.endpoint,
        set: { patientId, p256dh: sub.p256dh, auth: sub.auth, createdAt: new Date() },
        setWhere: or(
          eq(pushSubscriptions.patientId, patientId),
          and(eq(pushSubscriptions.p256dh, sub.p256dh), eq(pushSubscriptions.auth, sub.auth)),
        ),
      })
      .returning({ id: pushSubscriptions.id });
    if (saved.length === 0) return "conflict";
    await recordAudit(tx, {
      actorType: "patient",
      actorId: patientId,
      action: "push.subscribe",
      resourceType: "push_subscription",
      patientId,
      ...audit,
    });
    return "saved";
  });
}

export async function removePushSubscription(
  db: Db,
  patientId: string,
  endpoint: string,
  audit: { ip?: string | null; userAgent?: string | null },
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx
      .delete(pushSubscriptions)
      .where(and(eq(pushSubscriptions.patientId, patientId), eq(pushSubscriptions.endpoint, endpoint)));
    await recordAudit(tx, {
      actorType: "patient",
      actorId: patientId,
      action: "push.unsubscribe",
      resourceType: "push_subscription",
      patientId,
      ...audit,
    });
  });
}

/** The push service said the subscription is gone (404/410). */
export async function dropGoneSubscription(db: Db, endpoint: string): Promise<void> {
  await db.delete(pushSubscriptions).where(eq(pushSubscriptions.endpoint, endpoint));
}

export async function patientPushTargets(db: Db, patientId: string) {
  return db.select().from(pushSubscriptions).where(eq(pushSubscriptions.patientId, patientId));
}
