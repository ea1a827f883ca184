// The simulator's test people are the demo's patients: picking "Karl Testman" in the test app logs
// in the patient the app greets as Karl Testman (before, two names differed from the seed's).
import { describe, expect, it } from "vitest";
import { demoChildren, demoPatients } from "@/lib/demo/seed";
import { TEST_IDENTITIES } from "./identities";

describe("the BankID simulator's test identities", () => {
  it("are people of the demo seed, with the seed's names", () => {
    const seeded = new Map<string, string>(
      [...demoPatients, ...demoChildren].map((p) => [p.personalNumber, `${p.givenName} ${p.surname}`]),
    );
    for (const identity of TEST_IDENTITIES)
      expect(seeded.get(identity.personalNumber), identity.personalNumber).toBe(
        `${identity.givenName} ${identity.surname}`,
      );
  });

  it("offer every adult demo patient", () => {
    const offered = new Set(TEST_IDENTITIES.map((i) => i.personalNumber));
    for (const p of demoPatients) expect(offered.has(p.personalNumber), p.givenName).toBe(true);
  });
});
