import { describe, expect, it } from "vitest";
import { reminderKey } from "@/lib/reminders/sync";
import { smsEligibility, type EligibilityRow } from "./eligibility";

const now = new Date("2030-03-04T09:00:00Z");
const startsAt = new Date("2030-03-09T09:00:00Z");
const endsAt = new Date("2030-03-09T09:20:00Z");
const appointmentId = "5b0c1f7e-7d0b-4d4c-9f57-1f2a7c1d9e01";

/** A reminder the patient may receive, not yet given its text. */
function reminder(over: Partial<EligibilityRow> = {}): EligibilityRow {
  return {
    purpose: "reminder",
    idempotencyKey: reminderKey(appointmentId, "d3", startsAt),
    toEnc: null,
    bodyEnc: null,
    appointmentId,
    visitStatus: "booked",
    startsAt,
    endsAt,
    timeZone: "Europe/Stockholm",
    smsName: "Vårdcentralen Centrum",
    fallbackFor: null,
    pushOpenedAt: null,
    smsEnabled: true,
    smsConsentAt: new Date("2030-01-01T00:00:00Z"),
    phoneEnc: "enc:phone",
    phoneVerifiedAt: new Date("2030-01-01T00:00:00Z"),
    ...over,
  };
}

const visit = { startsAt, endsAt, timeZone: "Europe/Stockholm" };

describe("smsEligibility", () => {
  it("a new reminder gets its text fixed from the patient's phone", () => {
    expect(smsEligibility(reminder(), now)).toEqual({
      verdict: "fix-text",
      phoneEnc: "enc:phone",
      visit,
      appointmentId,
      smsName: "Vårdcentralen Centrum",
    });
  });

  it("a retried reminder sends the recipient and text fixed the first time", () => {
    expect(smsEligibility(reminder({ toEnc: "enc:to", bodyEnc: "enc:body" }), now)).toEqual({
      verdict: "send-stored",
      toEnc: "enc:to",
      bodyEnc: "enc:body",
      visit,
    });
  });

  it.each([
    ["no appointment", { appointmentId: null }, "skipped"],
    ["appointment not booked", { visitStatus: "cancelled" }, "cancelled"],
    ["appointment not booked", { startsAt: null }, "cancelled"],
    ["appointment moved", { startsAt: new Date("2030-03-10T09:00:00Z") }, "cancelled"],
    ["appointment started", { idempotencyKey: reminderKey(appointmentId, "d3", now), startsAt: now }, "skipped"],
    ["no SMS consent", { smsEnabled: false }, "skipped"],
    ["no SMS consent", { smsConsentAt: null }, "skipped"],
    ["no SMS consent", { smsEnabled: null, smsConsentAt: null }, "skipped"],
    ["no verified phone", { phoneVerifiedAt: null }, "skipped"],
    ["no verified phone", { phoneEnc: null }, "skipped"],
    ["push opened", { fallbackFor: "push-row", pushOpenedAt: now }, "skipped"],
  ] as const)("%s → %s", (reason, over, status) => {
    expect(smsEligibility(reminder(over), now)).toEqual({ verdict: "void", status, reason });
  });

  it("consent withdrawn after the text was fixed: the retry is not sent", () => {
    const fixed = { toEnc: "enc:to", bodyEnc: "enc:body" };
    expect(smsEligibility(reminder({ ...fixed, smsConsentAt: null }), now)).toMatchObject({ reason: "no SMS consent" });
  });

  it("the first failing check names the reason (cancelled before consent)", () => {
    expect(smsEligibility(reminder({ visitStatus: "cancelled", smsEnabled: false }), now)).toMatchObject({
      reason: "appointment not booked",
    });
  });

  it("a push twin not yet opened does not stop the SMS", () => {
    expect(smsEligibility(reminder({ fallbackFor: "push-row" }), now).verdict).toBe("fix-text");
  });

  it("other SMS (a login code, an offer) go as written, consent or not", () => {
    const code = reminder({ purpose: "phone_verification", toEnc: "enc:to", bodyEnc: "enc:code", smsEnabled: false });
    expect(smsEligibility(code, now)).toEqual({
      verdict: "send-stored",
      toEnc: "enc:to",
      bodyEnc: "enc:code",
      visit: null,
    });
    expect(smsEligibility(reminder({ purpose: "offer" }), now)).toEqual({
      verdict: "void",
      status: "skipped",
      reason: "no recipient or text",
    });
  });
});
