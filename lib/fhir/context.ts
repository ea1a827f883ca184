// What every FHIR handler gets: the transaction, the calling client (its clinics and granted
// scopes), the clock, the PII keys, and a place to resolve references made inside a Bundle.
import { inArray, type SQL } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import type { Tx } from "@/db/client";
import { clinics } from "@/db/schema";
import type { PiiKeys } from "@/lib/privacy/crypto";
import type { AuditEventInput } from "@/lib/audit";

export interface FhirClient {
  id: string;
  name: string;
  clinicHsaIds: string[];
  scopes: string[];
}

export interface FhirContext {
  tx: Tx;
  client: FhirClient;
  now: Date;
  keys: PiiKeys;
  baseUrl: string;
  /** Public deep links in an SMS about a clinic's change start here. */
  publicBaseUrl: string;
  /** fullUrl (urn:uuid:…) → "Type/id" for entries already processed in this Bundle. */
  bundleRefs: Map<string, string>;
  /** Lookups that cannot change within this call (a schedule's clinic and type), for bulk loads. */
  cache?: Map<string, unknown>;
  /** Audit events of this call, written in the same transaction by the router. */
  audit: Omit<AuditEventInput, "actorType" | "actorId">[];
}

/** SQL: `column` is one of the client's clinics (by HSA-id, so a clinic created a moment ago counts). */
export function inClientClinics(ctx: FhirContext, column: AnyPgColumn): SQL {
  return inArray(
    column,
    ctx.tx.select({ id: clinics.id }).from(clinics).where(inArray(clinics.hsaId, ctx.client.clinicHsaIds)),
  );
}

/** A per-call memo: the same question asked by 500 Slot entries of one Bundle is asked once. */
export async function memo<T>(ctx: FhirContext, key: string, compute: () => Promise<T>): Promise<T> {
  ctx.cache ??= new Map();
  if (ctx.cache.has(key)) return ctx.cache.get(key) as T;
  const value = await compute();
  ctx.cache.set(key, value);
  return value;
}
