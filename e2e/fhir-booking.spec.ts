// A clinic's booking system books Tolvan through the FHIR API (a client registered with the real
// CLI while the demo server runs, a key made here, the third-party fhir-kit-client), and Tolvan
// sees the visit in Mina tider after logging in.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Bundle } from "@medplum/fhirtypes";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { Client } from "fhir-kit-client";
import { loginWithBankId, testPatients } from "./bankid";
import { expect, test } from "./fixtures";

const CENTRUM_HSA = "SE2321000032-VT001"; // db/seed.ts: Vårdcentralen Centrum
const PNR = "http://electronichealth.se/identifier/personnummer";

test("an appointment booked through the FHIR API shows in Tolvan's Mina tider", async ({ page, baseURL }) => {
  test.setTimeout(120_000);
  const { privateKey, publicKey } = await generateKeyPair("ES384");
  const jwk = { ...(await exportJWK(publicKey)), alg: "ES384", kid: "e2e" };
  const dir = mkdtempSync(path.join(tmpdir(), "vardtid-e2e-jwks-"));
  writeFileSync(path.join(dir, "jwks.json"), JSON.stringify({ keys: [jwk] }));
  // The real CLI, while the server holds the PGlite folder: it goes through the admin channel.
  const cli = spawnSync(
    process.execPath,
    [
      "node_modules/tsx/dist/cli.mjs",
      "scripts/api-client.ts",
      "create",
      "--name",
      "Vårdcentralen Centrum (bokningssystem)",
      "--clinic",
      CENTRUM_HSA,
      "--scope",
      "system/*.cruds",
      "--jwks-file",
      path.join(dir, "jwks.json"),
    ],
    { env: { ...process.env, PGLITE_DATA_DIR: process.env.E2E_DATA_DIR, DATABASE_URL: "" }, encoding: "utf8" },
  );
  expect(cli.status, cli.stderr).toBe(0);
  const { client_id: clientId } = JSON.parse(cli.stdout.trim()) as { client_id: string };

  const base = `${baseURL}/api/fhir/r4`;
  const smart = (await (await fetch(`${base}/.well-known/smart-configuration`)).json()) as { token_endpoint: string };
  const now = Math.floor(Date.now() / 1000);
  const assertion = await new SignJWT({})
    .setProtectedHeader({ alg: "ES384", kid: "e2e" })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(smart.token_endpoint)
    .setIssuedAt(now)
    .setExpirationTime(now + 120)
    .setJti(crypto.randomUUID())
    .sign(privateKey);
  const tokenRes = await fetch(smart.token_endpoint, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
      client_assertion: assertion,
      scope: "system/*.cruds",
    }),
  });
  expect(tokenRes.status).toBe(200);
  const { access_token } = (await tokenRes.json()) as { access_token: string };
  const fhir = new Client({ baseUrl: base, bearerToken: access_token });

  const services = (await fhir.search({
    resourceType: "HealthcareService",
    searchParams: { identifier: "lakare" },
  })) as unknown as Bundle;
  const serviceId = services.entry![0]!.resource!.id!;
  const schedules = (await fhir.search({
    resourceType: "Schedule",
    searchParams: { actor: `HealthcareService/${serviceId}` },
  })) as unknown as Bundle;
  const from = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
  const slots = (await fhir.search({
    resourceType: "Slot",
    searchParams: {
      schedule: `Schedule/${schedules.entry![0]!.resource!.id}`,
      status: "free",
      start: `ge${from}`,
      _count: 1,
    },
  })) as unknown as Bundle;
  const slot = slots.entry![0]!.resource!;
  const tolvan = testPatients.tolvan;
  const patient = await fhir.create({
    resourceType: "Patient",
    body: {
      resourceType: "Patient",
      identifier: [{ system: PNR, value: tolvan.personalNumber }],
      name: [{ family: tolvan.surname, given: [tolvan.givenName] }],
    },
    options: { headers: { "If-None-Exist": `identifier=${PNR}|${tolvan.personalNumber}` } },
  });
  const appointment = await fhir.create({
    resourceType: "Appointment",
    body: {
      resourceType: "Appointment",
      status: "booked",
      slot: [{ reference: `Slot/${slot.id}` }],
      participant: [{ actor: { reference: `Patient/${patient.id}` }, status: "accepted" }],
    },
  });
  expect(appointment.status).toBe("booked");

  await loginWithBankId(page, "tolvan");
  await expect(page.getByRole("heading", { level: 1, name: "Mina tider" })).toBeVisible();
  const upcoming = page.getByRole("region", { name: "Kommande besök" });
  await expect(upcoming.locator(`a[href="/besok/${appointment.id}"]`)).toBeVisible();
});
