import "server-only";
// "Act for": the guardian picks themselves or a child. Only an id the server finds among the
// children they may act for now is stored in the session; the browser's value is never trusted.
// Used by the server action (pages rendered per request) and by POST /api/acting-for (the shell).
import type { Db } from "@/db/client";
import { recordAudit } from "@/lib/audit";
import type { PatientSession } from "@/lib/auth/current-patient";
import { setActingFor } from "@/lib/auth/sessions";
import { mayActFor } from "./custody";
import { guardianRule } from "./dal";

export type ChooseResult = { status: "ok" } | { status: "error"; error: "not_allowed" };

export async function chooseActingFor(
  db: Db,
  session: PatientSession,
  who: "self" | string,
  meta: { ip: string | null; userAgent: string | null },
): Promise<ChooseResult> {
  if (who === "self") {
    await setActingFor(db, session.sessionHash, null);
    return { status: "ok" };
  }
  const child = await mayActFor(db, session.selfPatientId, who, guardianRule());
  if (!child) return { status: "error", error: "not_allowed" };
  await db.transaction(async (tx) => {
    await setActingFor(tx, session.sessionHash, child.patientId);
    await recordAudit(tx, {
      actorType: "patient",
      actorId: session.selfPatientId,
      actorRole: "guardian",
      action: "guardian.act_for",
      resourceType: "patient",
      resourceId: child.patientId,
      patientId: child.patientId,
      ip: meta.ip,
      userAgent: meta.userAgent,
    });
  });
  return { status: "ok" };
}
