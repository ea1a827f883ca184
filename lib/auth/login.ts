import "server-only";
// A BankID login from start to session. The browser holds only a random binding cookie; the order
// reference, QR secret and the identity stay on the server. The personal number is never taken
// from the browser: it comes from the provider's completed collect, here.
import { and, eq, lt } from "drizzle-orm";
import QRCode from "qrcode";
import type { Db } from "@/db/client";
import { loginOrders, notificationPreferences, patients } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { AGE_LIMIT, rfaForHint, type RfaKey, type UserDevice } from "@/lib/eid/rfa";
import { qrData, qrSecondsSince } from "@/lib/eid/qr";
import { EidError, type EidIdentity, type EidProvider } from "@/lib/eid/types";
import { decryptPii, encryptPii, keyedHash, randomToken, sha256Hex, type PiiKeys } from "@/lib/privacy/crypto";
import { patientMayUseOnline } from "@/lib/guardians/age-rule";
import { parsePersonalNumber } from "@/lib/personal-number";

const FINAL_COLLECT_ERRORS = new Set([
  "invalidParameters",
  "unauthorized",
  "notFound",
  "methodNotAllowed",
  "unsupportedMediaType",
]);

export interface LoginContext {
  db: Db;
  eid: EidProvider;
  keys: PiiKeys;
  ip: string;
  userAgent: string | null;
  now: () => Date;
  /** From this age a patient logs in for themselves (PATIENT_SELF_SERVICE_AGE); default 16. */
  selfServiceAge?: number;
}

export type LoginView =
  | { state: "pending"; rfa: RfaKey; startedBy: "qr" | "autostart"; hintCode: string }
  | { state: "complete" }
  | { state: "failed"; rfa: RfaKey | typeof AGE_LIMIT; hintCode: string }
  | { state: "none" };

export async function startLogin(
  ctx: LoginContext,
  input: { startedBy: "qr" | "autostart"; device: UserDevice; previousBinding?: string },
): Promise<{ binding: string; autoStartToken: string } | { error: RfaKey }> {
  if (input.previousBinding) await cancelLogin(ctx, input.previousBinding, "superseded");
  await pruneLoginOrders(ctx.db, ctx.now());
  try {
    const order = await ctx.eid.startAuthentication({ endUserIp: ctx.ip });
    const binding = randomToken(32);
    await ctx.db.insert(loginOrders).values({
      bindingHash: sha256Hex(binding),
      orderRef: order.orderRef,
      qrStartToken: order.qrStartToken,
      qrStartSecretEnc: encryptPii(order.qrStartSecret, ctx.keys),
      startedBy: input.startedBy,
      device: input.device,
      startedAt: new Date(order.startedAt),
      ip: ctx.ip,
    });
    return { binding, autoStartToken: order.autoStartToken };
  } catch (error) {
    const rfa = error instanceof EidError ? error.rfa : "RFA22";
    await recordAudit(ctx.db, {
      actorType: "anonymous",
      action: "auth.login.start_failed",
      ip: ctx.ip,
      userAgent: ctx.userAgent,
      details: { code: error instanceof EidError ? error.code : "unexpected" },
    });
    return { error: rfa };
  }
}

async function findOrder(ctx: LoginContext, binding: string) {
  const [order] = await ctx.db
    .select()
    .from(loginOrders)
    .where(eq(loginOrders.bindingHash, sha256Hex(binding)))
    .limit(1);
  return order;
}

/** One poll: asks the provider while the order is pending, and completes the login when it is done. */
export async function pollLogin(ctx: LoginContext, binding: string): Promise<LoginView> {
  const order = await findOrder(ctx, binding);
  if (!order) return { state: "none" };
  const startedBy = order.startedBy as "qr" | "autostart";
  const device = order.device as UserDevice;
  if (order.status === "complete") return { state: "complete" };
  if (order.status !== "pending")
    return {
      state: "failed",
      rfa: order.status === "cancelled" ? "RFA3" : rfaForHint("failed", order.hintCode ?? "", startedBy, device),
      hintCode: order.hintCode ?? order.status,
    };
  let result;
  try {
    result = await ctx.eid.collect(order.orderRef);
  } catch (error) {
    // Collect is a read: repeating it is harmless, so only our own bugs or a refused certificate
    // end the login; a slow or failing provider just means "ask again in 2 s".
    if (error instanceof EidError && FINAL_COLLECT_ERRORS.has(error.code)) {
      await finishFailed(ctx, order.id, error.code);
      return { state: "failed", rfa: error.rfa, hintCode: error.code };
    }
    // A passing fault: keep the order, show "in progress", the next poll asks again.
    return { state: "pending", rfa: "RFA21", startedBy, hintCode: "retrying" };
  }
  if (result.status === "pending") {
    await ctx.db.update(loginOrders).set({ hintCode: result.hintCode }).where(eq(loginOrders.id, order.id));
    return {
      state: "pending",
      rfa: rfaForHint("pending", result.hintCode, startedBy, device),
      startedBy,
      hintCode: result.hintCode,
    };
  }
  if (result.status === "failed") {
    await finishFailed(ctx, order.id, result.hintCode);
    return {
      state: "failed",
      rfa: rfaForHint("failed", result.hintCode, startedBy, device),
      hintCode: result.hintCode,
    };
  }
  // A child logs in with their own BankID: below the self-service age they are not let in (a
  // guardian acts for a young child; from 13 to 15 neither, online). Checked before any patient row
  // is created, and audited as a refused login.
  const parsed = parsePersonalNumber(result.identity.personalNumber);
  if (parsed.ok && !patientMayUseOnline(parsed.personalNumber.birthDate, ctx.now(), ctx.selfServiceAge ?? 16)) {
    await finishFailed(ctx, order.id, "ageLimit");
    return { state: "failed", rfa: AGE_LIMIT, hintCode: "ageLimit" };
  }
  const patientId = await findOrCreatePatient(ctx, result.identity);
  await ctx.db
    .update(loginOrders)
    .set({ status: "complete", hintCode: null, patientId })
    .where(and(eq(loginOrders.id, order.id), eq(loginOrders.status, "pending")));
  return { state: "complete" };
}

