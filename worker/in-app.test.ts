// The in-app worker (demo mode) is stopped by the server's graceful shutdown: every loop it started
// must stop with it, the webhook sender included, before the server closes the shared database.
import { afterEach, expect, it, vi } from "vitest";
import type { Env } from "@/lib/env";

const { loops, loop } = vi.hoisted(() => {
  const loops: { name: string; stopped: boolean }[] = [];
  const loop = (name: string) => {
    const state = { name, stopped: false };
    loops.push(state);
    return {
      stop: async () => {
        state.stopped = true;
      },
    };
  };
  return { loops, loop };
});

vi.mock("@/db/handle", () => ({ processDatabaseHandle: () => ({ db: {} }) }));
vi.mock("@/lib/log/logger", () => ({ logger: () => ({ info: () => {} }) }));
vi.mock("@/lib/push/vapid", () => ({ vapidKeysFor: () => ({ publicKey: "p", privateKey: "k", subject: "s" }) }));
vi.mock("./config", () => ({ smsDispatchConfig: () => ({ keys: {}, publicBaseUrl: "http://x", log: () => {} }) }));
vi.mock("./sms-dispatch", () => ({ startSmsWorker: () => loop("sms") }));
vi.mock("./offers", () => ({ startOfferWorker: () => loop("offers") }));
vi.mock("./webhook-dispatch", () => ({ startWebhookWorker: () => loop("webhooks") }));
vi.mock("./push-dispatch", () => ({ startPushWorker: () => loop("push") }));
vi.mock("./audit-sequencer", () => ({ startAuditSequencer: () => loop("audit-sequencer") }));

const { startInAppWorker } = await import("./in-app");

const globals = globalThis as unknown as {
  vardtidInAppWorker?: unknown;
  vardtidStopInAppWorker?: () => Promise<void>;
};

afterEach(() => {
  delete globals.vardtidInAppWorker;
  delete globals.vardtidStopInAppWorker;
});

it("stops every loop it started on graceful shutdown, the webhook sender too", async () => {
  startInAppWorker({ isProduction: false } as Env);
  expect(loops.map((l) => l.name).sort()).toEqual(["audit-sequencer", "offers", "push", "sms", "webhooks"]);
  await globals.vardtidStopInAppWorker!();
  expect(loops.filter((l) => !l.stopped).map((l) => l.name)).toEqual([]);
});
