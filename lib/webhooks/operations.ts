// What operators see and do: the recent events with each receiver's state, a replay of one event,
// and the counts for the metrics endpoint (`webhookCounts`, wired into prom-client by issue 15).
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { rowsOf, type Db } from "@/db/client";
import { apiClients, clinics, webhookDeliveries, webhookDispatches, webhookEndpoints } from "@/db/schema";
import { recordAudit } from "@/lib/audit";

export interface WebhookEventListing {
  eventId: string;
  type: string;
  clinic: string;
  appointmentId: string | null;
  createdAt: Date;
  /** Where the event stands, from its receivers (eventStatus). */
  status: WebhookEventStatus;
  receivers: {
    client: string;
    clientId: string;
    status: string;
    attempts: number;
    lastStatus: number | null;
    lastError: string | null;
    nextAttemptAt: Date | null;
    deliveredAt: Date | null;
    failedAt: Date | null;
  }[];
}

export type WebhookEventStatus = "pending" | "sending" | "delivered" | "failed" | "no_receivers";

/**
 * An event's status as an operator needs it, from its receivers: `failed` if any receiver gave up
 * (replay it), else `sending` or `pending` while any is still open, else `delivered`. Before the
 * fan-out it is `pending`; an event no client subscribed to is `no_receivers`, and one from before
 * events carried a body (outbox `dead`) is `failed`.
 */
export function eventStatus(outboxStatus: string, receivers: { status: string }[]): WebhookEventStatus {
  if (outboxStatus === "pending") return "pending";
  if (outboxStatus === "dead" || receivers.some((r) => r.status === "failed")) return "failed";
  if (receivers.some((r) => r.status === "sending")) return "sending";
  if (receivers.some((r) => r.status === "pending")) return "pending";
  return receivers.length > 0 ? "delivered" : "no_receivers";
}

/** The latest events (newest first); with `failed`, only events some receiver gave up on. */
export async function listWebhookEvents(
  db: Db,
  opts: { failed?: boolean; limit?: number } = {},
): Promise<WebhookEventListing[]> {
  const limit = Math.min(Math.max(opts.limit ?? 50, 1), 1000);
  const failedIds = opts.failed
    ? db
        .selectDistinct({ id: webhookDispatches.eventId })
        .from(webhookDispatches)
        .where(eq(webhookDispatches.status, "failed"))
    : undefined;
  const events = await db
    .select({
      eventId: webhookDeliveries.id,
      type: webhookDeliveries.eventType,
      clinic: clinics.name,
      appointmentId: webhookDeliveries.appointmentId,
      createdAt: webhookDeliveries.createdAt,
      status: webhookDeliveries.status,
    })
    .from(webhookDeliveries)
    .innerJoin(clinics, eq(clinics.id, webhookDeliveries.clinicId))
    .where(failedIds ? inArray(webhookDeliveries.id, failedIds) : undefined)
    .orderBy(desc(webhookDeliveries.seq))
    .limit(limit);
  if (events.length === 0) return [];
  const dispatches = await db
    .select({
      eventId: webhookDispatches.eventId,
      client: apiClients.name,
      clientId: apiClients.id,
      status: webhookDispatches.status,
      attempts: webhookDispatches.attempts,
      lastStatus: webhookDispatches.lastStatus,
      lastError: webhookDispatches.lastError,
      nextAttemptAt: webhookDispatches.nextAttemptAt,
      deliveredAt: webhookDispatches.deliveredAt,
      failedAt: webhookDispatches.failedAt,
    })
    .from(webhookDispatches)
    .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDispatches.endpointId))
    .innerJoin(apiClients, eq(apiClients.id, webhookEndpoints.apiClientId))
    .where(
      inArray(
        webhookDispatches.eventId,
        events.map((e) => e.eventId),
      ),
    );
  return events.map((e) => {
    const receivers = dispatches
      .filter((d) => d.eventId === e.eventId)
      .map((d) => ({
        client: d.client,
        clientId: d.clientId,
        status: d.status,
        attempts: d.attempts,
        lastStatus: d.lastStatus,
        lastError: d.lastError,
        nextAttemptAt: d.status === "pending" || d.status === "sending" ? d.nextAttemptAt : null,
        deliveredAt: d.deliveredAt,
        failedAt: d.failedAt,
      }));
    return { ...e, status: eventStatus(e.status, receivers), receivers };
  });
}

