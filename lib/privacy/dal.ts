import "server-only";
// The access-log page's data: the logged-in patient's own audit trail, newest first, audited itself.
import { db } from "@/db";
import { asSessionActor, requirePatient } from "@/lib/auth/current-patient";
import { requestMeta } from "@/lib/auth/request-context";
import { listAccessLogPage } from "./access-log";

export async function myAccessLog(opts: { before?: number; limit: number }) {
  const session = await requirePatient("/installningar/atkomst");
  const meta = await requestMeta();
  return asSessionActor(session, () =>
    listAccessLogPage(db(), session.patientId, { before: opts.before, limit: opts.limit, audit: meta }),
  );
}
