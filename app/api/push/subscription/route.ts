import { z } from "zod";
import { db } from "@/db";
import { currentSession } from "@/lib/auth/current-patient";
import { requestMeta } from "@/lib/auth/request-context";
import { removePushSubscription, savePushSubscription } from "@/lib/push/subscriptions";
import { forbidden, isSameOrigin } from "@/lib/security/same-origin";

export const dynamic = "force-dynamic";

const subscription = z.object({
  endpoint: z.url().startsWith("https://").max(1000),
  keys: z.object({ p256dh: z.string().min(20).max(200), auth: z.string().min(8).max(100) }),
});

async function guard(request: Request) {
  if (!isSameOrigin(request)) return { error: forbidden() } as const;
  const session = await currentSession();
  if (!session) return { error: Response.json({ error: "unauthorized" }, { status: 401 }) } as const;
  return { session, meta: await requestMeta() } as const;
}

export async function POST(request: Request) {
  const g = await guard(request);
  if ("error" in g) return g.error;
  const parsed = subscription.safeParse(await request.json().catch(() => null));
  if (!parsed.success) return Response.json({ error: "invalid" }, { status: 400 });
  await savePushSubscription(
    db(),
    g.session.patientId,
    { endpoint: parsed.data.endpoint, ...parsed.data.keys, userAgent: g.meta.userAgent },
    g.meta,
  );
  return new Response(null, { status: 204 });
}

export async function DELETE(request: Request) {
  const g = await guard(request);
  if ("error" in g) return g.error;
  const parsed = z.object({ endpoint: z.string().max(1000) }).safeParse(await request.json().catch(() => null));
  if (!parsed.success) return Response.json({ error: "invalid" }, { status: 400 });
  await removePushSubscription(db(), g.session.patientId, parsed.data.endpoint, g.meta);
  return new Response(null, { status: 204 });
}
