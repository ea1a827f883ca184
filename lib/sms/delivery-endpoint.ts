import "server-only";
// The delivery-report endpoint's database side: the route hands over the raw request.
import { db } from "@/db";
import { env } from "@/lib/env";
import { smsGateway } from "./gateway";
import { readWebhookForm } from "./webhook-request";
import { handleDeliveryWebhook } from "./webhooks";

export async function receiveDeliveryReport(request: Request): Promise<number> {
  const secret = env().SMS_WEBHOOK_SECRET;
  const read = await readWebhookForm(request, secret);
  if (!read.ok) return read.status;
  return handleDeliveryWebhook(db(), smsGateway(), { url: read.url, form: read.form, secret, now: new Date() });
}
