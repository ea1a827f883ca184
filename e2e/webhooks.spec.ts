// The booking system's side of a patient's cancel: a client registered with `npm run api-client --
// create … --webhook-url` (through the running app's admin channel) receives exactly one signed
// webhook when Tolvan cancels in the app, and verifies it with the third-party standardwebhooks
// package. Runs last (file order), so the cancelled visit cannot disturb other stories.
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { exportJWK, generateKeyPair } from "jose";
import { Webhook } from "standardwebhooks";
import { startWebhookReceiver, type WebhookReceiver } from "../test/webhook-receiver";
import { loginWithBankId } from "./bankid";
import { expect, test } from "./fixtures";

const port = Number(process.env.E2E_PORT ?? 3200);
// The demo seed's care units (db/seed.ts).
const SEED_HSA_IDS = ["SE2321000032-VT001", "SE2321000032-VT002", "SE2321000032-VT003"];

function cli(script: string, args: string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [path.resolve("node_modules/tsx/dist/cli.mjs"), script, ...args], {
      env: { ...process.env, PGLITE_DATA_DIR: process.env.E2E_DATA_DIR, DATABASE_URL: "", VARDTID_MODE: "demo" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

let receiver: WebhookReceiver;
test.beforeAll(async () => {
  receiver = await startWebhookReceiver({ from: port + 5, to: port + 9 });
});
test.afterAll(async () => {
  await receiver?.close();
});

test("a patient's cancel reaches the clinic's booking system as one verifiable webhook", async ({ page }) => {
  test.setTimeout(120_000);
  const { publicKey } = await generateKeyPair("ES384");
  const jwksFile = path.join(mkdtempSync(path.join(tmpdir(), "vardtid-jwks-")), "jwks.json");
  writeFileSync(jwksFile, JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), alg: "ES384", kid: "e2e" }] }));
  const created = await cli("scripts/api-client.ts", [
    "create",
    "--name",
    "Bokningssystem (e2e)",
    ...SEED_HSA_IDS.flatMap((h) => ["--clinic", h]),
    "--scope",
    "system/Appointment.rs",
    "--jwks-file",
    jwksFile,
    "--webhook-url",
    receiver.url,
  ]);
  expect(created.stderr).toBe("");
  const { client_id, webhook_secret } = JSON.parse(created.stdout) as { client_id: string; webhook_secret: string };
  expect(webhook_secret).toMatch(/^whsec_/);

  await loginWithBankId(page, "tolvan");
  // The first upcoming visit Tolvan may cancel himself (the soonest is inside the cutoff).
  const cards = page.getByRole("region", { name: "Kommande besök" }).getByRole("listitem");
  await expect(cards.first()).toBeVisible();
  const count = await cards.count();
  let appointmentId = "";
  for (let i = 0; i < count && !appointmentId; i++) {
    await cards.nth(i).getByRole("link").click();
    await expect(page).toHaveURL(/\/besok\/[0-9a-f-]{36}$/);
    await expect(page.getByRole("link", { name: /Tillbaka till mina tider/ })).toBeVisible();
    if (await page.getByRole("link", { name: "Avboka" }).isVisible()) appointmentId = page.url().split("/").at(-1)!;
    else await page.goBack();
  }
  expect(appointmentId).not.toBe("");
  await page.getByRole("link", { name: "Avboka" }).click();
  await page.getByLabel("Jag mår bättre").check();
  await page.getByRole("button", { name: "Ja, avboka besöket" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Besöket är avbokat." })).toBeVisible();

  // The in-app worker delivers within seconds; the operator's list then says delivered on the
  // first try, so no second copy can follow.
  await expect.poll(() => receiver.received.length, { timeout: 30_000 }).toBe(1);
  const got = receiver.received[0]!;
  const event = new Webhook(webhook_secret).verify(got.body, got.headers) as {
    type: string;
    data: { resource: { id: string; status: string; cancelationReason?: { coding?: { code: string }[] } } };
  };
  expect(event.type).toBe("appointment.cancelled");
  expect(event.data.resource).toMatchObject({ id: appointmentId, status: "cancelled" });
  expect(event.data.resource.cancelationReason?.coding?.[0]?.code).toBe("feeling_better");
  expect(() => new Webhook(webhook_secret).verify(got.body.replace("cancelled", "booked"), got.headers)).toThrow();

  const listed = await cli("scripts/webhooks.ts", ["list"]);
  const events = JSON.parse(listed.stdout) as {
    event_id: string;
    receivers: { client_id: string; status: string; attempts: number }[];
  }[];
  const ours = events.find((e) => e.event_id === got.id);
  expect(ours?.receivers.filter((r) => r.client_id === client_id)).toEqual([
    expect.objectContaining({ status: "delivered", attempts: 1 }),
  ]);
  expect(receiver.received).toHaveLength(1);
});
