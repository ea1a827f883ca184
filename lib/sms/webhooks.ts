// The gateway's callbacks, free of Next.js so tests can mount them on a plain HTTP server.
// Both authenticate by the secret in the callback URL (46elks calls plain URLs; the secret is
// compared in constant time) and answer 2xx to anything authentic, known or not, so the operator
// stops retrying. Nothing here logs a number or a text.
import type { Db } from "@/db/client";
import { recordDeliveryReport, webhookSecretMatches } from "./delivery-reports";
import type { SmsGateway } from "./types";

type Parser = Pick<SmsGateway, "parseDeliveryReport" | "parseIncoming">;

export async function handleDeliveryWebhook(
  db: Db,
  gateway: Parser,
  input: { url: URL; form: URLSearchParams; secret: string; now: Date },
): Promise<number> {
  if (!webhookSecretMatches(input.url.searchParams.get("secret"), input.secret)) return 401;
  const report = gateway.parseDeliveryReport(input.form);
  // A form we cannot read will not improve with retries: acknowledge and drop it.
  if (!report) return 204;
  await recordDeliveryReport(db, { messageId: input.url.searchParams.get("m"), report, now: input.now });
  return 204;
}

/**
 * Incoming SMS (replies). The "AVBOKA" reply flow is not built yet: a reply is acknowledged and
 * dropped, and the empty answer body means the operator sends nothing back.
 */
export function handleIncomingWebhook(
  gateway: Parser,
  input: { url: URL; form: URLSearchParams; secret: string },
): number {
  if (!webhookSecretMatches(input.url.searchParams.get("secret"), input.secret)) return 401;
  gateway.parseIncoming(input.form);
  return 204;
}
