// POST /api/sms/incoming?secret=…: replies to our number (46elks `sms_url`).
import { env } from "@/lib/env";
import { smsGateway } from "@/lib/sms/gateway";
import { handleIncomingWebhook } from "@/lib/sms/webhooks";

export const dynamic = "force-dynamic";

export async function POST(request: Request) {
  const form = new URLSearchParams(await request.text());
  const status = handleIncomingWebhook(smsGateway(), {
    url: new URL(request.url),
    form,
    secret: env().SMS_WEBHOOK_SECRET,
  });
  // Empty body: 46elks would send a body back to the patient as a reply.
  return new Response(null, { status });
}
