import { cookies } from "next/headers";
import { db } from "@/db";
import { recordAudit } from "@/lib/audit";
import { sessionCookieName } from "@/lib/auth/cookies";
import { currentSession } from "@/lib/auth/current-patient";
import { requestMeta } from "@/lib/auth/request-context";
import { revokeSession } from "@/lib/auth/sessions";
import { forbidden, isSameOrigin } from "@/lib/security/same-origin";

export const dynamic = "force-dynamic";

// Logout revokes the session on the server (a replayed cookie gets nothing), removes the cookie,
// and asks the browser to drop cached pages and stored data of this origin.
export async function POST(request: Request) {
  if (!isSameOrigin(request)) return forbidden();
  const session = await currentSession();
  const meta = await requestMeta();
  if (session) {
    await revokeSession(db(), session.sessionId, new Date());
    await recordAudit(db(), {
      actorType: "patient",
      actorId: session.patientId,
      action: "auth.logout",
      resourceType: "session",
      patientId: session.patientId,
      ip: meta.ip,
      userAgent: meta.userAgent,
    });
  }
  const jar = await cookies();
  jar.delete(sessionCookieName());
  jar.delete("next-auth.csrf-token");
  jar.delete("next-auth.callback-url");
  return new Response(null, {
    status: 303,
    headers: { Location: "/?utloggad=1", "Clear-Site-Data": '"cache", "storage"', "Cache-Control": "no-store" },
  });
}
