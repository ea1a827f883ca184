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

  it("grants only what the registration covers", () => {
    expect(grantScopes(["system/Slot.rs", "system/Slot.cruds"], ["system/Slot.rs"])).toEqual(["system/Slot.rs"]);
    expect(grantScopes(["system/*.rs"], ["system/*.cruds"])).toEqual(["system/*.rs"]);
    expect(grantScopes(["system/*.rs"], ["system/Slot.cruds"])).toEqual([]);
  });
});
