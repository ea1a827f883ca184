// POST /api/sms/delivery?secret=…&m=…: 46elks delivery reports (`whendelivered`).
import { db } from "@/db";
import { env } from "@/lib/env";
import { smsGateway } from "@/lib/sms/gateway";
import { handleDeliveryWebhook } from "@/lib/sms/webhooks";

export const dynamic = "force-dynamic";

export async function POST(request: Request) {
  const form = new URLSearchParams(await request.text());
  const status = await handleDeliveryWebhook(db(), smsGateway(), {
    url: new URL(request.url),
    form,
    secret: env().SMS_WEBHOOK_SECRET,
    now: new Date(),
  });
  return new Response(null, { status });
}
