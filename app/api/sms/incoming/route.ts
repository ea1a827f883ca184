// POST /api/sms/incoming?secret=…: replies to our number (46elks `sms_url`), for cancel by SMS reply.
// The secret is checked and the body capped before anything is read (lib/sms/incoming-endpoint.ts).
import { receiveIncomingSms } from "@/lib/sms/incoming-endpoint";

export const dynamic = "force-dynamic";

export async function POST(request: Request) {
  // Empty body: 46elks would send a body back to the patient as a reply.
  return new Response(null, { status: await receiveIncomingSms(request) });
}
