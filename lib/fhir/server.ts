import "server-only";
// The FHIR handler of this process, over the process-wide database and validated environment.
import { processDatabaseHandle } from "@/db/handle";
import { env } from "@/lib/env";
import { createFhirHandler } from "./http";
import { accessTokenKey } from "./smart";
import { piiKeysFromEnv } from "@/lib/privacy/crypto";

const globalForFhir = globalThis as unknown as { vardtidFhir?: (req: Request) => Promise<Response> };

export function fhirBaseUrl(publicBaseUrl: string): string {
  return `${publicBaseUrl.replace(/\/+$/, "")}/api/fhir/r4`;
}

export function handleFhirRequest(req: Request): Promise<Response> {
  if (!globalForFhir.vardtidFhir) {
    const e = env();
    globalForFhir.vardtidFhir = createFhirHandler({
      db: processDatabaseHandle().db,
      keys: piiKeysFromEnv(e),
      smart: { baseUrl: fhirBaseUrl(e.PUBLIC_BASE_URL), tokenKey: accessTokenKey(e.AUTH_SECRET) },
      publicBaseUrl: e.PUBLIC_BASE_URL,
      log: (line) => console.error(line),
    });
  }
  return globalForFhir.vardtidFhir(req);
}
