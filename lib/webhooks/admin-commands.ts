// The webhook admin commands as plain functions of the database and JSON arguments, returning
// JSON: `npm run webhooks` and `npm run api-client -- webhook …` call them through the admin
// channel (lib/admin), so they work while the demo server holds the PGlite folder. A user mistake
// throws WebhookAdminError, which the channel turns into a one-line message.
import type { Db } from "@/db/client";
import { AdminInputError } from "@/lib/admin/registry";
import { env } from "@/lib/env";
import { rotateWebhookSecret, setWebhookEndpoint, validateWebhookUrl, type EndpointResult } from "./endpoints";
import { listWebhookEvents, replayWebhookEvent, webhookCounts } from "./operations";
import { piiKeysFromEnv } from "@/lib/privacy/crypto";

/** A user mistake: the admin channel answers it as a one-line message, not a failure. */
export class WebhookAdminError extends AdminInputError {}

export function webhookContext() {
  const e = env();
  return {
    keys: piiKeysFromEnv(e),
    production: e.isProduction,
    now: new Date(),
  };
}

const text = (v: unknown, what: string): string => {
  if (typeof v !== "string" || v.trim() === "") throw new WebhookAdminError(`${what} is required`);
  return v.trim();
};

export function endpointAnswer(clientId: string, result: EndpointResult) {
  if (result.ok)
    return {
      client_id: clientId,
      webhook_url: result.url,
      ...(result.secret ? { webhook_secret: result.secret } : {}),
    };
  if (result.error === "unknown_client") throw new WebhookAdminError(`no API client ${clientId}`);
  if (result.error === "no_endpoint")
    throw new WebhookAdminError(`API client ${clientId} has no webhook URL; set one first`);
  throw new WebhookAdminError(`the webhook URL ${result.reason ?? "is not allowed"}`);
}

/** Refuses a bad URL before anything is created (used by `api-client create --webhook-url`). */
export async function assertWebhookUrl(raw: unknown): Promise<string> {
  const url = text(raw, "--webhook-url URL");
  const valid = await validateWebhookUrl(url, env().isProduction);
  if (!valid.ok) throw new WebhookAdminError(`the webhook URL ${valid.reason}`);
  return valid.url;
}

export async function webhookSetCommand(db: Db, args: Record<string, unknown>) {
  const clientId = text(args.clientId, "CLIENT_ID");
  return endpointAnswer(clientId, await setWebhookEndpoint(db, clientId, text(args.url, "URL"), webhookContext()));
}

export async function webhookRotateCommand(db: Db, args: Record<string, unknown>) {
  const clientId = text(args.clientId, "CLIENT_ID");
  const answer = endpointAnswer(clientId, await rotateWebhookSecret(db, clientId, webhookContext()));
  return { ...answer, previous_secret_valid_for_hours: 24 };
}

export async function webhooksListCommand(db: Db, args: Record<string, unknown>) {
  const limit = args.limit === undefined ? 50 : Number(args.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new WebhookAdminError("--limit must be 1 to 1000");
  const events = await listWebhookEvents(db, { failed: args.failed === true, limit });
  return events.map((e) => ({
    event_id: e.eventId,
    type: e.type,
    clinic: e.clinic,
    appointment_id: e.appointmentId,
    created_at: e.createdAt.toISOString(),
    status: e.status,
    receivers: e.receivers.map((r) => ({
      client_id: r.clientId,
      client: r.client,
      status: r.status,
      attempts: r.attempts,
      last_status: r.lastStatus,
      last_error: r.lastError,
      next_attempt_at: r.nextAttemptAt?.toISOString() ?? null,
      delivered_at: r.deliveredAt?.toISOString() ?? null,
      failed_at: r.failedAt?.toISOString() ?? null,
    })),
  }));
}

export async function webhooksReplayCommand(db: Db, args: Record<string, unknown>) {
  const eventId = text(args.eventId, "EVENT_ID");
  const clientId = args.clientId === undefined ? undefined : text(args.clientId, "--client CLIENT_ID");
  const result = await replayWebhookEvent(db, eventId, { now: new Date(), clientId });
  if (!result.ok)
    throw new WebhookAdminError(
      result.error === "not_found"
        ? `no webhook event ${eventId}`
        : `event ${eventId} has no receiver to send it to again (none subscribed, or it is being sent right now)`,
    );
  return { event_id: eventId, requeued: result.requeued };
}

export async function webhooksCountsCommand(db: Db) {
  return webhookCounts(db);
}
