import { describe, expect, it } from "vitest";
import { groupByClinic } from "./group-by-clinic";

const names: Record<string, string> = { own: "Vårdcentralen Gottsunda", a: "Vårdcentralen Centrum", b: "Annan" };
const slot = (id: string, clinicId: string) => ({
  id,
  clinicId,
  clinicName: names[clinicId]!,
  clinicAddress: `${clinicId} 1`,
  sameClinic: clinicId === "own",
});

describe("rebook times grouped by clinic", () => {
  it("puts the patient's own clinic first, whenever its first time is, and keeps each clinic's order", () => {
    const groups = groupByClinic([slot("1", "a"), slot("2", "own"), slot("3", "b"), slot("4", "a"), slot("5", "own")]);
    expect(groups.map((g) => [g.clinicId, g.own, g.slots.map((s) => s.id)])).toEqual([
      ["own", true, ["2", "5"]],
      ["b", false, ["3"]],
      ["a", false, ["1", "4"]],
    ]);
    expect(groups[0]!.address).toBe("own 1");
  });

  it("has no groups for no times", () => {
    expect(groupByClinic([])).toEqual([]);
  });
});