async function finishFailed(ctx: LoginContext, orderId: string, hintCode: string) {
  const updated = await ctx.db
    .update(loginOrders)
    .set({ status: "failed", hintCode })
    .where(and(eq(loginOrders.id, orderId), eq(loginOrders.status, "pending")))
    .returning({ id: loginOrders.id });
  if (updated.length) {
    await recordAudit(ctx.db, {
      actorType: "anonymous",
      action: "auth.login.failed",
      ip: ctx.ip,
      userAgent: ctx.userAgent,
      details: { hintCode },
    });
  }
}

async function findOrCreatePatient(ctx: LoginContext, identity: EidIdentity): Promise<string> {
  const hash = keyedHash(identity.personalNumber, ctx.keys);
  return ctx.db.transaction(async (tx) => {
    const [existing] = await tx
      .select({ id: patients.id })
      .from(patients)
      .where(eq(patients.personalNumberHash, hash))
      .limit(1);
    if (existing) return existing.id;
    const [created] = await tx
      .insert(patients)
      .values({
        personalNumberHash: hash,
        personalNumberEnc: encryptPii(identity.personalNumber, ctx.keys),
        givenName: identity.givenName,
        surname: identity.surname,
      })
      .onConflictDoNothing()
      .returning({ id: patients.id });
    if (!created) {
      const [raced] = await tx
        .select({ id: patients.id })
        .from(patients)
        .where(eq(patients.personalNumberHash, hash))
        .limit(1);
      return raced!.id;
    }
    await tx.insert(notificationPreferences).values({ patientId: created.id }).onConflictDoNothing();
    await recordAudit(tx, {
      actorType: "system",
      action: "patient.created",
      resourceType: "patient",
      resourceId: created.id,
      patientId: created.id,
      details: { via: "bankid" },
    });
    return created.id;
  });
}

/**
 * Turns a completed order into its patient, once: the order is consumed atomically, so a replayed
 * sign-in request gets nothing.
 */
export async function consumeCompletedLogin(ctx: LoginContext, binding: string): Promise<string | null> {
  const [row] = await ctx.db
    .update(loginOrders)
    .set({ status: "consumed" })
    .where(and(eq(loginOrders.bindingHash, sha256Hex(binding)), eq(loginOrders.status, "complete")))
    .returning({ patientId: loginOrders.patientId });
  return row?.patientId ?? null;
}

export async function cancelLogin(
  ctx: LoginContext,
  binding: string,
  reason: "user" | "hidden" | "superseded",
): Promise<void> {
  const order = await findOrder(ctx, binding);
  if (!order) return;
  if (order.status === "pending") {
    try {
      await ctx.eid.cancel(order.orderRef);
    } catch {
      // The order may already have ended at the provider; ours is cancelled either way.
    }
    await recordAudit(ctx.db, {
      actorType: "anonymous",
      action: "auth.login.cancelled",
      ip: ctx.ip,
      userAgent: ctx.userAgent,
      details: { reason },
    });
  }
  // The binding is single-use: remove the row so the cookie can never be replayed.
  await ctx.db.delete(loginOrders).where(eq(loginOrders.id, order.id));
}

/** The current animated QR code as SVG, or null when the order is not a pending QR order. */
export async function currentQrSvg(ctx: LoginContext, binding: string): Promise<string | null> {
  const order = await findOrder(ctx, binding);
  if (!order || order.status !== "pending" || order.startedBy !== "qr") return null;
  const t = qrSecondsSince(order.startedAt.getTime(), ctx.now().getTime());
  const data = qrData(order.qrStartToken, decryptPii(order.qrStartSecretEnc, ctx.keys), t);
  return QRCode.toString(data, {
    type: "svg",
    errorCorrectionLevel: "L",
    margin: 2,
    color: { dark: "#000000", light: "#ffffff" },
  });
}

/** Old rows are of no use to anyone: drop finished orders after an hour. */
export async function pruneLoginOrders(db: Db, now: Date): Promise<void> {
  // lt() encodes the Date through the column; a Date inside a raw sql`` reaches postgres.js unencoded
  // and fails there (PGlite accepts it, which hid this until the built app ran on real Postgres).
  await db.delete(loginOrders).where(lt(loginOrders.createdAt, new Date(now.getTime() - 3_600_000)));
}
