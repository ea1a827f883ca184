import "server-only";
// The incoming-SMS endpoint's server side: the route hands over the raw request. Replies are read
// only when we send from a number that takes them (SMS_SENDER in E.164); otherwise there is no
// reply to read and each callback is acknowledged and dropped.
import { db } from "@/db";
import { env } from "@/lib/env";
import { smsGateway } from "./gateway";
import { handleSmsReply } from "./reply-cancel";
import { isReplyNumber } from "./reply-codes";
import { readWebhookForm } from "./webhook-request";
import { handleIncomingWebhook } from "./webhooks";
import { piiKeysFromEnv } from "@/lib/privacy/crypto";

export async function receiveIncomingSms(request: Request): Promise<number> {
  const e = env();
  // The secret first, then a capped body (finding 12): an anonymous or oversized post costs nothing.
  const read = await readWebhookForm(request, e.SMS_WEBHOOK_SECRET);
  if (!read.ok) return read.status;
  const gateway = smsGateway();
  try {
    return await handleIncomingWebhook(
      gateway,
      { url: read.url, form: read.form, secret: e.SMS_WEBHOOK_SECRET },
      isReplyNumber(e.SMS_SENDER)
        ? (incoming) =>
            handleSmsReply(
              {
                db: db(),
                keys: piiKeysFromEnv(e),
                now: new Date(),
                sender: e.SMS_SENDER,
                publicBaseUrl: e.PUBLIC_BASE_URL,
                gateway,
              },
              incoming,
            )
        : undefined,
    );
  } catch {
    // The operator retries a 5xx; the reply is handled once (its id is recorded), so a retry is safe.
    // Nothing about the message is logged.
    return 503;
  }
}
