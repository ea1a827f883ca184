// Key rotation: rows written under key version 1 are read after version 2 is configured; keys:rotate
// re-encrypts every encrypted column (count check), after which the version 1 key can go and
// everything still decrypts; a second run changes nothing. Also through the real CLI and the
// running app's admin channel (PGlite allows one process per folder).
import { randomBytes } from "node:crypto";
import { spawn } from "node:child_process";
import path from "node:path";
import { eq as eqId, sql } from "drizzle-orm";
import { getTableConfig, PgTable } from "drizzle-orm/pg-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as s from "@/db/schema";
import { parseEnv } from "@/lib/env";
import { requirePostgresInCi, testDatabases } from "@/test/databases";
import { startTestAdminChannel } from "@/test/fhir-harness";
import { makePatient, testKeys } from "@/test/fixtures";
import { decryptPii, encryptPii, piiKeysFromEnv, type PiiKeys } from "./crypto";
import { countNotCurrent, ENCRYPTED_COLUMNS, rotateEncryptedColumns } from "./rotate-keys";

requirePostgresInCi();

const v2Key = randomBytes(32).toString("base64");
// The app's configuration during a rotation: version 2 current, version 1 still readable.
const during: PiiKeys = {
  ...testKeys,
  encryptionKey: v2Key,
  encryptionKeyVersion: 2,
  otherKeys: { 1: testKeys.encryptionKey },
};
// And after it: the version 1 key removed.
const after: PiiKeys = { ...testKeys, encryptionKey: v2Key, encryptionKeyVersion: 2 };

// The admin channel runs the command in this process with this process's configuration.
process.env.PII_ENCRYPTION_KEY = v2Key;
process.env.PII_ENCRYPTION_KEY_VERSION = "2";
process.env.PII_ENCRYPTION_OLD_KEYS = `1:${testKeys.encryptionKey}`;
process.env.PII_HMAC_KEY = testKeys.hmacKey;

describe("key versions", () => {
  it("a ciphertext names its key version; the original format reads as version 1", () => {
    const v1 = encryptPii("191212121212", testKeys);
    expect(v1).toMatch(/^v1:/);
    expect(encryptPii("191212121212", during)).toMatch(/^k2:/);
    expect(decryptPii(v1, during)).toBe("191212121212");
    expect(() => decryptPii(v1, after)).toThrow(/no key configured for key version 1/);
    expect(() => decryptPii(encryptPii("x", during), testKeys)).toThrow(/key version 2/);
  });

  it("reads the keys from the environment and refuses a bad key list", () => {
    const key = Buffer.alloc(32, 1).toString("base64");
    const e = parseEnv({
      PII_ENCRYPTION_KEY: key,
      PII_ENCRYPTION_KEY_VERSION: "3",
      PII_ENCRYPTION_OLD_KEYS: `1:${key}, 2:${key}`,
    });
    expect(piiKeysFromEnv(e)).toMatchObject({ encryptionKeyVersion: 3, otherKeys: { 1: key, 2: key } });
    expect(parseEnv({}).PII_ENCRYPTION_KEY_VERSION).toBe(1);
    expect(() => parseEnv({ PII_ENCRYPTION_OLD_KEYS: "1:short" })).toThrow(/PII_ENCRYPTION_OLD_KEYS/);
    expect(() => parseEnv({ PII_ENCRYPTION_OLD_KEYS: `2:${key},2:${key}` })).toThrow(/twice/);
    expect(() => parseEnv({ PII_ENCRYPTION_OLD_KEYS: `1:${key}` })).toThrow(/current PII_ENCRYPTION_KEY_VERSION/);
  });

  it("the rotation covers every encrypted column of the schema", () => {
    const inSchema = (Object.values(s) as unknown[])
      .filter((t): t is PgTable => t instanceof PgTable)
      .flatMap((t) => {
        const c = getTableConfig(t);
        return c.columns.filter((col) => col.name.endsWith("_enc")).map((col) => `${c.name}.${col.name}`);
      })
      .sort();
    expect(ENCRYPTED_COLUMNS.map((c) => `${c.table}.${c.column}`).sort()).toEqual(inSchema);
  });
});

