"use server";

import { redirect } from "next/navigation";
import { db } from "@/db";
import { recordAudit } from "@/lib/audit";
import { currentSession } from "@/lib/auth/current-patient";
import { requestMeta } from "@/lib/auth/request-context";
import { revokeOtherSessions } from "@/lib/auth/sessions";

export async function endOtherSessions(): Promise<void> {
  const session = await currentSession();
  if (!session) redirect("/login?returnTo=%2Finstallningar%2Finloggningar");
  const ended = await revokeOtherSessions(db(), session.patientId, session.sessionHash, new Date());
  const meta = await requestMeta();
  await recordAudit(db(), {
    actorType: "patient",
    actorId: session.patientId,
    action: "auth.sessions.end_others",
    resourceType: "session",
    patientId: session.patientId,
    ip: meta.ip,
    userAgent: meta.userAgent,
    details: { ended },
  });
  redirect(`/installningar/inloggningar?avslutade=${ended}`);
}
