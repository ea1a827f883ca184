import type { Db } from "@/db/client";
import { and, eq, sql } from "drizzle-orm";
import { messages } from "@/db/schema";

/**
 * The service worker reports a tapped notification: the SMS fallback is then not needed. Only the
 * patient the push was for can mark it (a message id alone is not enough: marking it opened also
 * stops its SMS fallback).
 */
export async function markPushOpened(db: Db, patientId: string, messageId: string, now: Date): Promise<boolean> {
  const rows = await db
    .update(messages)
    .set({ openedAt: now, status: "opened", updatedAt: now })
    .where(
      and(
        eq(messages.id, messageId),
        eq(messages.patientId, patientId),
        eq(messages.channel, "push"),
        sql`${messages.openedAt} is null`,
      ),
    )
    .returning({ id: messages.id });
  return rows.length > 0;
}
