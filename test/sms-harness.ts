// For reminder tests over real HTTP: the app's delivery-report endpoint on a plain HTTP server
// (the same handler the Next route uses), so the simulator's reports reach the test database.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import * as s from "@/db/schema";
import { ElksGateway } from "@/lib/sms/elks";
import { encryptPii } from "@/lib/privacy/crypto";
import { handleDeliveryWebhook } from "@/lib/sms/webhooks";
import { testKeys } from "./fixtures";

export const WEBHOOK_SECRET = "test-webhook-secret-0123456789";

export interface AppStub {
  url: string;
  reports: number;
  close(): Promise<void>;
}

export async function startDeliveryEndpoint(db: Db): Promise<AppStub> {
  const parser = new ElksGateway({ baseUrl: "http://127.0.0.1:9", username: "x", password: "x" });
  const stub: AppStub = { url: "", reports: 0, close: async () => {} };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      if (req.method !== "POST" || url.pathname !== "/api/sms/delivery") {
        res.writeHead(404).end();
        return;
      }
      const form = new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
      handleDeliveryWebhook(db, parser, { url, form, secret: WEBHOOK_SECRET, now: new Date() }).then(
        (status) => {
          stub.reports += 1;
          res.writeHead(status).end();
        },
        () => res.writeHead(500).end(),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  stub.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  stub.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return stub;
}

/** A patient who said yes to SMS reminders and confirmed this (fictional) number. */
export async function consentToSms(db: Db, patientId: string, phone: string, at: Date, language: "sv" | "en" = "sv") {
  await db
    .update(s.patients)
    .set({ phoneEnc: encryptPii(phone, testKeys), phoneVerifiedAt: at, language })
    .where(eq(s.patients.id, patientId));
  await db
    .insert(s.notificationPreferences)
    .values({ patientId, smsEnabled: true, smsConsentAt: at })
    .onConflictDoUpdate({ target: s.notificationPreferences.patientId, set: { smsEnabled: true, smsConsentAt: at } });
}
