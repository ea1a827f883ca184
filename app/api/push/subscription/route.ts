import { z } from "zod";
import { patientRoute } from "@/lib/auth/patient-route";
import { removePushSubscription, savePushSubscription } from "@/lib/push/subscriptions";
import { assertPublicUrl } from "@/lib/security/public-address";

export const dynamic = "force-dynamic";

const subscription = z.object({
  // Only https endpoints of public hosts: the push worker connects to this URL (SSRF otherwise).
  // The worker checks again, with DNS, before each connection.
  endpoint: z
    .string()
    .max(1000)
    .refine(
      (u) =>
        assertPublicUrl(u).then(
          () => true,
          () => false,
        ),
      { message: "endpoint not a public https URL" },
    ),
  keys: z.object({ p256dh: z.string().min(20).max(200), auth: z.string().min(8).max(100) }),
});

export const POST = patientRoute(subscription, async ({ endpoint, keys }, { session, meta, db }) => {
  const saved = await savePushSubscription(
    db,
    session.patientId,
    { endpoint, ...keys, userAgent: meta.userAgent },
    meta,
  );
  // Another patient's endpoint with other keys: refused, and nothing changed (finding 9).
  if (saved === "conflict") return Response.json({ error: "conflict" }, { status: 409 });
  return new Response(null, { status: 204 });
});

export const DELETE = patientRoute(z.object({ endpoint: z.string().max(1000) }), async ({ endpoint }, ctx) => {
  await removePushSubscription(ctx.db, ctx.session.patientId, endpoint, ctx.meta);
  return new Response(null, { status: 204 });
});
