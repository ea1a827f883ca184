import "server-only";
// The e-ID provider for this process, built from validated configuration: BankID production with
// the caregiver's client certificate, or the simulator over plain HTTP in demo mode and tests.
import { readFileSync } from "node:fs";
import { env } from "@/lib/env";
import { BankIdClient } from "@/lib/eid/bankid";
import type { EidProvider } from "@/lib/eid/types";

const globalForEid = globalThis as unknown as { vardtidEid?: EidProvider };

export function eidProvider(): EidProvider {
  if (!globalForEid.vardtidEid) {
    const e = env();
    const https = e.BANKID_BASE_URL.startsWith("https:");
    globalForEid.vardtidEid = new BankIdClient({
      baseUrl: e.BANKID_BASE_URL,
      tls: https
        ? {
            pfx: e.BANKID_PFX_PATH ? readFileSync(e.BANKID_PFX_PATH) : undefined,
            passphrase: e.BANKID_PFX_PASSPHRASE,
            ca: e.BANKID_CA_PATH ? readFileSync(e.BANKID_CA_PATH) : undefined,
          }
        : undefined,
    });
  }
  return globalForEid.vardtidEid;
}

/** The URL that opens the BankID app on this device (the simulator's test app in demo mode). */
export function bankIdAppUrl(autoStartToken: string): string {
  const e = env();
  const base = e.BANKID_APP_URL ?? (e.isProduction ? "bankid:///" : `http://127.0.0.1:${e.BANKID_SIM_PORT}/app`);
  const url = new URL(base);
  url.searchParams.set("autostarttoken", autoStartToken);
  url.searchParams.set("redirect", "null");
  return url.toString();
}
