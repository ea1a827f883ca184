import { afterAll, beforeAll, describe, expect, it } from "vitest";
import webpush from "web-push";
import { startPushService } from "@/test/push-service";
import { sendPush } from "./send";

const vapid = { ...webpush.generateVAPIDKeys(), subject: "mailto:drift@vardtid.invalid" };

describe("web push through a local push service", () => {
  let service: Awaited<ReturnType<typeof startPushService>>;
  beforeAll(async () => {
    service = await startPushService();
  });
  afterAll(async () => {
    await service.close();
  });

  it("sends an encrypted payload signed with our VAPID key, readable only with the subscription's keys", async () => {
    const sub = service.subscribe();
    const payload = {
      title: "Påminnelse",
      body: "Du har en tid tis 3 dec kl 09:40 hos Vårdcentralen Centrum.",
      url: "/l/abc",
      messageId: "m1",
    };
    const result = await sendPush(sub, payload, vapid, { agent: service.agent });
    expect(result).toEqual({ ok: true, status: 201 });
    expect(service.received).toHaveLength(1);
    const got = service.received[0]!;
    expect(got.payload).toEqual(payload);
    expect(got.subject).toBe(vapid.subject);
    expect(got.audience).toBe(new URL(sub.endpoint).origin);
    expect(Number(got.ttl)).toBeGreaterThan(0);
  });

  it("reports a subscription that is gone (410) so it can be removed", async () => {
    const sub = service.subscribe();
    service.expire(sub.endpoint);
    expect(await sendPush(sub, { title: "x", body: "y", url: "/besok" }, vapid, { agent: service.agent })).toEqual({
      ok: false,
      gone: true,
      status: 410,
    });
  });

  it("a payload encrypted for another subscription cannot be read (the service rejects it)", async () => {
    const a = service.subscribe();
    const b = service.subscribe();
    const result = await sendPush(
      { endpoint: a.endpoint, p256dh: b.p256dh, auth: b.auth },
      { title: "x", body: "y", url: "/besok" },
      vapid,
      { agent: service.agent },
    );
    expect(result.ok).toBe(false);
  });
});
