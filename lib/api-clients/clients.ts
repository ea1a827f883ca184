// Registering the booking systems that may use the FHIR API: a name, the care units (HSA-ids) it
// serves, its SMART scopes and its public JWKS. Used by the admin commands (npm run api-client)
// and by tests; the API itself only reads (lib/fhir/smart.ts).
import { desc, eq } from "drizzle-orm";
import { importJWK, type JWK } from "jose";
import type { DbOrTx } from "@/db/client";
import { apiClients } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { AdminInputError } from "@/lib/admin/registry";
import { parseScopeList } from "@/lib/fhir/scopes";

export const ASSERTION_ALGORITHMS = ["RS384", "ES384"] as const;

// HSA-ids: country code, organisation number and a local part, e.g. SE2321000032-1003.
const HSA_ID = /^SE[0-9A-Z]{10}-[0-9A-Za-z]{1,31}$/;

export class ApiClientInputError extends AdminInputError {}

export interface ApiClientSummary {
  client_id: string;
  name: string;
  clinics: string[];
  scopes: string[];
  keys: number;
  created_at: string;
  revoked_at: string | null;
}

/** Checks a JWKS: only public RSA or EC P-384 keys that jose can import for RS384/ES384. */
export async function checkPublicJwks(jwks: unknown): Promise<{ keys: JWK[] }> {
  if (!jwks || typeof jwks !== "object" || !Array.isArray((jwks as { keys?: unknown }).keys))
    throw new ApiClientInputError('the JWKS must be a JSON object with a "keys" array');
  const keys = (jwks as { keys: JWK[] }).keys;
  if (keys.length === 0 || keys.length > 10) throw new ApiClientInputError("the JWKS must hold 1 to 10 keys");
  for (const [i, key] of keys.entries()) {
    if (!key || typeof key !== "object") throw new ApiClientInputError(`key ${i} is not an object`);
    if ("d" in key || "p" in key || "k" in key)
      throw new ApiClientInputError(`key ${i} holds private material: register the public key only`);
    const alg = key.alg ?? (key.kty === "EC" ? "ES384" : key.kty === "RSA" ? "RS384" : undefined);
    if (!alg || !(ASSERTION_ALGORITHMS as readonly string[]).includes(alg))
      throw new ApiClientInputError(`key ${i} must be for RS384 or ES384`);
    try {
      await importJWK(key, alg);
    } catch {
      throw new ApiClientInputError(`key ${i} is not a valid ${alg} public key`);
    }
  }
  return { keys };
}

export async function createApiClient(
  db: DbOrTx,
  input: { name: string; clinics: string[]; scope: string; jwks: unknown; now?: Date },
): Promise<ApiClientSummary> {
  const name = input.name.trim();
  if (name.length < 1 || name.length > 200) throw new ApiClientInputError("--name must be 1 to 200 characters");
  if (input.clinics.length === 0) throw new ApiClientInputError("give at least one --clinic HSA-ID");
  for (const hsa of input.clinics)
    if (!HSA_ID.test(hsa)) throw new ApiClientInputError(`"${hsa}" is not an HSA-id (like SE2321000032-1003)`);
  let scopes: string[];
  try {
    scopes = parseScopeList(input.scope);
  } catch (error) {
    throw new ApiClientInputError((error as Error).message);
  }
  if (scopes.length === 0)
    throw new ApiClientInputError('give --scope, e.g. "system/Slot.cruds system/Appointment.rs"');
  const jwks = await checkPublicJwks(input.jwks);
  const now = input.now ?? new Date();
  const [row] = await db
    .insert(apiClients)
    .values({
      name,
      clinicHsaIds: [...new Set(input.clinics)],
      scopes,
      jwks: jwks as { keys: Record<string, unknown>[] },
      createdAt: now,
    })
    .returning();
  await recordAudit(db, {
    actorType: "system",
    action: "api_client.create",
    resourceType: "api_client",
    resourceId: row!.id,
    details: { clinics: row!.clinicHsaIds, scopes },
    at: now,
  });
  return summaryOf(row!);
}

export async function listApiClients(db: DbOrTx): Promise<ApiClientSummary[]> {
  const rows = await db.select().from(apiClients).orderBy(desc(apiClients.createdAt));
  return rows.map(summaryOf);
}

export async function revokeApiClient(
  db: DbOrTx,
  clientId: string,
  now = new Date(),
): Promise<ApiClientSummary | null> {
  if (!/^[0-9a-f-]{36}$/i.test(clientId)) return null;
  const [row] = await db.update(apiClients).set({ revokedAt: now }).where(eq(apiClients.id, clientId)).returning();
  if (!row) return null;
  await recordAudit(db, {
    actorType: "system",
    action: "api_client.revoke",
    resourceType: "api_client",
    resourceId: row.id,
    at: now,
  });
  return summaryOf(row);
}

function summaryOf(row: typeof apiClients.$inferSelect): ApiClientSummary {
  return {
    client_id: row.id,
    name: row.name,
    clinics: row.clinicHsaIds,
    scopes: row.scopes,
    keys: row.jwks.keys.length,
    created_at: row.createdAt.toISOString(),
    revoked_at: row.revokedAt?.toISOString() ?? null,
  };
}
