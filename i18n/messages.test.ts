import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { locales } from "./locales";

// Every Swedish text has its twin in every other language and the other way round: a missing key
// would show the raw key to a patient. The languages are the app's own list, so a language added
// there is checked here without anyone remembering to.
function keys(value: unknown, prefix = ""): string[] {
  if (value === null || typeof value !== "object") return [prefix];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

describe("message files", () => {
  const dir = path.join(process.cwd(), "messages");
  const files = readdirSync(path.join(dir, "sv")).filter((f) => f.endsWith(".json"));

  const others = locales.filter((l) => l !== "sv");

  it.each(others)("exist for %s as for Swedish", (lang) => {
    expect(
      readdirSync(path.join(dir, lang))
        .filter((f) => f.endsWith(".json"))
        .sort(),
    ).toEqual([...files].sort());
  });

  const pairs = others.flatMap((lang) => files.map((file) => [lang, file] as const));
  it.each(pairs)("%s/%s has the same keys as Swedish", (lang, file) => {
    const sv = JSON.parse(readFileSync(path.join(dir, "sv", file), "utf8"));
    const other = JSON.parse(readFileSync(path.join(dir, lang, file), "utf8"));
    expect(keys(other).sort()).toEqual(keys(sv).sort());
  });

  // A translation keeps every placeholder of the Swedish text ({date}, {clinic}, …), or the patient
  // would read a sentence without its time or place.
  function leaves(value: unknown, prefix = ""): [string, string][] {
    if (typeof value === "string") return [[prefix, value]];
    if (value === null || typeof value !== "object") return [];
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) =>
      leaves(v, prefix ? `${prefix}.${k}` : k),
    );
  }
  const placeholders = (text: string) => [...new Set([...text.matchAll(/\{(\w+)[,}]/g)].map((m) => m[1]))].sort();
  it.each(pairs)("%s/%s keeps the placeholders of Swedish", (lang, file) => {
    const sv = new Map(leaves(JSON.parse(readFileSync(path.join(dir, "sv", file), "utf8"))));
    for (const [key, text] of leaves(JSON.parse(readFileSync(path.join(dir, lang, file), "utf8")))) {
      expect({ key, placeholders: placeholders(text) }).toEqual({ key, placeholders: placeholders(sv.get(key) ?? "") });
    }
  });
});
