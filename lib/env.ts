// The one place that reads process.env. Everything else imports `env()`.
// In production mode a missing or malformed variable stops the start with one line naming it;
// in demo mode (the default, for a newcomer's first run) well-labelled demo values fill the gaps.
import { z } from "zod";

const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((v) => v === "true" || v === "1" || v === "yes");
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const base64Key = z.string().refine((v) => Buffer.from(v, "base64").length === 32, "must be 32 bytes, base64-encoded");

// "2:base64key,1:base64key": keys that still decrypt during a rotation (lib/privacy/crypto.ts).
const oldKeys = z
  .string()
  .transform((value, ctx) => {
    const keys: Record<number, string> = {};
    for (const part of value
      .split(",")
      .map((p) => p.trim())
      .filter(Boolean)) {
      const m = /^([1-9]\d{0,5}):(.+)$/.exec(part);
      if (!m || Buffer.from(m[2]!, "base64").length !== 32) {
        ctx.addIssue({
          code: "custom",
          message: "must be version:key pairs (a key is 32 bytes, base64), comma-separated",
        });
        return z.NEVER;
      }
      if (keys[Number(m[1])] !== undefined) {
        ctx.addIssue({ code: "custom", message: `names key version ${m[1]} twice` });
        return z.NEVER;
      }
      keys[Number(m[1])] = m[2]!;
    }
    return keys;
  })
  .default({});

const schema = z.object({
  VARDTID_MODE: z.enum(["demo", "production"]).default("demo"),
  PORT: int(1, 65535).default(3000),
  PUBLIC_BASE_URL: z.url().optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL")
    .optional(),
  PGLITE_DATA_DIR: z.string().min(1).default("./data/pglite"),
  AUTH_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  PII_ENCRYPTION_KEY: base64Key.optional(),
  PII_ENCRYPTION_KEY_VERSION: int(1, 999_999).default(1),
  PII_ENCRYPTION_OLD_KEYS: oldKeys,
  PII_HMAC_KEY: base64Key.optional(),
  SESSION_IDLE_MINUTES: int(1, 24 * 60).default(30),
  SESSION_ABSOLUTE_HOURS: int(1, 72).default(12),
  // A guardian may act for a child until the child turns this age (1177's rule: 13).
  GUARDIAN_MAX_CHILD_AGE: int(0, 18).default(13),
  PATIENT_SELF_SERVICE_AGE: int(0, 18).default(16),
  LOGIN_RATE_LIMIT_PER_MINUTE: int(1, 10_000).default(10),
  BANKID_BASE_URL: z.url().optional(),
  BANKID_PFX_PATH: z.string().min(1).optional(),
  BANKID_PFX_PASSPHRASE: z.string().optional(),
  BANKID_CA_PATH: z.string().min(1).optional(),
  BANKID_APP_URL: z.url().optional(),
  BANKID_SIM_PORT: int(1, 65535).default(3101),
  SMS_BASE_URL: z.url().optional(),
  SMS_USERNAME: z.string().min(1).optional(),
  SMS_PASSWORD: z.string().min(1).optional(),
  SMS_SENDER: z
    .string()
    .regex(/^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$|^\+[1-9]\d{6,14}$/, "must be 1–11 letters/digits or an E.164 number")
    .default("Vardtid"),
  SMS_WEBHOOK_SECRET: z.string().min(16, "must be at least 16 characters").optional(),
  SMS_SIM_PORT: int(1, 65535).default(3102),
  RUN_WORKER_IN_APP: bool.optional(),
  VAPID_PUBLIC_KEY: z.string().min(20).optional(),
  VAPID_PRIVATE_KEY: z.string().min(20).optional(),
  VAPID_SUBJECT: z
    .string()
    .regex(/^(mailto:|https:\/\/)/, "must start with mailto: or https://")
    .optional(),
  TRUSTED_PROXY_COUNT: int(0, 10).default(0),
  DATABASE_PGBOUNCER: z.enum(["off", "transaction", "session"]).default("off"),
  METRICS_TOKEN: z.string().min(24, "must be at least 24 characters").optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  SHUTDOWN_GRACE_SECONDS: int(1, 600).default(25),
});

type Raw = z.infer<typeof schema>;

