"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import { db } from "@/db";
import { recordAudit } from "@/lib/audit";
import { patientAction, type ActionState } from "@/lib/auth/patient-action";
import { revokeOtherSessions } from "@/lib/auth/sessions";

type EndOthersResult = { status: "ok"; ended: number };

// "End my other logins": the revokes and their audit event commit together, or neither does.
const endOthers = patientAction(z.object({}).loose(), async (_input, { session, ip, userAgent }) => {
  const ended = await db().transaction(async (tx) => {
    const count = await revokeOtherSessions(tx, session.selfPatientId, session.sessionHash, new Date());
    await recordAudit(tx, {
      actorType: "patient",
      actorId: session.selfPatientId,
      action: "auth.sessions.end_others",
      resourceType: "session",
      patientId: session.selfPatientId,
      ip,
      userAgent,
      details: { ended: count },
    });
    return count;
  });
  return { status: "ok" as const, ended };
});

export async function endOtherSessionsAction(
  prev: ActionState<EndOthersResult>,
  formData: FormData,
): Promise<ActionState<EndOthersResult>> {
  const state = await endOthers(prev, formData);
  if (state.status === "ok") redirect(`/installningar/inloggningar?avslutade=${state.ended}`);
  if (state.status === "error" && state.error === "unauthorized")
    redirect("/login?returnTo=%2Finstallningar%2Finloggningar");
  return state;
}
