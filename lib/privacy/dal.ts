import "server-only";
// The access-log page's data: the logged-in patient's own audit trail, newest first, audited itself;
// and the delete-account page's step-up state.
import { db } from "@/db";
import { asSessionActor, requirePatient } from "@/lib/auth/current-patient";
import { requestMeta } from "@/lib/auth/request-context";
import { listAccessLogPage } from "./access-log";
import { isFreshLogin } from "./delete-account";

export async function myAccessLog(opts: { before?: number; limit: number }) {
  const session = await requirePatient("/installningar/atkomst");
  const meta = await requestMeta();
  return asSessionActor(session, () =>
    listAccessLogPage(db(), session.patientId, { before: opts.before, limit: opts.limit, audit: meta }),
  );
}

/** The delete-account page: whether this login is fresh enough (the step-up) to delete now. */
export async function myAccountDeletion() {
  const session = await requirePatient("/installningar/radera-konto");
  return {
    fresh: await isFreshLogin(db(), session.sessionHash, new Date()),
    actingForChild: session.actingFor !== null,
  };
}
