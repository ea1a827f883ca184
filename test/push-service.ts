// A tiny stand-in for a browser push service (RFC 8030), for tests without the internet: it
// checks the VAPID JWT (RFC 8292) against the key in the Authorization header and decrypts the
// aes128gcm payload (RFC 8291) with the subscription's private key, like a browser would.
import { createECDH, createPublicKey, createVerify, hkdfSync, createDecipheriv, randomBytes } from "node:crypto";
import https from "node:https";
import { createTestPki } from "@/simulators/bankid/test-pki";
import type { AddressInfo } from "node:net";

export interface ReceivedPush {
  path: string;
  ttl: string | undefined;
  audience: string;
  subject: string;
  payload: unknown;
}

export interface FakeSubscription {
  endpoint: string;
  p256dh: string;
  auth: string;
}

function b64url(buf: Buffer): string {
  return buf.toString("base64url");
}

/** A browser-side key pair and auth secret, as PushManager.subscribe would make them. */
export function makeBrowserKeys() {
  const ecdh = createECDH("prime256v1");
  ecdh.generateKeys();
  return { ecdh, p256dh: b64url(ecdh.getPublicKey()), auth: b64url(randomBytes(16)) };
}

function verifyVapid(header: string | undefined): { audience: string; subject: string } {
  const m = /^vapid t=([^,]+),\s*k=(.+)$/.exec(header ?? "");
  if (!m) throw new Error("no vapid authorization");
  const [headerB64, claimsB64, sigB64] = m[1]!.split(".");
  const publicKeyRaw = Buffer.from(m[2]!, "base64url");
  const jwk = {
    kty: "EC",
    crv: "P-256",
    x: b64url(publicKeyRaw.subarray(1, 33)),
    y: b64url(publicKeyRaw.subarray(33, 65)),
  };
  const key = createPublicKey({ key: jwk, format: "jwk" });
  const ok = createVerify("SHA256")
    .update(`${headerB64}.${claimsB64}`)
    .verify({ key, dsaEncoding: "ieee-p1363" }, Buffer.from(sigB64!, "base64url"));
  if (!ok) throw new Error("bad vapid signature");
  const claims = JSON.parse(Buffer.from(claimsB64!, "base64url").toString()) as {
    aud: string;
    sub: string;
    exp: number;
  };
  if (claims.exp * 1000 < Date.now()) throw new Error("expired vapid token");
  return { audience: claims.aud, subject: claims.sub };
}

function decrypt(body: Buffer, ecdh: ReturnType<typeof createECDH>, authSecret: Buffer): Buffer {
  const salt = body.subarray(0, 16);
  const idlen = body[20]!;
  const senderPublic = body.subarray(21, 21 + idlen);
  const ciphertext = body.subarray(21 + idlen);
  const shared = ecdh.computeSecret(senderPublic);
  const keyInfo = Buffer.concat([Buffer.from("WebPush: info\0"), ecdh.getPublicKey(), senderPublic]);
  const ikm = Buffer.from(hkdfSync("sha256", shared, authSecret, keyInfo, 32));
  const cek = Buffer.from(hkdfSync("sha256", ikm, salt, Buffer.from("Content-Encoding: aes128gcm\0"), 16));
  const nonce = Buffer.from(hkdfSync("sha256", ikm, salt, Buffer.from("Content-Encoding: nonce\0"), 12));
  const decipher = createDecipheriv("aes-128-gcm", cek, nonce);
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
  const padded = Buffer.concat([decipher.update(ciphertext.subarray(0, ciphertext.length - 16)), decipher.final()]);
  // The last record ends with the delimiter 0x02 followed by zero padding.
  const end = padded.lastIndexOf(2);
  return padded.subarray(0, end);
}

export async function startPushService() {
  const browsers = new Map<string, ReturnType<typeof makeBrowserKeys>>();
  const received: ReceivedPush[] = [];
  const goneEndpoints = new Set<string>();
  // Push services speak HTTPS only (and web-push only speaks HTTPS): a throwaway local CA.
  const pki = createTestPki();
  const agent = new https.Agent({ ca: pki.caCert });
  const server = https.createServer({ cert: pki.serverCert, key: pki.serverKey }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      try {
        const path = req.url ?? "";
        if (goneEndpoints.has(path)) {
          res.writeHead(410).end();
          return;
        }
        const browser = browsers.get(path);
        if (!browser) {
          res.writeHead(404).end();
          return;
        }
        const vapid = verifyVapid(req.headers.authorization);
        if (req.headers["content-encoding"] !== "aes128gcm") throw new Error("not aes128gcm");
        const plain = decrypt(Buffer.concat(chunks), browser.ecdh, Buffer.from(browser.auth, "base64url"));
        received.push({
          path,
          ttl: req.headers.ttl as string | undefined,
          ...vapid,
          payload: JSON.parse(plain.toString("utf8")),
        });
        res.writeHead(201).end();
      } catch (error) {
        res.writeHead(400, { "Content-Type": "text/plain" }).end(String(error));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let n = 0;
  return {
    received,
    /** An agent that trusts this service's certificate. */
    agent,
    /** A new subscription, as a browser would hand it to our page. */
    subscribe(): FakeSubscription {
      const path = `/push/${++n}`;
      const keys = makeBrowserKeys();
      browsers.set(path, keys);
      return { endpoint: `${base}${path}`, p256dh: keys.p256dh, auth: keys.auth };
    },
    /** From now on this subscription answers 410 Gone. */
    expire(endpoint: string) {
      goneEndpoints.add(new URL(endpoint).pathname);
    },
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.close(() => {
          pki.remove();
          resolve();
        });
      }),
  };
}
