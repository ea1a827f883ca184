// An API client's webhook subscription: set its URL (a secret is made the first time and shown
// once), rotate its secret (the old one keeps signing alongside for a day, so the receiver can
// switch without losing an event). Used by `npm run api-client`.
import { eq } from "drizzle-orm";
import type { Db, Tx } from "@/db/client";
import { apiClients, webhookEndpoints } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { encryptPii, type PiiKeys } from "@/lib/privacy/crypto";
import { checkOutboundUrl, resolvesToPublicAddresses } from "@/lib/security/public-address";
import { newWebhookSecret } from "./signing";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** How long the previous secret keeps signing after a rotation. */
export const ROTATION_OVERLAP_MS = 24 * 3_600_000;

export type EndpointResult =
  | { ok: true; url: string; secret: string | null }
  | { ok: false; error: "unknown_client" | "bad_url" | "no_endpoint"; reason?: string };

interface Context {
  keys: PiiKeys;
  production: boolean;
  now: Date;
}

/** Checks a receiver URL: in production https and, resolved now, public addresses only. */
export async function validateWebhookUrl(
  raw: string,
  production: boolean,
): Promise<{ ok: true; url: string } | { ok: false; reason: string }> {
  const checked = checkOutboundUrl(raw, { production });
  if (!checked.ok) return checked;
  if (production && !(await resolvesToPublicAddresses(checked.url)))
    return { ok: false, reason: "resolves to a non-public address (or does not resolve)" };
  return { ok: true, url: checked.url.toString() };
}

/** Sets where a client's events go. Returns the new secret only when the endpoint is new. */
export async function setWebhookEndpoint(db: Db, clientId: string, rawUrl: string, ctx: Context) {
  const valid = await validateWebhookUrl(rawUrl, ctx.production);
  if (!valid.ok) return { ok: false, error: "bad_url", reason: valid.reason } satisfies EndpointResult;
  return db.transaction((tx) => upsertWebhookEndpoint(tx, clientId, valid.url, ctx));
}

/**
 * The write half of setWebhookEndpoint, for a caller that already checked the URL with
 * validateWebhookUrl and holds a transaction (creating a client and its endpoint together).
 */
export async function upsertWebhookEndpoint(
  tx: Tx,
  clientId: string,
  checkedUrl: string,
  ctx: Context,
): Promise<EndpointResult> {
  if (!UUID.test(clientId)) return { ok: false, error: "unknown_client" };
  const [client] = await tx.select({ id: apiClients.id }).from(apiClients).where(eq(apiClients.id, clientId));
  if (!client) return { ok: false, error: "unknown_client" };
  const [existing] = await tx
    .select({ id: webhookEndpoints.id })
    .from(webhookEndpoints)
    .where(eq(webhookEndpoints.apiClientId, clientId))
    .for("update");
  let secret: string | null = null;
  if (existing) {
    await tx
      .update(webhookEndpoints)
      .set({ url: checkedUrl, updatedAt: ctx.now })
      .where(eq(webhookEndpoints.id, existing.id));
  } else {
    secret = newWebhookSecret();
    await tx.insert(webhookEndpoints).values({
      apiClientId: clientId,
      url: checkedUrl,
      secretEnc: encryptPii(secret, ctx.keys),
      createdAt: ctx.now,
      updatedAt: ctx.now,
    });
  }
  await recordAudit(tx, {
    actorType: "system",
    action: "webhook.endpoint.set",
    resourceType: "api_client",
    resourceId: clientId,
    details: { newSecret: secret !== null },
    at: ctx.now,
  });
  return { ok: true, url: checkedUrl, secret };
}

/** A new secret; the current one becomes the previous and keeps signing for ROTATION_OVERLAP_MS. */
export async function rotateWebhookSecret(db: Db, clientId: string, ctx: Context): Promise<EndpointResult> {
  if (!UUID.test(clientId)) return { ok: false, error: "unknown_client" };
  return db.transaction(async (tx): Promise<EndpointResult> => {
    const [endpoint] = await tx
      .select()
      .from(webhookEndpoints)
      .where(eq(webhookEndpoints.apiClientId, clientId))
      .for("update");
    if (!endpoint) {
      const [client] = await tx.select({ id: apiClients.id }).from(apiClients).where(eq(apiClients.id, clientId));
      return { ok: false, error: client ? "no_endpoint" : "unknown_client" };
    }
    const secret = newWebhookSecret();
    await tx
      .update(webhookEndpoints)
      .set({
        secretEnc: encryptPii(secret, ctx.keys),
        previousSecretEnc: endpoint.secretEnc,
        previousUntil: new Date(ctx.now.getTime() + ROTATION_OVERLAP_MS),
        updatedAt: ctx.now,
      })
      .where(eq(webhookEndpoints.id, endpoint.id));
    await recordAudit(tx, {
      actorType: "system",
      action: "webhook.secret.rotate",
      resourceType: "api_client",
      resourceId: clientId,
      at: ctx.now,
    });
    return { ok: true, url: endpoint.url, secret };
  });
}
