import { describe, expect, it } from "vitest";
import { readWebhookForm, WEBHOOK_MAX_BODY_BYTES } from "./webhook-request";

const SECRET = "s3cret-for-tests";

/** A body that records whether anyone read it. */
function watchedRequest(url: string, body: string, headers: Record<string, string> = {}) {
  let pulled = 0;
  const bytes = new TextEncoder().encode(body);
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        pulled++;
        controller.enqueue(bytes.slice(0, 1024));
        if (pulled * 1024 >= bytes.length) controller.close();
      },
    },
    { highWaterMark: 0 },
  ); // pull only when read
  const request = new Request(url, {
    method: "POST",
    body: stream,
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    duplex: "half",
  } as RequestInit);
  return { request, pulled: () => pulled };
}

describe("SMS webhook requests (finding 12)", () => {
  it("checks the secret before reading a byte of the body", async () => {
    const { request, pulled } = watchedRequest(
      "https://x.test/api/sms/delivery?secret=wrong&m=1",
      "id=s1&status=delivered",
    );
    expect(await readWebhookForm(request, SECRET)).toEqual({ ok: false, status: 401 });
    expect(pulled()).toBe(0);
    const missing = watchedRequest("https://x.test/api/sms/delivery", "id=s1");
    expect(await readWebhookForm(missing.request, SECRET)).toEqual({ ok: false, status: 401 });
    expect(missing.pulled()).toBe(0);
  });

  it("caps the body: a declared or streamed size above the cap is refused", async () => {
    const big = "a=" + "x".repeat(WEBHOOK_MAX_BODY_BYTES);
    const declared = new Request(`https://x.test/?secret=${SECRET}`, {
      method: "POST",
      body: big,
      headers: { "content-length": String(big.length) },
    });
    expect(await readWebhookForm(declared, SECRET)).toEqual({ ok: false, status: 413 });
    const streamed = watchedRequest(`https://x.test/?secret=${SECRET}`, big.repeat(100));
    expect(await readWebhookForm(streamed.request, SECRET)).toEqual({ ok: false, status: 413 });
    // Stopped reading at the cap, not after the whole 800 KB.
    expect(streamed.pulled()).toBeLessThanOrEqual(WEBHOOK_MAX_BODY_BYTES / 1024 + 2);
  });

  it("reads an authentic report", async () => {
    const { request } = watchedRequest(`https://x.test/?secret=${SECRET}&m=abc`, "id=s1&status=delivered");
    const read = await readWebhookForm(request, SECRET);
    expect(read.ok && read.form.get("status")).toBe("delivered");
  });
});
