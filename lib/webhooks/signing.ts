// Standard Webhooks signing (standardwebhooks.com), done by the maintained `standardwebhooks`
// package so that what we send is exactly what its verifier (and Svix's, and every other
// implementation) accepts: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`.
import { randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";

export type WebhookHeaders = {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
};

/** A new signing secret: `whsec_` and 32 random bytes in base64, as the spec recommends (24–64 bytes). */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString("base64")}`;
}

const SECRET = /^whsec_[A-Za-z0-9+/]{40,}={0,2}$/;
export function isWebhookSecret(value: string): boolean {
  return SECRET.test(value);
}

/**
 * The three headers for one try. `secrets` are the current one first and, during a rotation, the
 * previous one: the signature header then carries both, space-separated, so a receiver that has
 * not switched yet still verifies.
 */
export function signWebhook(input: { id: string; at: Date; body: string; secrets: string[] }): WebhookHeaders {
  if (input.secrets.length === 0) throw new Error("no signing secret");
  const signatures = input.secrets.map((secret) => new Webhook(secret).sign(input.id, input.at, input.body));
  return {
    "webhook-id": input.id,
    "webhook-timestamp": String(Math.floor(input.at.getTime() / 1000)),
    "webhook-signature": signatures.join(" "),
  };
}
