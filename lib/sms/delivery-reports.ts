// Delivery reports from the gateway, applied idempotently. The operator retries a report until we
// answer 2xx, and may send `sent` after `delivered`, so a status only ever moves forward.
//
// The callback URL carries our message id (`&m=<uuid>`) next to the secret. That is what makes a
// crashed worker safe: if the operator accepted an SMS but the worker died before storing the
// answer, the `sent` report still tells us the SMS is out (and its provider id), so the row is
// not sent again when its lease runs out.
import { createHash, timingSafeEqual } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { messages } from "@/db/schema";
import type { DeliveryReport } from "./types";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// Not yet known to be out (0), out (1), final word from the network (2).
const RANK: Record<string, number> = {
  queued: 0,
  sending: 0,
  dead: 0,
  cancelled: 0,
  skipped: 0,
  sent: 1,
  delivered: 2,
  failed: 2,
  expired: 2,
  opened: 3,
};

/** Constant-time comparison of the secret in a callback URL (hashed first: lengths may differ). */
export function webhookSecretMatches(given: string | null, expected: string): boolean {
  if (!given) return false;
  const digest = (v: string) => createHash("sha256").update(v).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

export function deliveryCallbackUrl(publicBaseUrl: string, secret: string, messageId: string): string {
  const url = new URL("/api/sms/delivery", publicBaseUrl);
  url.searchParams.set("secret", secret);
  url.searchParams.set("m", messageId);
  return url.toString();
}

/**
 * deliveryCallbackUrl for many messages of one deployment: the URL with its secret is built once
 * (the SMS worker asks it for every send), each message only appends its id.
 */
export function deliveryCallbackUrls(publicBaseUrl: string, secret: string): (messageId: string) => string {
  const base = deliveryCallbackUrl(publicBaseUrl, secret, "");
  return (messageId) => base + encodeURIComponent(messageId);
}

export type ReportOutcome = "updated" | "unchanged" | "unknown";

export async function recordDeliveryReport(
  db: Db,
  input: { messageId: string | null; report: DeliveryReport; now: Date },
): Promise<ReportOutcome> {
  const { report, now } = input;
  return db.transaction(async (tx) => {
    const byId = input.messageId && UUID.test(input.messageId);
    const [row] = await tx
      .select({ id: messages.id, status: messages.status, providerId: messages.providerId, sentAt: messages.sentAt })
      .from(messages)
      .where(byId ? eq(messages.id, input.messageId!) : eq(messages.providerId, report.providerId))
      .for("update")
      .limit(1);
    if (!row) return "unknown";
    // Never trust a report for a message we did not send: once we know the provider's id, a report
    // must name it; before that, only the id in our own (secret) callback URL can vouch for it.
    if (row.providerId !== null && row.providerId !== report.providerId) return "unknown";
    if (row.providerId === null && !byId) return "unknown";
    // Only a message on its way out can be reported on: `sending` (the worker handed it to the
    // operator, perhaps crashing before it stored the answer) or later. A report for a row still
    // queued, cancelled or skipped is not about anything we sent; applying it would mark a reminder
    // delivered that then never goes out (finding 7).
    if (row.status !== "sending" && (RANK[row.status] ?? 0) === 0) return "unknown";
    const current = RANK[row.status] ?? 0;
    const next = RANK[report.status] ?? 0;
    const fields: Partial<typeof messages.$inferInsert> = {};
    if (row.providerId === null) fields.providerId = report.providerId;
    if (row.sentAt === null) fields.sentAt = now;
    if (next > current) {
      fields.status = report.status;
      fields.leaseExpiresAt = null;
      if (report.status === "delivered") fields.deliveredAt = report.deliveredAt ?? now;
    }
    if (Object.keys(fields).length === 0) return "unchanged";
    await tx
      .update(messages)
      .set({ ...fields, updatedAt: now })
      .where(eq(messages.id, row.id));
    return "updated";
  });
}
