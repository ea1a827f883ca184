// Small shared pieces of the FHIR layer: references, versions, search parameter parsing, paging.
import { and, gte, lt, or, type SQL } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import { z } from "zod";
import type { FhirContext } from "./context";
import { badRequest, unprocessable } from "./outcome";

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (v: string) => UUID_RE.test(v);

/** Resolves conditional references ("Schedule?identifier=…") to one id; set by the router. */
export type ConditionalResolver = (ctx: FhirContext, type: string, query: URLSearchParams) => Promise<string[]>;
let conditionalResolver: ConditionalResolver | undefined;
export function setConditionalResolver(r: ConditionalResolver) {
  conditionalResolver = r;
}

/**
 * The id a reference points at, for a reference that must be of `type`: "Type/id", an absolute
 * URL on our base, a urn:uuid of an earlier Bundle entry, or a conditional "Type?identifier=…".
 */
export async function resolveReference(
  ctx: FhirContext,
  reference: string,
  type: string,
  expression: string,
): Promise<string> {
  let ref = reference;
  if (ref.startsWith("urn:uuid:")) {
    const mapped = ctx.bundleRefs.get(ref);
    if (!mapped) throw unprocessable(`${expression}: ${ref} is not an earlier entry of this Bundle`, [expression]);
    ref = mapped;
  }
  if (ref.startsWith(`${ctx.baseUrl}/`)) ref = ref.slice(ctx.baseUrl.length + 1);
  if (ref.startsWith(`${type}?`)) {
    const ids = conditionalResolver
      ? await conditionalResolver(ctx, type, new URLSearchParams(ref.slice(type.length + 1)))
      : [];
    if (ids.length !== 1)
      throw unprocessable(`${expression}: ${ref} matches ${ids.length} resources, not exactly one`, [expression]);
    return ids[0]!;
  }
  const [t, id, ...rest] = ref.split("/");
  if (t !== type || !id || rest.length > 0 || !isUuid(id))
    throw unprocessable(`${expression} must reference a ${type} (${type}/<id>)`, [expression]);
  return id;
}

/** The resource type a reference names ("Slot/…", a Bundle's urn:uuid, an absolute URL, "Slot?…"). */
export function referenceType(ctx: FhirContext, reference: string): string | undefined {
  let ref = reference;
  if (ref.startsWith("urn:uuid:")) ref = ctx.bundleRefs.get(ref) ?? "";
  if (ref.startsWith(`${ctx.baseUrl}/`)) ref = ref.slice(ctx.baseUrl.length + 1);
  return /^([A-Z][A-Za-z]+)[/?]/.exec(ref)?.[1];
}

/** If-Match: W/"3" or "3" → 3. */
export function parseIfMatch(header: string | null): number | undefined {
  if (header === null) return undefined;
  const m = /^(?:W\/)?"?(\d+)"?$/.exec(header.trim());
  if (!m) throw badRequest('If-Match must be a version ETag like W/"3"');
  return Number(m[1]);
}

const PREFIX = /^(eq|ne|gt|ge|lt|le|sa|eb)?(.+)$/;

/** A date search value ("ge2030-03-04", "lt2030-03-04T12:00:00+01:00") as a comparison on `column`. */
export function dateCondition(column: AnyPgColumn | SQL, raw: string, param: string): SQL {
  const m = PREFIX.exec(raw)!;
  const prefix = m[1] ?? "eq";
  const value = m[2]!;
  if (!/^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/.test(value))
    throw badRequest(`${param}: "${raw}" is not a FHIR date or dateTime`);
  // A date without time is a whole day in UTC; a dateTime without zone is read as UTC.
  const { start, end } = dateRange(value);
  if (Number.isNaN(start.getTime())) throw badRequest(`${param}: "${raw}" is not a valid date`);
  const col = column as AnyPgColumn;
  switch (prefix) {
    case "gt":
    case "sa":
      return gte(col, end);
    case "ge":
      return gte(col, start);
    case "lt":
    case "eb":
      return lt(col, start);
    case "le":
      return lt(col, end);
    case "eq":
      return and(gte(col, start), lt(col, end))!;
    case "ne":
      return or(lt(col, start), gte(col, end))!;
    default:
      throw badRequest(`${param}: prefix ${prefix} is not supported`);
  }
}