export type ReplayResult = { ok: true; requeued: number } | { ok: false; error: "not_found" | "nothing_to_replay" };

/**
 * Sends an event again to its receivers (all of them, or one client's): the same `webhook-id`, a
 * fresh 24-hour retry window. A dispatch in flight right now is left alone. Replayed events may
 * arrive after later events of the same appointment; receivers order by `meta.versionId`.
 */
export async function replayWebhookEvent(
  db: Db,
  eventId: string,
  opts: { now: Date; clientId?: string },
): Promise<ReplayResult> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(eventId))
    return { ok: false, error: "not_found" };
  return db.transaction(async (tx) => {
    const [event] = await tx
      .select({ id: webhookDeliveries.id })
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.id, eventId));
    if (!event) return { ok: false, error: "not_found" } as const;
    const endpointFilter = opts.clientId
      ? inArray(
          webhookDispatches.endpointId,
          tx
            .select({ id: webhookEndpoints.id })
            .from(webhookEndpoints)
            .where(eq(webhookEndpoints.apiClientId, opts.clientId)),
        )
      : undefined;
    const requeued = await tx
      .update(webhookDispatches)
      .set({
        status: "pending",
        nextAttemptAt: opts.now,
        windowStartedAt: opts.now,
        failedAt: null,
        leaseExpiresAt: null,
        updatedAt: opts.now,
      })
      .where(
        and(
          eq(webhookDispatches.eventId, eventId),
          inArray(webhookDispatches.status, ["delivered", "failed", "pending"]),
          endpointFilter,
        ),
      )
      .returning({ id: webhookDispatches.id });
    if (requeued.length === 0) return { ok: false, error: "nothing_to_replay" } as const;
    await recordAudit(tx, {
      actorType: "system",
      action: "webhook.replay",
      resourceType: "webhook_event",
      resourceId: eventId,
      details: { dispatches: requeued.length },
      at: opts.now,
    });
    return { ok: true, requeued: requeued.length } as const;
  });
}

export interface WebhookCounts {
  /** Outbox events not fanned out yet. */
  eventsPending: number;
  dispatches: { pending: number; sending: number; delivered: number; failed: number };
  /** Age of the oldest dispatch still to be delivered, in seconds (0 when none): the lag to alert on. */
  oldestUndeliveredSeconds: number;
}

/** Counts for the metrics endpoint; two aggregate statements. */
export async function webhookCounts(db: Db, now: Date = new Date()): Promise<WebhookCounts> {
  const [events] = rowsOf<{ n: number }>(
    await db.execute(sql`select count(*)::int as n from webhook_deliveries where status = 'pending'`),
  );
  const rows = rowsOf<{ status: string; n: number; oldest: Date | string | null }>(
    await db.execute(sql`
      select status, count(*)::int as n, min(created_at) filter (where status in ('pending', 'sending')) as oldest
      from webhook_dispatches group by status`),
  );
  const dispatches = { pending: 0, sending: 0, delivered: 0, failed: 0 };
  let oldest: number | null = null;
  for (const r of rows) {
    if (r.status in dispatches) dispatches[r.status as keyof typeof dispatches] = Number(r.n);
    if (r.oldest) oldest = Math.min(oldest ?? Infinity, new Date(r.oldest).getTime());
  }
  return {
    eventsPending: Number(events?.n ?? 0),
    dispatches,
    oldestUndeliveredSeconds: oldest === null ? 0 : Math.max(0, Math.round((now.getTime() - oldest) / 1000)),
  };
}
