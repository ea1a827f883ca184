// Transaction Bundles: every entry in order, in the caller's transaction, all or nothing. The API
// (POST to the base) and the demo seed both load clinics, types, schedules and slots this way.
import type { Bundle, BundleEntry, Resource } from "@medplum/fhirtypes";
import { parseIfMatch } from "./common";
import type { FhirContext } from "./context";
import { perform, type InteractionRequest, type InteractionResult } from "./interactions";
import { badRequest, FhirError } from "./outcome";

export function toInteraction(e: BundleEntry, i: number): InteractionRequest {
  const r = e?.request;
  if (!r || typeof r.url !== "string" || !r.method) throw badRequest(`Bundle.entry[${i}].request needs method and url`);
  const [path, query = ""] = r.url.replace(/^\/+/, "").split("?");
  return {
    method: r.method.toUpperCase(),
    path: path!,
    query: new URLSearchParams(query),
    body: e.resource as Resource | undefined,
    ifMatch: parseIfMatch(r.ifMatch ?? null),
    ifNoneExist: r.ifNoneExist,
  };
}

/**
 * Runs the entries in order inside ctx.tx. A reference may name an earlier entry's fullUrl
 * (urn:uuid:…). The first failure throws, naming the entry, and the caller's transaction rolls back.
 */
export async function processTransaction(
  ctx: FhirContext,
  requests: InteractionRequest[],
  entries: BundleEntry[],
): Promise<InteractionResult[]> {
  const out: InteractionResult[] = [];
  for (const [i, req] of requests.entries()) {
    try {
      const result = await perform(ctx, req);
      const fullUrl = entries[i]?.fullUrl;
      if (fullUrl && result.location) ctx.bundleRefs.set(fullUrl, result.location);
      out.push(result);
    } catch (error) {
      if (error instanceof FhirError)
        throw new FhirError(
          error.status,
          error.code,
          `Bundle.entry[${i}]: ${error.diagnostics}`,
          error.expression?.map((x) => `Bundle.entry[${i}].resource.${x}`),
        );
      throw error;
    }
  }
  return out;
}

/** A whole transaction Bundle in the caller's transaction (for importers such as the demo seed). */
export async function importTransactionBundle(ctx: FhirContext, bundle: Bundle): Promise<InteractionResult[]> {
  if (bundle.type !== "transaction") throw badRequest("not a transaction Bundle");
  const entries = bundle.entry ?? [];
  return processTransaction(ctx, entries.map(toInteraction), entries);
}
