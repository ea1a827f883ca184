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
}

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

export function auditHash(prevHash: string, fields: AuditFields): string {
  const body = canonicalJson({
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
  });
  return createHash("sha256").update(prevHash).update("\n").update(body).digest("hex");
}

export type ChainProblem =
  | { seq: number; kind: "hash_mismatch" }
  | { seq: number; kind: "broken_link"; expectedPrev: string }
  | { seq: number; kind: "gap"; missingAfter: number };

/** Walks rows in seq order and reports every place where the chain does not hold. */
export function verifyChain(rows: (AuditFields & { prevHash: string; hash: string })[]): ChainProblem[] {
  const problems: ChainProblem[] = [];
  let prev = GENESIS_HASH;
  let prevSeq = 0;
  for (const row of rows) {
    if (row.seq !== prevSeq + 1) problems.push({ seq: row.seq, kind: "gap", missingAfter: prevSeq });
    if (row.prevHash !== prev) problems.push({ seq: row.seq, kind: "broken_link", expectedPrev: prev });
    if (auditHash(row.prevHash, row) !== row.hash) problems.push({ seq: row.seq, kind: "hash_mismatch" });
    prev = row.hash;
    prevSeq = row.seq;
  }
  return problems;
}
