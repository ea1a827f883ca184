import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

// Every Swedish text has its English twin and the other way round: a missing key would show the
// raw key to a patient.
function keys(value: unknown, prefix = ""): string[] {
  if (value === null || typeof value !== "object") return [prefix];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

describe("message files", () => {
  const dir = path.join(process.cwd(), "messages");
  const files = readdirSync(path.join(dir, "sv")).filter((f) => f.endsWith(".json"));

  it("exist for both languages", () => {
    expect(
      readdirSync(path.join(dir, "en"))
        .filter((f) => f.endsWith(".json"))
        .sort(),
    ).toEqual(files.sort());
  });

  it.each(files)("%s has the same keys in Swedish and English", (file) => {
    const sv = JSON.parse(readFileSync(path.join(dir, "sv", file), "utf8"));
    const en = JSON.parse(readFileSync(path.join(dir, "en", file), "utf8"));
    expect(keys(en).sort()).toEqual(keys(sv).sort());
  });
});
