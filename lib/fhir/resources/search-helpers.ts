// Conditions every resource search shares: _id, _lastUpdated, identifier.
import { and, eq, inArray, or, type SQL } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import { dateCondition, isUuid, tokenValues } from "../common";
import { badRequest } from "../outcome";

export const COMMON_PARAMS = ["_id", "_lastUpdated", "identifier", "_count", "_offset", "_format"] as const;

export function commonConditions(
  params: URLSearchParams,
  cols: {
    id: AnyPgColumn;
    updatedAt: AnyPgColumn | SQL;
    /** system (undefined = any) + value → condition; omit when the type has no identifier. */
    identifier?: (system: string | undefined, value: string) => SQL | undefined;
  },
): SQL[] {
  const out: SQL[] = [];
  for (const raw of params.getAll("_id")) {
    const ids = raw.split(",");
    if (!ids.every(isUuid)) return [eq(cols.id, "00000000-0000-0000-0000-000000000000")];
    out.push(inArray(cols.id, ids));
  }
  for (const raw of params.getAll("_lastUpdated")) out.push(dateCondition(cols.updatedAt, raw, "_lastUpdated"));
  for (const raw of params.getAll("identifier")) {
    if (!cols.identifier) throw badRequest("identifier is not a search parameter of this type");
    const parts = tokenValues(raw)
      .map((t) => cols.identifier!(t.system, t.value))
      .filter((c): c is SQL => c !== undefined);
    out.push(parts.length > 0 ? or(...parts)! : eq(cols.id, "00000000-0000-0000-0000-000000000000"));
  }
  return out;
}

export function allOf(conds: (SQL | undefined)[]): SQL | undefined {
  return and(...conds.filter((c): c is SQL => c !== undefined));
}