describe.each(testDatabases)("keys:rotate on $name", (target) => {
  let handle: Awaited<ReturnType<typeof target.open>>;
  beforeAll(async () => {
    handle = await target.open();
  });
  afterAll(async () => handle?.dispose());

  /** One value in every encrypted column, written under version 1; returns the plaintexts by column. */
  async function writeUnderV1(tag: string): Promise<number> {
    const { db } = handle;
    const enc = (v: string) => encryptPii(v, testKeys);
    const patient = await makePatient(db, `rotate-${tag}`);
    await db
      .update(s.patients)
      .set({ phoneEnc: enc("+46701740601") })
      .where(eqId(s.patients.id, patient.id));
    await db
      .insert(s.phoneVerifications)
      .values({ patientId: patient.id, phoneEnc: enc("+46701740602"), codeHash: "h", expiresAt: new Date() });
    await db.insert(s.messages).values({
      patientId: patient.id,
      channel: "sms",
      purpose: "reminder",
      idempotencyKey: `rotate-${tag}-${randomBytes(4).toString("hex")}`,
      toEnc: enc("+46701740601"),
      bodyEnc: enc(`Påminnelse ${tag}`),
      dueAt: new Date(),
    });
    const [client] = await db
      .insert(s.apiClients)
      .values({ name: `c-${tag}`, clinicHsaIds: ["SE1"], scopes: ["system/Slot.rs"], jwks: { keys: [] } })
      .returning();
    await db.insert(s.webhookEndpoints).values({
      apiClientId: client!.id,
      url: "https://example.org/hook",
      secretEnc: enc("whsec-new"),
      previousSecretEnc: enc("whsec-old"),
    });
    await db.insert(s.loginOrders).values({
      bindingHash: `b-${tag}-${randomBytes(4).toString("hex")}`,
      orderRef: "o",
      qrStartToken: "t",
      qrStartSecretEnc: enc("qr-secret"),
      startedBy: "qr",
      device: "d",
      startedAt: new Date(),
    });
    return 8; // one per encrypted column
  }

  async function allValues(): Promise<string[]> {
    const values: string[] = [];
    for (const c of ENCRYPTED_COLUMNS) {
      const rows = (await handle.db.execute(
        sql.raw(`select "${c.column}" as v from "${c.table}" where "${c.column}" is not null`),
      )) as unknown;
      const list = (Array.isArray(rows) ? rows : (rows as { rows: { v: string }[] }).rows) as { v: string }[];
      values.push(...list.map((r) => r.v));
    }
    return values;
  }

  it("re-encrypts every row to the current key; then the old key can go; a second run changes nothing", async () => {
    const written = (await writeUnderV1("a")) + (await writeUnderV1("b"));
    const plainBefore = (await allValues()).map((v) => decryptPii(v, testKeys)).sort();
    expect(plainBefore.length).toBeGreaterThanOrEqual(written);
    // With version 2 configured, the version 1 rows still read.
    expect((await allValues()).map((v) => decryptPii(v, during)).sort()).toEqual(plainBefore);
    const notCurrent = await countNotCurrent(handle.db, during);
    expect(notCurrent).toBe(plainBefore.length);

    const batches: string[] = [];
    const first = await rotateEncryptedColumns(handle.db, during, { batchSize: 1, onBatch: (c) => batches.push(c) });
    expect(first).toMatchObject({ keyVersion: 2, reencrypted: notCurrent, failed: 0, remaining: 0 });
    expect(first.columns.reduce((n, c) => n + c.found, 0)).toBe(notCurrent);
    expect(batches.length).toBeGreaterThanOrEqual(notCurrent); // batch size 1: resumable steps
    const values = await allValues();
    expect(values.every((v) => v.startsWith("k2:"))).toBe(true);
    // The version 1 key removed: everything still decrypts, to the same plaintexts.
    expect(values.map((v) => decryptPii(v, after)).sort()).toEqual(plainBefore);

    const second = await rotateEncryptedColumns(handle.db, after);
    expect(second).toMatchObject({ reencrypted: 0, failed: 0, remaining: 0 });
    expect(second.columns.every((c) => c.found === 0)).toBe(true);
    expect(await allValues()).toEqual(values);
  });

  it("leaves a value whose key is not configured untouched and counts it as failed", async () => {
    const key3: PiiKeys = { ...testKeys, encryptionKey: randomBytes(32).toString("base64"), encryptionKeyVersion: 3 };
    const patient = await makePatient(handle.db, "rotate-unknown-key");
    const sealed = encryptPii("+46701740603", key3);
    await handle.db.update(s.patients).set({ phoneEnc: sealed }).where(eqId(s.patients.id, patient.id));
    // Version 1 is still configured (the new patient's personal number re-encrypts); version 3 is not.
    const result = await rotateEncryptedColumns(handle.db, during);
    expect(result.reencrypted).toBe(1);
    expect(result.failed).toBe(1);
    expect(result.remaining).toBe(1);
    expect((await allValues()).filter((v) => v === sealed)).toHaveLength(1);
    await handle.db.update(s.patients).set({ phoneEnc: null }).where(eqId(s.patients.id, patient.id));
  });
});

describe("npm run keys:rotate while the app holds the embedded database", () => {
  it("goes through the admin channel, prints its counts, and a second run finds nothing", async () => {
    const handle = await testDatabases[0]!.open();
    const channel = await startTestAdminChannel(handle.db);
    try {
      const patient = await makePatient(handle.db, "rotate-cli");
      await handle.db
        .update(s.patients)
        .set({ phoneEnc: encryptPii("+46701740604", testKeys) })
        .where(eqId(s.patients.id, patient.id));
      const first = await runCli(channel.dataDir);
      expect(first.stderr).toBe("");
      expect(first.code).toBe(0);
      expect(first.stdout).toContain("through the running app");
      expect(first.stdout).toMatch(/patients\.phone_enc\s+found 1, re-encrypted 1, changed meanwhile 0, failed 0/);
      expect(first.stdout).toMatch(/Re-encrypted 2, failed 0, not yet under version 2: 0/);
      const second = await runCli(channel.dataDir);
      expect(second.code).toBe(0);
      expect(second.stdout).toMatch(/Re-encrypted 0, failed 0, not yet under version 2: 0/);
    } finally {
      channel.close();
      await handle.dispose();
    }
  }, 60_000);
});

function runCli(dataDir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [path.join(process.cwd(), "node_modules/tsx/dist/cli.mjs"), "scripts/keys-rotate.ts"],
      { env: { ...process.env, PGLITE_DATA_DIR: dataDir, DATABASE_URL: "" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}
