// Recording and verifying audit events. Every access to and change of patient data calls
// recordAudit inside the same transaction as the access or change itself.
import { and, asc, eq, gt, inArray, sql } from "drizzle-orm";
import { rowsOf, type DbOrTx } from "@/db/client";
import { auditChain, auditEvents } from "@/db/schema";
import { currentActingAs } from "./acting-actor";
import { AUDIT_HASH_VERSION, auditHash, GENESIS_HASH, verifyChain, type ChainProblem } from "./hash-chain";
import { chainHead } from "./sequencer";

export { runActingAs } from "./acting-actor";
export { sealAll, sealAuditChain } from "./sequencer";

// api_client: a booking system calling the FHIR API (actorId = its client_id).
export type ActorType = "patient" | "system" | "clinic" | "anonymous" | "api_client";

export interface AuditEventInput {
  actorType: ActorType;
  actorId?: string | null;
  action: string;
  resourceType?: string | null;
  resourceId?: string | null;
  patientId?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  /** Never a personal number, phone number or name in clear. */
  details?: Record<string, unknown> | null;
  at?: Date;
  /** "guardian": actorId is a guardian acting for patientId (normally set by runActingAs). */
  actorRole?: "guardian" | null;
}

/** A patient event about the child, written while a guardian acts for it, names the guardian. */
function withActingActor(event: AuditEventInput): { actorId: string | null; actorRole: "guardian" | null } {
  const acting = currentActingAs();
  const actorId = event.actorId ?? null;
  if (
    acting &&
    acting.actorPatientId !== acting.subjectPatientId &&
    event.actorType === "patient" &&
    actorId === acting.subjectPatientId
  )
    return { actorId: acting.actorPatientId, actorRole: "guardian" };
  return { actorId, actorRole: event.actorRole ?? null };
}

/**
 * Appends the event to the audit trail in the caller's transaction (or on its own): an INSERT
 * only, no lock and no read, so page views on every app instance run side by side. The row's
 * place in the hash chain is written afterwards by the sequencer (./sequencer.ts); the row is
 * in the table, and in the patient's access log, as soon as the transaction commits.
 */
export async function recordAudit(dbOrTx: DbOrTx, event: AuditEventInput): Promise<void> {
  const actor = withActingActor(event);
  await dbOrTx.insert(auditEvents).values({
    at: event.at ?? new Date(),
    actorType: event.actorType,
    actorId: actor.actorId,
    actorRole: actor.actorRole,
    hashVersion: AUDIT_HASH_VERSION,
    action: event.action,
    resourceType: event.resourceType ?? null,
    resourceId: event.resourceId ?? null,
    patientId: event.patientId ?? null,
    ip: event.ip ?? null,
    userAgent: event.userAgent ? event.userAgent.slice(0, 300) : null,
    details: event.details ?? null,
  });
}

/** How long a version-3 row may wait for the sequencer before verification calls it a problem. */
export const DEFAULT_MAX_UNSEALED_SECONDS = 600;

export interface UnsealedRows {
  count: number;
  oldestSeq: number | null;
  oldestAgeSeconds: number | null;
}

export interface AuditChainReport {
  problems: ChainProblem[];
  unsealed: UnsealedRows;
}

/**
 * Recomputes every link: the version-1/2 rows in seq order (their links are in the rows), then
 * audit_chain in position order from the last of them. Finds a changed row (hash_mismatch), a
 * removed one (gap, missing_row), one written in among sealed rows (broken_link, not_in_chain),
 * and rows the sequencer has not reached for longer than `maxUnsealedSeconds`.
 */
export async function auditChainReport(
  db: DbOrTx,
  opts: { batchSize?: number; maxUnsealedSeconds?: number; now?: Date } = {},
): Promise<AuditChainReport> {
  const batchSize = opts.batchSize ?? 5000;
  const now = opts.now ?? new Date();
  const old = [];
  for (let after = 0; ;) {
    const batch = await db
      .select()
      .from(auditEvents)
      .where(and(gt(auditEvents.seq, after), inArray(auditEvents.hashVersion, [1, 2])))
      .orderBy(asc(auditEvents.seq))
      .limit(batchSize);
    old.push(...batch.map((r) => ({ ...r, prevHash: r.prevHash ?? "", hash: r.hash ?? "" })));
    if (batch.length < batchSize) break;
    after = batch[batch.length - 1]!.seq;
  }
  const problems = verifyChain(old);
  let prev = old.length ? old[old.length - 1]!.hash : GENESIS_HASH;
  let expectedPosition = 1;
  for (let after = 0; ;) {
    const batch = await db
      .select({ link: auditChain, row: auditEvents })
      .from(auditChain)
      .leftJoin(auditEvents, eq(auditEvents.seq, auditChain.auditSeq))
      .where(gt(auditChain.position, after))
      .orderBy(asc(auditChain.position))
      .limit(batchSize);
    for (const { link, row } of batch) {
      const seq = row?.seq ?? link.auditSeq;
      if (link.position !== expectedPosition) problems.push({ seq, kind: "gap", missingAfter: expectedPosition - 1 });
      if (link.prevHash !== prev) problems.push({ seq, kind: "broken_link", expectedPrev: prev });
      if (!row) problems.push({ seq, kind: "missing_row", position: link.position });
      else if (row.hashVersion !== 3) problems.push({ seq, kind: "unknown_version" });
      else if (auditHash(link.prevHash, row) !== link.hash) problems.push({ seq, kind: "hash_mismatch" });
      prev = link.hash;
      expectedPosition = link.position + 1;
    }
    if (batch.length < batchSize) break;
    after = batch[batch.length - 1]!.link.position;
  }
  // Version-3 rows not in the chain: behind the head's cursor they were passed over (an error);
  // after it they are waiting for the sequencer (an error only once too old).
  const head = await chainHead(db);
  const behind = head.xid === null ? sql`false` : sql`(e.xid, e.seq) < (${head.xid}::xid8, ${head.seq})`;
  const waiting = rowsOf<{ seq: string; at: Date | string; behind: boolean }>(
    await db.execute(sql`
      select e.seq, e.at, ${behind} as behind from audit_events e
      where e.hash_version = 3 and not exists (select 1 from audit_chain c where c.audit_seq = e.seq)
      order by e.seq`),
  );
  const maxAge = opts.maxUnsealedSeconds ?? DEFAULT_MAX_UNSEALED_SECONDS;
  let oldest: { seq: number; age: number } | null = null;
  for (const w of waiting) {
    const seq = Number(w.seq);
    const age = Math.round((now.getTime() - new Date(w.at).getTime()) / 1000);
    if (w.behind) problems.push({ seq, kind: "not_in_chain" });
    else if (age > maxAge) problems.push({ seq, kind: "unsealed_too_long", ageSeconds: age });
    if (!oldest || age > oldest.age) oldest = { seq, age };
  }
  return {
    problems,
    unsealed: { count: waiting.length, oldestSeq: oldest?.seq ?? null, oldestAgeSeconds: oldest?.age ?? null },
  };
}

/** Every problem found in the whole chain (empty = intact); see auditChainReport. */
export async function verifyAuditChain(db: DbOrTx, batchSize = 5000): Promise<ChainProblem[]> {
  return (await auditChainReport(db, { batchSize })).problems;
}
