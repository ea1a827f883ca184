import "server-only";
import { db } from "@/db";
import { env } from "@/lib/env";
import { eidProvider } from "./eid-provider";
import type { LoginContext } from "./login";
import { requestMeta } from "./request-context";
import { piiKeysFromEnv } from "@/lib/privacy/crypto";

export async function loginContext(): Promise<LoginContext> {
  const e = env();
  const meta = await requestMeta();
  return {
    db: db(),
    eid: eidProvider(),
    keys: piiKeysFromEnv(e),
    ip: meta.ip,
    userAgent: meta.userAgent,
    now: () => new Date(),
    selfServiceAge: e.PATIENT_SELF_SERVICE_AGE,
  };
}
