// The operator's and integrator's commands, run as the real CLIs (`npm run api-client`,
// `npm run webhooks`) through the admin channel, as they run while `npm start` holds the PGlite
// folder: create a client with --webhook-url (secret printed once, in the same JSON line),
// set the URL, rotate the secret, list, replay, counts; mistakes get one line and change nothing.
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import * as s from "@/db/schema";
import { cancelAppointment } from "@/lib/appointments/service";
import { env } from "@/lib/env";
import { testDatabases } from "@/test/databases";
import { makeClientKey, startTestAdminChannel } from "@/test/fhir-harness";
import { makeClinic, makePatient, makeSlot } from "@/test/fixtures";
import { startWebhookReceiver, type WebhookReceiver } from "@/test/webhook-receiver";
import { runWebhookPass } from "@/worker/webhook-dispatch";
import type { WebhookEventBody } from "./events";
import { piiKeysFromEnv } from "@/lib/privacy/crypto";

// The CLIs are the same on both engines (the channel runs the commands on whatever database the
// app holds); one engine keeps the many process starts affordable. delivery.test.ts covers both.
const target = testDatabases[0]!;

function runCli(script: string, dataDir: string, args: string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(
      process.execPath,
      [path.join(process.cwd(), "node_modules/tsx/dist/cli.mjs"), script, ...args],
      { env: { ...process.env, PGLITE_DATA_DIR: dataDir, DATABASE_URL: "" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** The one JSON line a successful command prints. */
function oneLine<T>(r: { code: number; stdout: string; stderr: string }): T {
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  const lines = r.stdout.trim().split("\n");
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]!) as T;
}

describe(`webhook CLIs over the admin channel (${target.name})`, () => {
  let handle: Awaited<ReturnType<typeof target.open>>;
  let channel: Awaited<ReturnType<typeof startTestAdminChannel>>;
  let receiver: WebhookReceiver;
  const keys = piiKeysFromEnv(env());
  beforeAll(async () => {
    handle = await target.open();
    channel = await startTestAdminChannel(handle.db);
    receiver = await startWebhookReceiver({ from: 3470, to: 3489 });
  });
  afterAll(async () => {
    channel?.close();
    await receiver?.close();
    await handle?.dispose();
  });

  it(
    "create --webhook-url, cancel, verify; webhook set; rotate-secret; list, replay, counts",
    { timeout: 180_000 },
    async () => {
      const hsaId = `SE2321000032-${randomUUID().slice(0, 8)}`;
      const { clinic, type } = await makeClinic(handle.db, { hsaId });
      const key = await makeClientKey();
      const jwksFile = path.join(mkdtempSync(path.join(tmpdir(), "vardtid-jwks-")), "jwks.json");
      writeFileSync(jwksFile, JSON.stringify({ keys: [key.publicJwk] }));
      const create = (url: string) =>
        runCli("scripts/api-client.ts", channel.dataDir, [
          "create",
          "--name",
          "Cosmic test",
          "--clinic",
          hsaId,
          "--scope",
          "system/Appointment.rs",
          "--jwks-file",
          jwksFile,
          "--webhook-url",
          url,
        ]);

      // A URL that is not http(s) is refused with one line, and no client is made.
      const refused = await create("ftp://127.0.0.1/x");
      expect(refused.code).toBe(1);
      expect(refused.stdout).toBe("");
      expect(refused.stderr.trim().split("\n")).toEqual(["the webhook URL must be an http:// or https:// URL"]);
      expect(await handle.db.select().from(s.apiClients)).toHaveLength(0);

      const created = oneLine<{ client_id: string; webhook_secret: string; webhook_url: string }>(
        await create(receiver.url),
      );
      expect(created.webhook_secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      expect(created.webhook_url).toBe(receiver.url);
      const [stored] = await handle.db
        .select()
        .from(s.webhookEndpoints)
        .where(eq(s.webhookEndpoints.apiClientId, created.client_id));
      expect(stored!.secretEnc).not.toContain(created.webhook_secret.slice(6, 20)); // encrypted at rest

      const patient = await makePatient(handle.db);
      const slot = await makeSlot(handle.db, clinic.id, type.id, new Date(Date.now() + 5 * 86_400_000));
      const [a] = await handle.db.insert(s.appointments).values({ patientId: patient.id, slotId: slot.id }).returning();
      await cancelAppointment(handle.db, patient.id, {
        appointmentId: a!.id,
        reason: null,
        now: new Date(),
        audit: {},
      });
      await runWebhookPass({ db: handle.db, keys, production: false });
      expect(receiver.received).toHaveLength(1);
      const first = receiver.received[0]!;
      expect((new Webhook(created.webhook_secret).verify(first.body, first.headers) as WebhookEventBody).type).toBe(
        "appointment.cancelled",
      );

      // webhook set: a new URL, the same secret (none printed).
      const moved = `${receiver.url}?v=2`;
      expect(
        oneLine(await runCli("scripts/api-client.ts", channel.dataDir, ["webhook", "set", created.client_id, moved])),
      ).toEqual({ client_id: created.client_id, webhook_url: moved });
      const unknown = await runCli("scripts/api-client.ts", channel.dataDir, [
        "webhook",
        "set",
        randomUUID(),
        receiver.url,
      ]);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toMatch(/^no API client [0-9a-f-]{36}\n$/);

      // rotate-secret: a new secret; the next webhook verifies with the new and the old one.
      const rotated = oneLine<{ webhook_secret: string }>(
        await runCli("scripts/api-client.ts", channel.dataDir, ["webhook", "rotate-secret", created.client_id]),
      );
      expect(rotated.webhook_secret).not.toBe(created.webhook_secret);

      // Operators: list shows the event, its status from its receivers, and each receiver; replay
      // sends it again, same webhook-id.
      type Listed = {
        event_id: string;
        type: string;
        status: string;
        receivers: { status: string; client_id: string }[];
      };
      const listed = oneLine<Listed[]>(await runCli("scripts/webhooks.ts", channel.dataDir, ["list"]));
      expect(listed).toHaveLength(1);
      expect(listed[0]).toMatchObject({
        event_id: first.id,
        type: "appointment.cancelled",
        status: "delivered",
        receivers: [{ status: "delivered", client_id: created.client_id }],
      });
      expect(oneLine(await runCli("scripts/webhooks.ts", channel.dataDir, ["list", "--failed"]))).toEqual([]);
      // A receiver that gave up (as after the 24-hour window, delivery.test.ts): the event is `failed`.
      await handle.db
        .update(s.webhookDispatches)
        .set({ status: "failed", failedAt: new Date(), lastError: "timeout" })
        .where(eq(s.webhookDispatches.eventId, first.id));
      expect(oneLine<Listed[]>(await runCli("scripts/webhooks.ts", channel.dataDir, ["list", "--failed"]))).toEqual([
        expect.objectContaining({
          event_id: first.id,
          status: "failed",
          receivers: [expect.objectContaining({ status: "failed", client_id: created.client_id })],
        }),
      ]);
      expect(oneLine(await runCli("scripts/webhooks.ts", channel.dataDir, ["replay", first.id]))).toEqual({
        event_id: first.id,
        requeued: 1,
      });
      await runWebhookPass({ db: handle.db, keys, production: false });
      expect(receiver.received).toHaveLength(2);
      const again = receiver.received[1]!;
      expect(again.id).toBe(first.id);
      expect(again.body).toBe(first.body);
      expect(() => new Webhook(rotated.webhook_secret).verify(again.body, again.headers)).not.toThrow();
      expect(() => new Webhook(created.webhook_secret).verify(again.body, again.headers)).not.toThrow();

      const noSuch = await runCli("scripts/webhooks.ts", channel.dataDir, ["replay", "not-an-id"]);
      expect(noSuch).toMatchObject({ code: 1, stdout: "", stderr: "no webhook event not-an-id\n" });
      expect(oneLine(await runCli("scripts/webhooks.ts", channel.dataDir, ["counts"]))).toEqual({
        eventsPending: 0,
        dispatches: { pending: 0, sending: 0, delivered: 1, failed: 0 },
        oldestUndeliveredSeconds: 0,
      });
    },
  );
});
