// Personal numbers and phone numbers are stored encrypted (AES-256-GCM) and looked up by a keyed
// hash (HMAC-SHA256), so a copy of the database alone reveals neither.
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from "node:crypto";

export interface PiiKeys {
  encryptionKey: string; // base64, 32 bytes
  hmacKey: string; // base64, 32 bytes
}

export function encryptPii(plain: string, keys: PiiKeys): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", Buffer.from(keys.encryptionKey, "base64"), iv);
  const data = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return ["v1", iv.toString("base64"), cipher.getAuthTag().toString("base64"), data.toString("base64")].join(":");
}

export function decryptPii(sealed: string, keys: PiiKeys): string {
  const [version, iv, tag, data] = sealed.split(":");
  if (version !== "v1" || !iv || !tag || !data) throw new Error("unknown ciphertext format");
  const decipher = createDecipheriv(
    "aes-256-gcm",
    Buffer.from(keys.encryptionKey, "base64"),
    Buffer.from(iv, "base64"),
  );
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
  return randomBytes(bytes).toString("base64url");
}