function dateRange(value: string): { start: Date; end: Date } {
  if (/^\d{4}$/.test(value))
    return { start: new Date(`${value}-01-01T00:00:00Z`), end: new Date(`${Number(value) + 1}-01-01T00:00:00Z`) };
  if (/^\d{4}-\d{2}$/.test(value)) {
    const start = new Date(`${value}-01T00:00:00Z`);
    const end = new Date(start);
    end.setUTCMonth(end.getUTCMonth() + 1);
    return { start, end };
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const start = new Date(`${value}T00:00:00Z`);
    return { start, end: new Date(start.getTime() + 86_400_000) };
  }
  const withZone = /(Z|[+-]\d{2}:\d{2})$/.test(value) ? value : `${value}Z`;
  const start = new Date(withZone);
  // A dateTime is precise to the second (or the millisecond given): gt means "after that second".
  const precision = /\.\d+/.test(value) ? 1 : /T\d{2}:\d{2}:\d{2}/.test(value) ? 1000 : 60_000;
  return { start, end: new Date(start.getTime() + precision) };
}

export const MAX_COUNT = 500;
export const DEFAULT_COUNT = 50;

export interface Paging {
  count: number;
  offset: number;
}

export function pagingOf(params: URLSearchParams): Paging {
  const countRaw = params.get("_count");
  const offsetRaw = params.get("_offset");
  const count = countRaw === null ? DEFAULT_COUNT : Number(countRaw);
  const offset = offsetRaw === null ? 0 : Number(offsetRaw);
  if (!Number.isInteger(count) || count < 0) throw badRequest("_count must be a whole number ≥ 0");
  if (!Number.isInteger(offset) || offset < 0 || offset > 1_000_000)
    throw badRequest("_offset must be a whole number ≥ 0");
  return { count: Math.min(count, MAX_COUNT), offset };
}

// Zod pieces for incoming resources.
export const zIdentifier = z
  .object({ system: z.string().min(1).optional(), value: z.string().min(1).max(200) })
  .loose();
export const zReference = z.object({ reference: z.string().min(1), display: z.string().optional() }).loose();
export const zExtension = z
  .object({
    url: z.string().min(1),
    valueString: z.string().optional(),
    valueInteger: z.number().int().optional(),
    valueBoolean: z.boolean().optional(),
    valueCode: z.string().optional(),
  })
  .loose();
export type Ext = z.infer<typeof zExtension>;
export const zInstant = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/, "must be a FHIR instant with a time zone")
  .transform((v) => new Date(v))
  .refine((d) => !Number.isNaN(d.getTime()), "is not a valid instant");

export function extValue(exts: Ext[] | undefined, url: string): Ext | undefined {
  return exts?.find((e) => e.url === url);
}

/** Tokens for `identifier=system|value` (several values comma-separated, any may match). */
export function tokenValues(raw: string): { system: string | undefined; value: string }[] {
  return raw.split(",").map((part) => {
    const bar = part.indexOf("|");
    if (bar < 0) return { system: undefined, value: part };
    return { system: part.slice(0, bar) || undefined, value: part.slice(bar + 1) };
  });
}

/** The id out of a reference-type search value ("Schedule/abc", "abc", or an absolute URL). */
export function referenceSearchId(raw: string, type: string, baseUrl: string): string {
  let v = raw.startsWith(`${baseUrl}/`) ? raw.slice(baseUrl.length + 1) : raw;
  if (v.startsWith(`${type}/`)) v = v.slice(type.length + 1);
  if (!isUuid(v)) throw badRequest(`"${raw}" is not a ${type} reference`);
  return v;
}
