// The hash chain of audit events: each row's hash covers the previous row's hash and its own
// fields, so an edited, removed or reordered row breaks every link after it.
import { createHash } from "node:crypto";

export interface AuditFields {
  seq: number;
  at: Date;
  actorType: string;
  actorId: string | null;
  action: string;
  resourceType: string | null;
  resourceId: string | null;
  patientId: string | null;
  ip: string | null;
  userAgent: string | null;
  details: Record<string, unknown> | null;
  /** Version 2 and later: "guardian" when a guardian acted for a child. */
  actorRole?: string | null;
  /** Which fields the hash covers (1 = the original set, before actorRole). Absent = 1. */
  hashVersion?: number;
}

/**
 * The version new rows are written with. Version 3 hashes what version 2 does (with 3 as the
 * version), but the link is not in the row: the sequencer writes it to audit_chain afterwards.
 */
export const AUDIT_HASH_VERSION = 3;

export const GENESIS_HASH = "0".repeat(64);

/** JSON with object keys sorted at every depth: jsonb does not keep key order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

/**
 * Version 1 hashes the original fields exactly as before, so rows written before actor_role existed
 * still verify. Version 2 adds actorRole and the version itself: a row cannot be passed off as
 * version 1 to drop its actor role, since the stored version is part of what is hashed.
 */
export function auditHash(prevHash: string, fields: AuditFields): string {
  const version = fields.hashVersion ?? 1;
  const v1 = {
    seq: fields.seq,
    at: fields.at.toISOString(),
    actorType: fields.actorType,
    actorId: fields.actorId,
    action: fields.action,
    resourceType: fields.resourceType,
    resourceId: fields.resourceId,
    patientId: fields.patientId,
    ip: fields.ip,
    userAgent: fields.userAgent,
    details: fields.details,
  };
  let body: string;
  if (version === 1) body = canonicalJson(v1);
  else if (version === 2 || version === 3)
    body = canonicalJson({ ...v1, actorRole: fields.actorRole ?? null, hashVersion: version });
  else throw new RangeError(`unknown audit hash version ${version}`);
  return createHash("sha256").update(prevHash).update("\n").update(body).digest("hex");
}

export type ChainProblem =
  | { seq: number; kind: "hash_mismatch" }
  | { seq: number; kind: "broken_link"; expectedPrev: string }
  | { seq: number; kind: "gap"; missingAfter: number }
  | { seq: number; kind: "unknown_version" }
  // Sequencer design (version 3): the chain row at `position` names an audit row that is gone.
  | { seq: number; kind: "missing_row"; position: number }
  // A version-3 row the sequencer has passed by (its transaction ended before the chain head's)
  // but that is not in the chain: written in afterwards, or its chain row removed.
  | { seq: number; kind: "not_in_chain" }
  // A version-3 row still waiting for the sequencer for longer than allowed.
  | { seq: number; kind: "unsealed_too_long"; ageSeconds: number };

/** Walks rows in seq order and reports every place where the chain does not hold. */
export function verifyChain(rows: (AuditFields & { prevHash: string; hash: string })[]): ChainProblem[] {
  const problems: ChainProblem[] = [];
  let prev = GENESIS_HASH;
  let prevSeq = 0;
  for (const row of rows) {
    if (row.seq !== prevSeq + 1) problems.push({ seq: row.seq, kind: "gap", missingAfter: prevSeq });
    if (row.prevHash !== prev) problems.push({ seq: row.seq, kind: "broken_link", expectedPrev: prev });
    const version = row.hashVersion ?? 1;
    if (version !== 1 && version !== 2) problems.push({ seq: row.seq, kind: "unknown_version" });
    // A version-1 row has nothing in the fields that version 1 does not cover.
    else if (version === 1 && row.actorRole != null) problems.push({ seq: row.seq, kind: "hash_mismatch" });
    else if (auditHash(row.prevHash, row) !== row.hash) problems.push({ seq: row.seq, kind: "hash_mismatch" });
    prev = row.hash;
    prevSeq = row.seq;
  }
  return problems;
}
