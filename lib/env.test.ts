import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { EnvError, parseEnv } from "@/lib/env";

const key = Buffer.alloc(32, 1).toString("base64");
const production = {
  VARDTID_MODE: "production",
  PUBLIC_BASE_URL: "https://vardtid.example.se",
  DATABASE_URL: "postgres://app@db.internal:5432/vardtid",
  AUTH_SECRET: "x".repeat(40),
  PII_ENCRYPTION_KEY: key,
  PII_HMAC_KEY: key,
  BANKID_BASE_URL: "https://appapi2.bankid.com/rp/v6.0/",
  BANKID_PFX_PATH: "/run/secrets/bankid.p12",
  BANKID_PFX_PASSPHRASE: "secret",
  BANKID_CA_PATH: "/run/secrets/bankid-ca.pem",
  SMS_BASE_URL: "https://api.46elks.com",
  SMS_USERNAME: "u123",
  SMS_PASSWORD: "p456",
  SMS_WEBHOOK_SECRET: "s".repeat(32),
};

describe("environment validation", () => {
  it("accepts a complete production configuration", () => {
    const e = parseEnv(production);
    expect(e.isProduction).toBe(true);
    expect(e.DATABASE_URL).toBe(production.DATABASE_URL);
    expect(e.RUN_WORKER_IN_APP).toBe(false);
  });

  it("fills demo defaults only in demo mode", () => {
    const e = parseEnv({});
    expect(e.isProduction).toBe(false);
    expect(e.AUTH_SECRET).toMatch(/^demo-only/);
    expect(e.BANKID_BASE_URL).toBe("http://127.0.0.1:3101/rp/v6.0/");
    expect(e.DATABASE_URL).toBeUndefined();
  });

  it.each(["DATABASE_URL", "AUTH_SECRET", "PII_ENCRYPTION_KEY", "BANKID_PFX_PATH", "SMS_PASSWORD"])(
    "names a missing %s in production",
    (name) => {
      const source: Record<string, string | undefined> = { ...production, [name]: undefined };
      expect(() => parseEnv(source)).toThrow(new EnvError(name, "is required in production mode"));
    },
  );

  it("names a malformed value", () => {
    expect(() => parseEnv({ ...production, PII_HMAC_KEY: "short" })).toThrow(/PII_HMAC_KEY must be 32 bytes/);
    expect(() => parseEnv({ ...production, DATABASE_URL: "mysql://x" })).toThrow(
      /DATABASE_URL must be a postgres:\/\/ URL/,
    );
    expect(() => parseEnv({ ...production, PUBLIC_BASE_URL: "http://vardtid.example.se" })).toThrow(
      /PUBLIC_BASE_URL must be an https/,
    );
    expect(() => parseEnv({ SESSION_IDLE_MINUTES: "zero" })).toThrow(/SESSION_IDLE_MINUTES/);
  });

  it("a bad production start prints one clear line and exits 1", () => {
    const result = spawnSync(
      process.execPath,
      ["--import", "tsx", "-e", "import('./lib/env.ts').then(m => m.envOrExit())"],
      {
        env: { PATH: process.env.PATH, ...production, AUTH_SECRET: "" } as unknown as NodeJS.ProcessEnv,
        encoding: "utf8",
      },
    );
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split("\n");
    expect(lines).toEqual(["Configuration error: AUTH_SECRET is required in production mode. See .env.example."]);
  });
});
