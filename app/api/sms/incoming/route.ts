// POST /api/sms/incoming?secret=…: replies to our number (46elks `sms_url`).
import { env } from "@/lib/env";
import { smsGateway } from "@/lib/sms/gateway";
import { readWebhookForm } from "@/lib/sms/webhook-request";
import { handleIncomingWebhook } from "@/lib/sms/webhooks";

export const dynamic = "force-dynamic";

export async function POST(request: Request) {
  const secret = env().SMS_WEBHOOK_SECRET;
  const read = await readWebhookForm(request, secret);
  if (!read.ok) return new Response(null, { status: read.status });
  const status = handleIncomingWebhook(smsGateway(), { url: read.url, form: read.form, secret });
  // Empty body: 46elks would send a body back to the patient as a reply.
  return new Response(null, { status });
}
