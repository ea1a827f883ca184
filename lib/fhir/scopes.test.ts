import { describe, expect, it } from "vitest";
import { allows, grantScopes, parseScope, parseScopeList } from "./scopes";

describe("SMART system scopes", () => {
  it("reads v2 letters and v1 words", () => {
    expect([...parseScope("system/Slot.cruds")!.permissions]).toEqual(["c", "r", "u", "d", "s"]);
    expect([...parseScope("system/Appointment.rs")!.permissions]).toEqual(["r", "s"]);
    expect([...parseScope("system/Organization.cru")!.permissions]).toEqual(["c", "r", "u"]);
    expect([...parseScope("system/Slot.write")!.permissions]).toEqual(["c", "u", "d"]);
    expect(parseScope("system/*.*")!.resourceType).toBe("*");
  });

  it("refuses what is not a system scope of a type we serve", () => {
    expect(parseScope("patient/Slot.rs")).toBeNull();
    expect(parseScope("system/Observation.rs")).toBeNull();
    expect(parseScope("system/Slot.sr")).toBeNull(); // letters in SMART's order only
    expect(() => parseScopeList("system/Slot.rs openid")).toThrow(/openid/);
  });

  it("checks an interaction against the granted scopes", () => {
    expect(allows(["system/Appointment.rs"], "Appointment", "r")).toBe(true);
    expect(allows(["system/Appointment.rs"], "Appointment", "u")).toBe(false);
    expect(allows(["system/Appointment.rs"], "Slot", "r")).toBe(false);
    expect(allows(["system/*.cruds"], "Patient", "d")).toBe(true);
  });

  it("grants the intersection of what is asked and what the registration covers", () => {
    expect(grantScopes(["system/Slot.rs", "system/Slot.cruds"], ["system/Slot.rs"])).toEqual(["system/Slot.rs"]);
    expect(grantScopes(["system/*.rs"], ["system/*.cruds"])).toEqual(["system/*.rs"]);
    expect(grantScopes(["system/*.rs"], ["system/Slot.cruds"])).toEqual(["system/Slot.rs"]);
    // Asks for Slot and Appointment, holds Slot: gets Slot.
    expect(grantScopes(["system/Slot.cruds", "system/Appointment.cruds"], ["system/Slot.cruds"])).toEqual([
      "system/Slot.cruds",
    ]);
    // Narrowed letters, v1 words answered in v2 letters, scopes not ours left out.
    expect(grantScopes(["system/Appointment.cruds"], ["system/Appointment.rs"])).toEqual(["system/Appointment.rs"]);
    expect(grantScopes(["system/Slot.read", "openid"], ["system/*.cruds"])).toEqual(["system/Slot.rs"]);
    expect(
      grantScopes(["system/Slot.cruds", "system/Appointment.rs"], ["system/*.cruds", "system/Organization.cru"]),
    ).toEqual(["system/Slot.cruds", "system/Appointment.rs"]);
    expect(grantScopes(["system/*.cruds"], ["system/Organization.cru", "system/Slot.cruds"])).toEqual([
      "system/Organization.cru",
      "system/Slot.cruds",
    ]);
    // Nothing in common: nothing granted (invalid_scope).
    expect(grantScopes(["system/Appointment.cruds"], ["system/Slot.cruds"])).toEqual([]);
    expect(grantScopes(["openid"], ["system/*.cruds"])).toEqual([]);
  });
});