// Required in production: no secret or endpoint has a production default.
const requiredInProduction = [
  "PUBLIC_BASE_URL",
  "DATABASE_URL",
  "AUTH_SECRET",
  "PII_ENCRYPTION_KEY",
  "PII_HMAC_KEY",
  "BANKID_BASE_URL",
  "BANKID_PFX_PATH",
  "BANKID_PFX_PASSPHRASE",
  "BANKID_CA_PATH",
  "SMS_BASE_URL",
  "SMS_USERNAME",
  "SMS_PASSWORD",
  "SMS_WEBHOOK_SECRET",
] as const satisfies readonly (keyof Raw)[];

// Demo values are public by design (they are in this file); they never apply in production mode.
const demoDefaults = {
  AUTH_SECRET: "demo-only-auth-secret-not-for-production-use",
  PII_ENCRYPTION_KEY: Buffer.from("demo-only-pii-encryption-key-32b").toString("base64"),
  PII_HMAC_KEY: Buffer.from("demo-only-pii-hmac-key-32-bytes!").toString("base64"),
  SMS_USERNAME: "demo",
  SMS_PASSWORD: "demo",
  SMS_WEBHOOK_SECRET: "demo-only-sms-webhook-secret",
};

export type Env = Omit<Raw, (typeof requiredInProduction)[number] | "DATABASE_URL"> & {
  DATABASE_URL: string | undefined;
  PUBLIC_BASE_URL: string;
  AUTH_SECRET: string;
  PII_ENCRYPTION_KEY: string;
  PII_HMAC_KEY: string;
  BANKID_BASE_URL: string;
  BANKID_PFX_PATH: string | undefined;
  BANKID_PFX_PASSPHRASE: string | undefined;
  BANKID_CA_PATH: string | undefined;
  BANKID_APP_URL: string | undefined;
  SMS_BASE_URL: string;
  SMS_USERNAME: string;
  SMS_PASSWORD: string;
  SMS_WEBHOOK_SECRET: string;
  RUN_WORKER_IN_APP: boolean;
  isProduction: boolean;
};

export class EnvError extends Error {
  constructor(
    readonly variable: string,
    reason: string,
  ) {
    super(`Configuration error: ${variable} ${reason}. See .env.example.`);
    this.name = "EnvError";
  }
}

/** Validates a set of variables; throws EnvError naming the first bad one. Pure: used by tests. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  // Empty strings mean "not set" (a blank line in a .env file must not count as a value).
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new EnvError(
      String(issue.path[0] ?? "environment"),
      issue.message.replace(/^Invalid input: /, "is invalid: "),
    );
  }
  const raw = result.data;
  const production = raw.VARDTID_MODE === "production";
  if (production) {
    for (const key of requiredInProduction) {
      if (raw[key] === undefined) throw new EnvError(key, "is required in production mode");
    }
    if (!raw.PUBLIC_BASE_URL!.startsWith("https://")) {
      throw new EnvError("PUBLIC_BASE_URL", "must be an https:// URL in production mode");
    }
  }
  if (raw.PII_ENCRYPTION_OLD_KEYS[raw.PII_ENCRYPTION_KEY_VERSION] !== undefined) {
    throw new EnvError("PII_ENCRYPTION_OLD_KEYS", "must not name the current PII_ENCRYPTION_KEY_VERSION");
  }
  const port = raw.PORT;
  return {
    ...raw,
    ...(production ? {} : { ...demoDefaults, ...pickDefined(raw) }),
    PUBLIC_BASE_URL: raw.PUBLIC_BASE_URL ?? `http://localhost:${port}`,
    BANKID_BASE_URL: raw.BANKID_BASE_URL ?? `http://127.0.0.1:${raw.BANKID_SIM_PORT}/rp/v6.0/`,
    SMS_BASE_URL: raw.SMS_BASE_URL ?? `http://127.0.0.1:${raw.SMS_SIM_PORT}`,
    RUN_WORKER_IN_APP: raw.RUN_WORKER_IN_APP ?? !production,
    isProduction: production,
  } as Env;
}

function pickDefined(raw: Raw): Partial<Raw> {
  return Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)) as Partial<Raw>;
}

let cached: Env | undefined;

/** The validated environment of this process (validated once). */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/** For entry points: validate, or print one clear line and exit. */
export function envOrExit(): Env {
  try {
    return env();
  } catch (error) {
    if (error instanceof EnvError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}
