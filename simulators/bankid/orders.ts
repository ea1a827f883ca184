import { createHash, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { qrData, qrSecondsSince } from "../../lib/eid/qr";
import { isValidPersonalNumber } from "../../lib/personal-number";
import { DEFAULT_IDENTITY, findTestIdentity } from "./identities";

/**
 * The simulator's orders: BankID's state machine, with lifetimes evaluated lazily against an
 * injectable clock, so tests can jump past 30 s or 3 min without waiting.
 * Transport-free: server.ts turns these results into HTTP answers.
 */

export type Operation = "auth" | "sign";
export type Channel = "app" | "phone";
export type OrderStatus = "pending" | "failed" | "complete";
export type StartedBy = "qr" | "autostart";

export interface Requirement {
  pinCode?: boolean;
  mrtd?: boolean;
  cardReader?: "class1" | "class2";
  certificatePolicies?: string[];
  personalNumber?: string;
  risk?: "low" | "moderate";
}

export interface NewOrder {
  operation: Operation;
  channel: Channel;
  endUserIp?: string;
  requirement?: Requirement;
  /** Phone orders name the person up front. */
  personalNumber?: string;
  callInitiator?: "user" | "RP";
  userVisibleData?: string;
  userVisibleDataFormat?: "plaintext" | "simpleMarkdownV1";
  userNonVisibleData?: string;
  returnUrl?: string;
  returnRisk?: boolean;
}

export interface CompletionData {
  user: { personalNumber: string; name: string; givenName: string; surname: string };
  device: { ipAddress: string; uhi: string };
  bankIdIssueDate: string;
  stepUp?: { mrtd: boolean };
  signature: string;
  ocspResponse: string;
  risk?: string;
}

export interface CreatedOrder {
  orderRef: string;
  autoStartToken: string;
  qrStartToken: string;
  qrStartSecret: string;
}

export type CollectAnswer =
  | { orderRef: string; status: "pending" | "failed"; hintCode: string }
  | { orderRef: string; status: "complete"; completionData: CompletionData };

export interface OrderSummary {
  orderRef: string;
  kind: "auth" | "sign" | "phone";
  operation: Operation;
  status: OrderStatus;
  hintCode: string | null;
  created: string;
  finished: string | null;
  startedBy: StartedBy | null;
  callInitiator: "user" | "RP" | null;
  /** Whether only one person may complete it; the number itself stays out of listings. */
  requiresPersonalNumber: boolean;
  /** Decoded userVisibleData, so the test app can show what is being signed. */
  userVisibleText: string | null;
  userVisibleDataFormat: "plaintext" | "simpleMarkdownV1" | null;
  returnUrl: string | null;
  /** The final state has been collected: a further collect is invalidParameters. */
  collected: boolean;
  cancelledByRp: boolean;
  autoStartToken: string | null;
}

export interface StoreError {
  ok: false;
  httpStatus: number;
  errorCode: string;
  details: string;
}

export type StoreResult<T> = { ok: true; value: T } | StoreError;

export interface ApproveInput {
  personalNumber?: string;
  givenName?: string;
  surname?: string;
}

export interface OrderStoreOptions {
  clock: () => number;
  startFailedAfterMs: number;
  expireAfterMs: number;
  /** How long a finished order stays listed and collectable. Default 10 minutes. */
  retentionMs?: number;
}

interface Order extends NewOrder {
  orderRef: string;
  autoStartToken: string;
  qrStartToken: string;
  qrStartSecret: string;
  createdAt: number;
  status: OrderStatus;
  hintCode: string | null;
  /** Hints still to come after the current one; each collect that shows one moves on. */
  upcomingHints: string[];
  startedBy: StartedBy | null;
  finishedAt: number | null;
  /** From requirement.personalNumber or the phone order: only this person may complete it. */
  requiredPersonalNumber: string | null;
  /** Who the order is running for, as far as we know: drives alreadyInProgress. */
  personFor: string | null;
  completionData: CompletionData | null;
  finalCollected: boolean;
  cancelledByRp: boolean;
}

const NO_SUCH_ORDER: StoreError = {
  ok: false,
  httpStatus: 400,
  errorCode: "invalidParameters",
  details: "No such order",
};

const MAX_ORDERS = 5_000;

export class OrderStore {
  private readonly orders = new Map<string, Order>();
  private readonly clock: () => number;
  private readonly startFailedAfterMs: number;
  private readonly expireAfterMs: number;
  private readonly retentionMs: number;

  constructor(opts: OrderStoreOptions) {
    this.clock = opts.clock;
    this.startFailedAfterMs = opts.startFailedAfterMs;
    this.expireAfterMs = opts.expireAfterMs;
    this.retentionMs = opts.retentionMs ?? 10 * 60_000;
  }

  reset(): void {
    this.orders.clear();
  }

  /** auth, sign, phone/auth, phone/sign. */
  create(input: NewOrder): StoreResult<CreatedOrder> {
    this.settleAll();
    const person = input.personalNumber ?? input.requirement?.personalNumber ?? null;
    if (person !== null) {
      const conflict = this.refuseIfRunning(person, null);
      if (conflict) return conflict;
    }
    if (this.orders.size >= MAX_ORDERS) this.dropOldest();

    const order: Order = {
      ...input,
      orderRef: randomUUID(),
      autoStartToken: randomUUID(),
      qrStartToken: randomUUID(),
      qrStartSecret: randomUUID(),
      createdAt: this.clock(),
      status: "pending",
      hintCode: "outstandingTransaction",
      upcomingHints: [],
      startedBy: null,
      finishedAt: null,
      requiredPersonalNumber: person,
      personFor: person,
      completionData: null,
      finalCollected: false,
      cancelledByRp: false,
    };
    this.orders.set(order.orderRef, order);
    const { orderRef, autoStartToken, qrStartToken, qrStartSecret } = order;
    return { ok: true, value: { orderRef, autoStartToken, qrStartToken, qrStartSecret } };
  }

  collect(orderRef: string): StoreResult<CollectAnswer> {
    const order = this.orders.get(orderRef);
    if (!order || order.finalCollected || order.cancelledByRp) return NO_SUCH_ORDER;
    this.settle(order);

    if (order.status === "complete" && order.completionData) {
      order.finalCollected = true;
      return { ok: true, value: { orderRef, status: "complete", completionData: order.completionData } };
    }
    const hintCode = order.hintCode ?? "";
    if (order.status === "failed") {
      order.finalCollected = true;
      return { ok: true, value: { orderRef, status: "failed", hintCode } };
    }
    // The relying party has now seen this hint; the app moves on, as the real one would once
    // the user is looking at the code entry.
    const next = order.upcomingHints.shift();
    if (next !== undefined) order.hintCode = next;
    return { ok: true, value: { orderRef, status: "pending", hintCode } };
  }

  /** The relying party's cancel: the order is gone, a later collect is invalidParameters. */
  cancelByRp(orderRef: string): StoreResult<void> {
    const order = this.orders.get(orderRef);
    if (!order || order.finalCollected || order.cancelledByRp) return NO_SUCH_ORDER;
    this.settle(order);
    if (order.status === "pending") this.finish(order, "failed", "cancelled");
    order.cancelledByRp = true;
    return { ok: true, value: undefined };
  }

  /** The app has the order: QR scanned, autostart link opened, or phone order received. */
  scan(orderRef: string, opts: { via?: StartedBy; personalNumber?: string }): StoreResult<OrderSummary> {
    const found = this.pendingOrder(orderRef);
    if (!found.ok) return found;
    const order = found.value;
    if (order.startedBy !== null) {
      return conflict("The order has already been picked up by the app");
    }
    if (opts.personalNumber !== undefined) {
      const person = this.checkPerson(order, opts.personalNumber);
      if (!person.ok) return person;
      this.settleAll();
      const refused = this.refuseIfRunning(opts.personalNumber, order);
      if (refused) return refused;
      order.personFor = opts.personalNumber;
    }

    order.startedBy = opts.via ?? "qr";
    const hints = [
      ...(order.channel === "phone" ? ["userCallConfirm"] : []),
      "started",
      ...(order.requirement?.mrtd ? ["userMrtd"] : []),
      "userSign",
    ];
    order.hintCode = hints.shift() ?? "started";
    order.upcomingHints = hints;
    return { ok: true, value: this.summarize(order) };
  }

  /** A scanned QR code, valid only for the order's current second ±1. */
  scanQr(scanned: string, personalNumber?: string): StoreResult<OrderSummary> {
    const match = /^bankid\.([^.]+)\.(\d{1,9})\.([0-9a-f]{64})$/.exec(scanned.trim());
    if (!match || match[1] === undefined) return invalid("Not BankID QR data");
    const token = match[1];
    const order = [...this.orders.values()].find((o) => o.qrStartToken === token);
    if (!order || order.channel !== "app") return invalid("Unknown QR code");

    const now = qrSecondsSince(order.createdAt, this.clock());
    const given = Buffer.from(scanned.trim());
    const valid = [now - 1, now, now + 1].some((t) => {
      if (t < 0) return false;
      const expected = Buffer.from(qrData(order.qrStartToken, order.qrStartSecret, t));
      return expected.length === given.length && timingSafeEqual(expected, given);
    });
    if (!valid) return invalid("The QR code is not valid now: scan the code shown at this moment");

    const opts: { via: StartedBy; personalNumber?: string } = { via: "qr" };
    if (personalNumber !== undefined) opts.personalNumber = personalNumber;
    return this.scan(order.orderRef, opts);
  }

  openAutostart(autoStartToken: string, personalNumber?: string): StoreResult<OrderSummary> {
    const order = [...this.orders.values()].find((o) => o.autoStartToken === autoStartToken);
    if (!order || order.channel !== "app") return invalid("Unknown autostart token");
    const opts: { via: StartedBy; personalNumber?: string } = { via: "autostart" };
    if (personalNumber !== undefined) opts.personalNumber = personalNumber;
    return this.scan(order.orderRef, opts);
  }

  approve(orderRef: string, input: ApproveInput): StoreResult<OrderSummary> {
    const found = this.pendingOrder(orderRef);
    if (!found.ok) return found;
    const order = found.value;
    const personalNumber = input.personalNumber ?? order.personFor ?? DEFAULT_IDENTITY.personalNumber;
    const person = this.checkPerson(order, personalNumber);
    if (!person.ok) return person;

    if (order.startedBy === null) {
      const scanned = this.scan(orderRef, { via: "qr", personalNumber });
      if (!scanned.ok) return scanned;
    }

    const known = findTestIdentity(personalNumber);
    const givenName = input.givenName ?? known?.givenName ?? "Test";
    const surname = input.surname ?? known?.surname ?? "Testsson";
    order.personFor = personalNumber;
    order.completionData = this.completionData(order, {
      personalNumber,
      givenName,
      surname,
      bankIdIssueDate: known?.bankIdIssueDate ?? DEFAULT_IDENTITY.bankIdIssueDate,
    });
    this.finish(order, "complete", null);
    return { ok: true, value: this.summarize(order) };
  }

  /** The user pressed cancel in the app. */
  userCancel(orderRef: string): StoreResult<OrderSummary> {
    return this.fail(orderRef, "userCancel");
  }

  fail(orderRef: string, hintCode: string): StoreResult<OrderSummary> {
    const found = this.pendingOrder(orderRef);
    if (!found.ok) return found;
    this.finish(found.value, "failed", hintCode);
    return { ok: true, value: this.summarize(found.value) };
  }

  /** Open orders and those finished within the retention time, newest first. */
  list(): OrderSummary[] {
    this.settleAll();
    return [...this.orders.values()].reverse().map((o) => this.summarize(o));
  }

  private pendingOrder(orderRef: string): StoreResult<Order> {
    const order = this.orders.get(orderRef);
    if (!order) return { ok: false, httpStatus: 404, errorCode: "notFound", details: "No such order" };
    this.settle(order);
    if (order.status !== "pending") {
      return conflict(`The order is no longer pending (${order.status}${order.hintCode ? `: ${order.hintCode}` : ""})`);
    }
    return { ok: true, value: order };
  }

  private checkPerson(order: Order, personalNumber: string): StoreResult<void> {
    if (!isValidPersonalNumber(personalNumber) || !/^\d{12}$/.test(personalNumber)) {
      return invalid("personalNumber must be a valid 12-digit personal identity number");
    }
    if (order.requiredPersonalNumber !== null && order.requiredPersonalNumber !== personalNumber) {
      return invalid("personalNumber does not match the order's requirement");
    }
    return { ok: true, value: undefined };
  }

  /**
   * BankID's rule for a second order for the same person: the newcomer is refused with
   * alreadyInProgress and the running order is cancelled as well (its collect fails 'cancelled').
   */
  private refuseIfRunning(personalNumber: string, except: Order | null): StoreError | null {
    const running = [...this.orders.values()].filter(
      (o) => o !== except && o.status === "pending" && o.personFor === personalNumber,
    );
    if (running.length === 0) return null;
    for (const o of running) this.finish(o, "failed", "cancelled");
    return {
      ok: false,
      httpStatus: 400,
      errorCode: "alreadyInProgress",
      details: "An order for this personal number is already in progress",
    };
  }

  private settleAll(): void {
    const now = this.clock();
    for (const [ref, order] of this.orders) {
      this.settle(order);
      if (order.finishedAt !== null && now - order.finishedAt > this.retentionMs) this.orders.delete(ref);
    }
  }

  /** Applies the lifetimes that have passed since the order was last looked at. */
  private settle(order: Order): void {
    if (order.status !== "pending") return;
    const now = this.clock();
    const expireAt = order.createdAt + this.expireAfterMs;
    // Phone orders are not started by a QR code or link, so they can only expire.
    const startFailAt =
      order.channel === "app" && order.startedBy === null
        ? order.createdAt + this.startFailedAfterMs
        : Number.POSITIVE_INFINITY;
    if (now >= startFailAt && startFailAt <= expireAt) {
      this.finish(order, "failed", "startFailed", startFailAt);
    } else if (now >= expireAt) {
      this.finish(order, "failed", "expiredTransaction", expireAt);
    }
  }

  private finish(order: Order, status: "failed" | "complete", hintCode: string | null, at?: number): void {
    order.status = status;
    order.hintCode = hintCode;
    order.upcomingHints = [];
    order.finishedAt = at ?? this.clock();
  }

  private dropOldest(): void {
    const oldest = this.orders.keys().next();
    if (!oldest.done) this.orders.delete(oldest.value);
  }

  private completionData(
    order: Order,
    who: { personalNumber: string; givenName: string; surname: string; bankIdIssueDate: string },
  ): CompletionData {
    const data: CompletionData = {
      user: {
        personalNumber: who.personalNumber,
        name: `${who.givenName} ${who.surname}`,
        givenName: who.givenName,
        surname: who.surname,
      },
      device: {
        // Phone orders carry no endUserIp; 192.0.2.0/24 is reserved for documentation.
        ipAddress: order.endUserIp ?? "192.0.2.1",
        // Stable per person, like a device that stays the same between logins.
        uhi: createHash("sha256").update(`uhi:${who.personalNumber}`).digest().subarray(0, 20).toString("base64"),
      },
      bankIdIssueDate: who.bankIdIssueDate,
      signature: Buffer.from(signatureXml(order), "utf8").toString("base64"),
      ocspResponse: Buffer.concat([Buffer.from("SIMULATED-OCSP-RESPONSE:"), randomBytes(32)]).toString("base64"),
    };
    if (order.requirement?.mrtd) data.stepUp = { mrtd: true };
    if (order.returnRisk) data.risk = "low";
    return data;
  }

  private summarize(order: Order): OrderSummary {
    return {
      orderRef: order.orderRef,
      kind: order.channel === "phone" ? "phone" : order.operation,
      operation: order.operation,
      status: order.status,
      hintCode: order.hintCode,
      created: new Date(order.createdAt).toISOString(),
      finished: order.finishedAt === null ? null : new Date(order.finishedAt).toISOString(),
      startedBy: order.startedBy,
      callInitiator: order.callInitiator ?? null,
      requiresPersonalNumber: order.requiredPersonalNumber !== null,
      userVisibleText:
        order.userVisibleData === undefined ? null : Buffer.from(order.userVisibleData, "base64").toString("utf8"),
      userVisibleDataFormat: order.userVisibleDataFormat ?? (order.userVisibleData === undefined ? null : "plaintext"),
      returnUrl: order.returnUrl ?? null,
      collected: order.finalCollected,
      cancelledByRp: order.cancelledByRp,
      autoStartToken: order.channel === "app" ? order.autoStartToken : null,
    };
  }
}

function invalid(details: string): StoreError {
  return { ok: false, httpStatus: 400, errorCode: "invalidParameters", details };
}

function conflict(details: string): StoreError {
  return { ok: false, httpStatus: 409, errorCode: "conflict", details };
}

function signatureXml(order: Order): string {
  // Shaped like BankID's signature XML so parsers have something realistic; the "signature" is
  // random bytes and says so. No personal data: the real one carries it only inside the certificate.
  const visible =
    order.userVisibleData === undefined
      ? ""
      : `<usrVisibleData charset="UTF-8" visible="wysiwys">${order.userVisibleData}</usrVisibleData>`;
  const nonVisible =
    order.userNonVisibleData === undefined ? "" : `<usrNonVisibleData>${order.userNonVisibleData}</usrNonVisibleData>`;
  return (
    '<?xml version="1.0" encoding="UTF-8" standalone="no"?>' +
    '<Signature xmlns="http://www.w3.org/2000/09/xmldsig#">' +
    "<SignedInfo>" +
    '<CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>' +
    '<SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>' +
    "</SignedInfo>" +
    `<SignatureValue>${randomBytes(64).toString("base64")}</SignatureValue>` +
    "<Object>" +
    '<bankIdSignedData xmlns="http://www.bankid.com/signature/v1.0.0/types" Id="bidSignedData">' +
    visible +
    nonVisible +
    `<srvInfo><name>Vardtid BankID simulator: not a real signature</name><nonce>${randomBytes(16).toString("base64")}</nonce></srvInfo>` +
    `<clientInfo><funcId>${order.operation === "sign" ? "Signing" : "Identification"}</funcId><orderRef>${order.orderRef}</orderRef></clientInfo>` +
    "</bankIdSignedData>" +
    "</Object>" +
    "</Signature>"
  );
}
