import { describe, expect, it } from "vitest";
import { qrAuthCode, qrData, qrSecondsSince } from "./qr";

// The test vector from the spec (BankID's own documentation).
const token = "67df3917-fa0d-44e5-b327-edcc928297f8";
const secret = "d28db9a7-4cde-429e-a983-359be676944c";

describe("animated QR code", () => {
  it.each([
    [0, "dc69358e712458a66a7525beef148ae8526b1c71610eff2c16cdffb4cdac9bf8"],
    [1, "949d559bf23403952a94d103e67743126381eda00f0b3cbddbf7c96b1adcbce2"],
    [2, "a9e5ec59cb4eee4ef4117150abc58fad7a85439a6a96ccbecc3668b41795b3f3"],
  ])("matches the published vector at t=%i", (t, code) => {
    expect(qrAuthCode(secret, t)).toBe(code);
    expect(qrData(token, secret, t)).toBe(`bankid.${token}.${t}.${code}`);
  });

  it("refuses a time that is not a whole, non-negative second", () => {
    expect(() => qrData(token, secret, -1)).toThrow(RangeError);
    expect(() => qrData(token, secret, 1.5)).toThrow(RangeError);
    expect(() => qrData(token, secret, Number.NaN)).toThrow(RangeError);
  });

  it("counts whole seconds since the order answer arrived", () => {
    expect(qrSecondsSince(10_000, 10_000)).toBe(0);
    expect(qrSecondsSince(10_000, 10_999)).toBe(0);
    expect(qrSecondsSince(10_000, 11_000)).toBe(1);
    expect(qrSecondsSince(10_000, 12_500)).toBe(2);
    // A server clock that steps back must not give a negative t, which the app would reject.
    expect(qrSecondsSince(10_000, 9_000)).toBe(0);
  });
});
