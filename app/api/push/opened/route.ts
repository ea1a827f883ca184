import { z } from "zod";
import { db } from "@/db";
import { markPushOpened } from "@/worker/push-dispatch";
import { forbidden, isSameOrigin } from "@/lib/security/same-origin";

export const dynamic = "force-dynamic";

// The service worker reports that the patient opened a push notification. The message id is an
// unguessable uuid and this only sets "opened", so it needs no session (the patient may be logged
// out when tapping the notification); an SMS fallback that waits for it is then not sent.
export async function POST(request: Request) {
  if (!isSameOrigin(request)) return forbidden();
  const parsed = z.object({ messageId: z.uuid() }).safeParse(await request.json().catch(() => null));
  if (!parsed.success) return Response.json({ error: "invalid" }, { status: 400 });
  await markPushOpened(db(), parsed.data.messageId, new Date());
  return new Response(null, { status: 204 });
}
