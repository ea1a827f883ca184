import { z } from "zod";
import { patientRoute } from "@/lib/auth/patient-route";
import { markPushOpened } from "@/lib/push/opened";

export const dynamic = "force-dynamic";

// The service worker reports that the patient opened a push notification; the SMS fallback that
// waits for it is then not sent. Only the logged-in patient the push was for can mark it: a
// logged-out tap simply lets the fallback SMS go as planned.
export const POST = patientRoute(z.object({ messageId: z.uuid() }), async ({ messageId }, { session, db }) => {
  await markPushOpened(db, session.patientId, messageId, new Date());
  return new Response(null, { status: 204 });
});
