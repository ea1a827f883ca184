// The gateway's callbacks, free of Next.js so tests can mount them on a plain HTTP server.
// Both authenticate by the secret in the callback URL (46elks calls plain URLs; the secret is
// compared in constant time) and answer 2xx to anything authentic, known or not, so the operator
// stops retrying. Nothing here logs a number or a text.
import type { Db } from "@/db/client";
import { recordDeliveryReport, webhookSecretMatches } from "./delivery-reports";
import type { IncomingSms, SmsGateway } from "./types";

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
 * Incoming SMS (replies), handed to `onReply` (lib/sms/reply-cancel.ts) when replies are on. The
 * answer body stays empty, so the operator sends nothing back: answers go out through our own
 * send path, where they are stored. A form we cannot read is acknowledged and dropped.
 */
export async function handleIncomingWebhook(
  gateway: Parser,
  input: { url: URL; form: URLSearchParams; secret: string },
  onReply?: (incoming: IncomingSms) => Promise<unknown>,
): Promise<number> {
  if (!webhookSecretMatches(input.url.searchParams.get("secret"), input.secret)) return 401;
  const incoming = gateway.parseIncoming(input.form);
  if (incoming && onReply) await onReply(incoming);
  return 204;
}
