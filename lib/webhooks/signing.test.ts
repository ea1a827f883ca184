// The receiver's side is the third-party verifier itself: whatever we sign must pass
// `new Webhook(secret).verify(body, headers)` and nothing else may.
import { describe, expect, it } from "vitest";
import { Webhook, WebhookVerificationError } from "standardwebhooks";
import { isWebhookSecret, newWebhookSecret, signWebhook } from "./signing";

const body = JSON.stringify({ type: "appointment.cancelled", timestamp: "2026-12-01T10:00:00.000Z", data: {} });

describe("Standard Webhooks signing", () => {
  it("makes secrets in the whsec_ form the verifier accepts", () => {
    const secret = newWebhookSecret();
    expect(isWebhookSecret(secret)).toBe(true);
    expect(Buffer.from(secret.slice(6), "base64")).toHaveLength(32);
    expect(newWebhookSecret()).not.toBe(secret);
    expect(isWebhookSecret("whsec_short")).toBe(false);
  });

  it("signs so that the standardwebhooks verifier accepts the body and rejects any change", () => {
    const secret = newWebhookSecret();
    const headers = signWebhook({ id: "evt-1", at: new Date(), body, secrets: [secret] });
    expect(headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(new Webhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body));
    // A forged body, another id, another secret: all refused.
    expect(() => new Webhook(secret).verify(body.replace("cancelled", "booked"), { ...headers })).toThrow(
      WebhookVerificationError,
    );
    expect(() => new Webhook(secret).verify(body, { ...headers, "webhook-id": "evt-2" })).toThrow(
      WebhookVerificationError,
    );
    expect(() => new Webhook(newWebhookSecret()).verify(body, { ...headers })).toThrow(WebhookVerificationError);
  });

  it("sends both signatures during a rotation: old and new secret both verify", () => {
    const [current, previous] = [newWebhookSecret(), newWebhookSecret()];
    const headers = signWebhook({ id: "evt-1", at: new Date(), body, secrets: [current, previous] });
    expect(headers["webhook-signature"].split(" ")).toHaveLength(2);
    expect(() => new Webhook(current).verify(body, { ...headers })).not.toThrow();
    expect(() => new Webhook(previous).verify(body, { ...headers })).not.toThrow();
  });

  it("stamps the try's time: a receiver refuses a signature older than five minutes", () => {
    const secret = newWebhookSecret();
    const at = new Date(Date.now() - 6 * 60_000);
    const headers = signWebhook({ id: "evt-1", at, body, secrets: [secret] });
    expect(headers["webhook-timestamp"]).toBe(String(Math.floor(at.getTime() / 1000)));
    expect(() => new Webhook(secret).verify(body, { ...headers })).toThrow(/too old/);
  });
});
