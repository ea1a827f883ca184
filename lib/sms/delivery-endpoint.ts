import "server-only";
// The delivery-report endpoint's database side: the route hands over the raw request.
import { db } from "@/db";
import { env } from "@/lib/env";
import { smsGateway } from "./gateway";
import { handleDeliveryWebhook } from "./webhooks";

export async function receiveDeliveryReport(request: Request): Promise<number> {
  const form = new URLSearchParams(await request.text());
  return handleDeliveryWebhook(db(), smsGateway(), {
    url: new URL(request.url),
    form,
    secret: env().SMS_WEBHOOK_SECRET,
    now: new Date(),
  });
}
