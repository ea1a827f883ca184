// The worker's wiring from the validated environment: one place for `npm run worker` and the
// in-app worker of demo mode.
import type { Db } from "@/db/client";
import type { Env } from "@/lib/env";
import { logger } from "@/lib/log/logger";
import { ElksGateway } from "@/lib/sms/elks";
import type { SmsDispatchConfig } from "./sms-dispatch";
import { piiKeysFromEnv } from "@/lib/privacy/crypto";

export function smsDispatchConfig(
  db: Db,
  e: Env,
  gatewayOptions: { sendTimeoutMs?: number } = {},
  overrides: Partial<SmsDispatchConfig> = {},
): SmsDispatchConfig {
  return {
    db,
    gateway: new ElksGateway({
      baseUrl: e.SMS_BASE_URL,
      username: e.SMS_USERNAME,
      password: e.SMS_PASSWORD,
      timeoutMs: gatewayOptions.sendTimeoutMs ?? 10_000,
    }),
    keys: piiKeysFromEnv(e),
    sender: e.SMS_SENDER,
    publicBaseUrl: e.PUBLIC_BASE_URL,
    webhookSecret: e.SMS_WEBHOOK_SECRET,
    guardianMaxChildAge: e.GUARDIAN_MAX_CHILD_AGE,
    // Worker lines are JSON with the rest (scrubbed of numbers and tokens, lib/log/redact.ts).
    log: (line) => logger().info(line),
    ...overrides,
  };
}
