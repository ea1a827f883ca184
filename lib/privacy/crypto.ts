// Personal numbers and phone numbers are stored encrypted (AES-256-GCM) and looked up by a keyed
// hash (HMAC-SHA256), so a copy of the database alone reveals neither.
//
// Key versions: every ciphertext names the key that made it. `v1:iv:tag:data` is version 1, the
// original key (the format of every release before versions existed, and still what version 1
// writes, so an older app instance can read it during a rolling upgrade); `k<N>:iv:tag:data` is
// version N ≥ 2. Reading takes the current key or any other configured one (PiiKeys.otherKeys),
// so during a rotation old and new ciphertexts both decrypt; `npm run keys:rotate`
// (lib/privacy/rotate-keys.ts) re-encrypts every column to the current key.
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from "node:crypto";

export interface PiiKeys {
  /** The current encryption key (base64, 32 bytes): every new ciphertext is made with it. */
  encryptionKey: string;
  /** Its version (default 1: the original key). */
  encryptionKeyVersion?: number;
  /** Other versions that still decrypt: older keys during a rotation, or the next one staged early. */
  otherKeys?: Readonly<Record<number, string>>;
  /** HMAC key for lookups (base64, 32 bytes); not versioned, see docs/security.md. */
  hmacKey: string;
}

/** What a deployment configures (lib/env), as the keys the code takes. */
export function piiKeysFromEnv(e: {
  PII_ENCRYPTION_KEY: string;
  PII_ENCRYPTION_KEY_VERSION: number;
  PII_ENCRYPTION_OLD_KEYS: Readonly<Record<number, string>>;
  PII_HMAC_KEY: string;
}): PiiKeys {
  return {
    encryptionKey: e.PII_ENCRYPTION_KEY,
    encryptionKeyVersion: e.PII_ENCRYPTION_KEY_VERSION,
    otherKeys: e.PII_ENCRYPTION_OLD_KEYS,
    hmacKey: e.PII_HMAC_KEY,
  };
}

export function currentKeyVersion(keys: PiiKeys): number {
  return keys.encryptionKeyVersion ?? 1;
}

/** The prefix every ciphertext made with version `version` starts with. */
export function keyVersionPrefix(version: number): string {
  return version === 1 ? "v1:" : `k${version}:`;
}

/** The key version a ciphertext names, or null if it is not one of ours. */
export function ciphertextKeyVersion(sealed: string): number | null {
  const head = sealed.slice(0, sealed.indexOf(":"));
  if (head === "v1") return 1;
  const m = /^k([1-9]\d{0,5})$/.exec(head);
  return m ? Number(m[1]) : null;
}

function keyFor(version: number, keys: PiiKeys): Buffer {
  const key = version === currentKeyVersion(keys) ? keys.encryptionKey : keys.otherKeys?.[version];
  if (!key) throw new Error(`no key configured for key version ${version}`);
  return Buffer.from(key, "base64");
}

// Fresh random bytes are taken from a pool filled 4 KiB at a time from the CSPRNG (as Node's own
// randomUUID does): one randomBytes call costs about 5 µs whatever its size, and the SMS worker
// asks for two small ones per message (an IV, a link token). Every byte is handed out once.
const RANDOM_POOL_BYTES = 4096;
let randomPool = Buffer.alloc(0);
let randomPoolOffset = 0;

function freshRandomBytes(n: number): Buffer {
  if (n > RANDOM_POOL_BYTES / 16) return randomBytes(n);
  if (randomPoolOffset + n > randomPool.length) {
    randomPool = randomBytes(RANDOM_POOL_BYTES);
    randomPoolOffset = 0;
  }
  const out = Buffer.from(randomPool.subarray(randomPoolOffset, randomPoolOffset + n));
  randomPool.fill(0, randomPoolOffset, randomPoolOffset + n);
  randomPoolOffset += n;
  return out;
}

export function encryptPii(plain: string, keys: PiiKeys): string {
  const version = currentKeyVersion(keys);
  const iv = freshRandomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyFor(version, keys), iv);
  const data = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  const head = keyVersionPrefix(version).slice(0, -1);
  return [head, iv.toString("base64"), cipher.getAuthTag().toString("base64"), data.toString("base64")].join(":");
}

export function decryptPii(sealed: string, keys: PiiKeys): string {
  const version = ciphertextKeyVersion(sealed);
  const [, iv, tag, data] = sealed.split(":");
  if (version === null || !iv || !tag || data === undefined) throw new Error("unknown ciphertext format");
  const decipher = createDecipheriv("aes-256-gcm", keyFor(version, keys), Buffer.from(iv, "base64"));
  decipher.setAuthTag(Buffer.from(tag, "base64"));
  return Buffer.concat([decipher.update(Buffer.from(data, "base64")), decipher.final()]).toString("utf8");
}

export function keyedHash(value: string, keys: PiiKeys): string {
  return createHmac("sha256", Buffer.from(keys.hmacKey, "base64")).update(value).digest("hex");
}

/** For tokens we hand out (deep links, sessions, API keys): store only this. */
export function sha256Hex(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}

/** An opaque URL-safe token with `bytes` of randomness (default 24 bytes = 192 bits). */
export function randomToken(bytes = 24): string {
  return freshRandomBytes(bytes).toString("base64url");
}
