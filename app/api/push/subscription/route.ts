import { z } from "zod";
import { patientRoute } from "@/lib/auth/patient-route";
import { removePushSubscription, savePushSubscription } from "@/lib/push/subscriptions";

export const dynamic = "force-dynamic";

const subscription = z.object({
  endpoint: z.url().startsWith("https://").max(1000),
  keys: z.object({ p256dh: z.string().min(20).max(200), auth: z.string().min(8).max(100) }),
});

export const POST = patientRoute(subscription, async ({ endpoint, keys }, { session, meta, db }) => {
  await savePushSubscription(db, session.patientId, { endpoint, ...keys, userAgent: meta.userAgent }, meta);
  return new Response(null, { status: 204 });
});

export const DELETE = patientRoute(z.object({ endpoint: z.string().max(1000) }), async ({ endpoint }, ctx) => {
  await removePushSubscription(ctx.db, ctx.session.patientId, endpoint, ctx.meta);
  return new Response(null, { status: 204 });
});
