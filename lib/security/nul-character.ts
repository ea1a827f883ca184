// Postgres text cannot hold the NUL character: a value with one makes the query fail, which a
// route would answer with a 500. No field a patient fills in has a use for it, so the entry
// guards (lib/auth/patient-route.ts, server/data-routes) refuse such input up front as invalid.

/** Whether any string in a parsed input (objects and arrays, any depth) contains NUL. */
export function containsNul(value: unknown, depth = 0): boolean {
  if (typeof value === "string") return value.includes("\u0000");
  if (depth > 20 || value === null || typeof value !== "object") return false;
  const values = Array.isArray(value) ? value : Object.entries(value).flat();
  return values.some((v) => containsNul(v, depth + 1));
}
