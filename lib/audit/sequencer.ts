// The audit trail's sequencer: chains audit rows after the fact, so a request only inserts its
// audit row (in its own transaction) and never waits on a lock shared by every app instance.
// One pass at a time cluster-wide (a transaction-scoped advisory lock taken with try: a second
// sequencer just skips its pass), and the chain table's primary key on the position and unique
// audit row refuse a fork even if two passes ever ran at once.
//
// Which rows may be sealed: rows whose writing transaction has ended, i.e. whose xid is below
// the oldest transaction still running (pg_snapshot_xmin of a snapshot taken in this pass). Such
// a row, if committed, is visible to every later statement; a row of a running transaction is
// not, and may carry a lower seq than rows already committed (sequence values are taken before
// commit). Sealing in (xid, seq) order from the chain head's row onwards therefore never skips a
// row: everything below the head was visible when the head was sealed, and was sealed before it.
import { sql } from "drizzle-orm";
import { rowsOf, type Db, type DbOrTx } from "@/db/client";
import { auditChain } from "@/db/schema";
import { auditHash, GENESIS_HASH } from "./hash-chain";

/** Neither the old request-path lock (7_270_001) nor the migration lock (7_270_002, db/client.ts). */
export const AUDIT_SEQUENCER_LOCK = 7_270_003;

export interface ChainHead {
  position: number;
  hash: string;
  /** The sealed audit row's xid and seq: the pass's cursor (null before the first version-3 row). */
  xid: string | null;
  seq: number | null;
}

/** The chain's last link: the newest audit_chain row, else the last version-1/2 row, else genesis. */
export async function chainHead(db: DbOrTx): Promise<ChainHead> {
  const [h] = rowsOf<{ position: string; hash: string; xid: string | null; seq: string | null }>(
    await db.execute(sql`
      select c.position, c.hash, e.xid::text as xid, e.seq
      from audit_chain c left join audit_events e on e.seq = c.audit_seq
      order by c.position desc limit 1`),
  );
  if (h) return { position: Number(h.position), hash: h.hash, xid: h.xid, seq: h.seq === null ? null : Number(h.seq) };
  const [o] = rowsOf<{ hash: string }>(
    await db.execute(sql`select hash from audit_events where hash_version in (1, 2) order by seq desc limit 1`),
  );
  return { position: 0, hash: o?.hash ?? GENESIS_HASH, xid: null, seq: null };
}

interface RowToSeal {
  seq: string;
  at: Date | string;
  actor_type: string;
  actor_id: string | null;
  action: string;
  resource_type: string | null;
  resource_id: string | null;
  patient_id: string | null;
  ip: string | null;
  user_agent: string | null;
  details: Record<string, unknown> | string | null;
  actor_role: string | null;
  hash_version: number;
}

/** The fields a version-3 hash covers, from a raw row (either driver). */
export function fieldsOfRow(r: RowToSeal) {
  return {
    seq: Number(r.seq),
    at: r.at instanceof Date ? r.at : new Date(r.at),
    actorType: r.actor_type,
    actorId: r.actor_id,
    action: r.action,
    resourceType: r.resource_type,
    resourceId: r.resource_id,
    patientId: r.patient_id,
    ip: r.ip,
    userAgent: r.user_agent,
    details: typeof r.details === "string" ? (JSON.parse(r.details) as Record<string, unknown>) : r.details,
    actorRole: r.actor_role,
    hashVersion: r.hash_version,
  };
}

export interface SealResult {
  /** Rows chained in this pass. */
  sealed: number;
  /** Another sequencer held the lock: this pass did nothing. */
  busy: boolean;
}

/** One pass: chains up to `limit` ended-transaction rows onto the head, in one transaction. */
export async function sealAuditChain(db: Db, opts: { limit?: number } = {}): Promise<SealResult> {
  const limit = opts.limit ?? 1000;
  return db.transaction(async (tx) => {
    const [lock] = rowsOf<{ ok: boolean }>(
      await tx.execute(sql`select pg_try_advisory_xact_lock(${AUDIT_SEQUENCER_LOCK}) as ok`),
    );
    if (!lock?.ok) return { sealed: 0, busy: true };
    // The horizon first, in its own statement: the rows are read by a later statement, whose
    // snapshot sees every transaction that ended before the horizon was taken.
    const [h] = rowsOf<{ horizon: string }>(
      await tx.execute(sql`select pg_snapshot_xmin(pg_current_snapshot())::text as horizon`),
    );
    const head = await chainHead(tx);
    // The head's audit row is gone (tampering): no safe cursor. Stop sealing; verify names it.
    if (head.position > 0 && head.xid === null)
      throw new Error(`audit chain head (position ${head.position}) names a missing audit row`);
    const after = head.xid === null ? sql`true` : sql`(xid, seq) > (${head.xid}::xid8, ${head.seq})`;
    const rows = rowsOf<RowToSeal>(
      await tx.execute(sql`
        select seq, at, actor_type, actor_id, action, resource_type, resource_id, patient_id, ip,
               user_agent, details, actor_role, hash_version
        from audit_events
        where hash_version = 3 and xid < ${h!.horizon}::xid8 and ${after}
        order by xid, seq
        limit ${limit}`),
    );
    if (rows.length === 0) return { sealed: 0, busy: false };
    let prev = head.hash;
    let position = head.position;
    const links = rows.map((r) => {
      const hash = auditHash(prev, fieldsOfRow(r));
      const link = { position: ++position, auditSeq: Number(r.seq), prevHash: prev, hash };
      prev = hash;
      return link;
    });
    await tx.insert(auditChain).values(links);
    return { sealed: links.length, busy: false };
  });
}

/** Seals until nothing sealable is left (tests, `audit:verify` before checking). */
export async function sealAll(db: Db, limit = 1000): Promise<number> {
  let total = 0;
  for (;;) {
    const r = await sealAuditChain(db, { limit });
    total += r.sealed;
    if (r.busy || r.sealed < limit) return total;
  }
}
