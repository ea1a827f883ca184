import { describe, expect, it } from "vitest";
import { holdsPersonalNumber } from "./inputs";

describe("holdsPersonalNumber (the attack suites' log check)", () => {
  it("finds a personal number with or without century and separator", () => {
    expect(holdsPersonalNumber('{"msg":"login","pnr":"199001011234"}')).toBe(true);
    expect(holdsPersonalNumber("patient 19900101-1234 logged in")).toBe(true);
    expect(holdsPersonalNumber("x 20121212+1212 y")).toBe(true);
  });

  it("does not take a request id whose groups happen to be digits for one", () => {
    // The line that failed a run: the UUID's last group reads as a personal number.
    expect(
      holdsPersonalNumber('{"reqId":"22be4bf4-0375-4dfb-9d8c-201939449111","route":"/api/fhir/r4","status":401}'),
    ).toBe(false);
    expect(holdsPersonalNumber('{"reqId":"20193944-9111-4dfb-9d8c-0a1b2c3d4e5f"}')).toBe(false);
  });

  it("still finds a personal number next to a request id", () => {
    expect(holdsPersonalNumber('{"reqId":"22be4bf4-0375-4dfb-9d8c-2019394491aa","pnr":"199001011234"}')).toBe(true);
  });
});
