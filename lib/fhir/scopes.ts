// SMART v2 system scopes ("system/Slot.cruds", "system/*.rs") and their v1 spellings
// ("system/Slot.read", "system/Slot.write", "system/*.*"). A scope grants interactions on a type:
// c create, r read, u update, d delete, s search.

export const SCOPE_RESOURCE_TYPES = [
  "Organization",
  "HealthcareService",
  "PractitionerRole",
  "Schedule",
  "Slot",
  "Patient",
  "Appointment",
  "RelatedPerson",
] as const;
export type ScopeResourceType = (typeof SCOPE_RESOURCE_TYPES)[number];
export type Permission = "c" | "r" | "u" | "d" | "s";

const V2 = /^system\/(\*|[A-Z][A-Za-z]+)\.(c?r?u?d?s?)$/;
const V1 = /^system\/(\*|[A-Z][A-Za-z]+)\.(read|write|\*)$/;

export interface ParsedScope {
  resourceType: ScopeResourceType | "*";
  permissions: Set<Permission>;
}

export function parseScope(scope: string): ParsedScope | null {
  const v2 = V2.exec(scope);
  const v1 = v2 ? null : V1.exec(scope);
  const match = v2 ?? v1;
  if (!match) return null;
  const type = match[1]!;
  if (type !== "*" && !(SCOPE_RESOURCE_TYPES as readonly string[]).includes(type)) return null;
  const letters = v2 ? match[2]! : { read: "rs", write: "cud", "*": "cruds" }[match[2] as "read" | "write" | "*"];
  if (!letters) return null;
  return { resourceType: type as ParsedScope["resourceType"], permissions: new Set(letters.split("") as Permission[]) };
}

/** Splits a space-separated scope string; throws on the first one that is not a system scope we know. */
export function parseScopeList(raw: string): string[] {
  const scopes = raw.split(/\s+/).filter(Boolean);
  for (const s of scopes) if (!parseScope(s)) throw new RangeError(`unknown scope "${s}"`);
  return [...new Set(scopes)];
}

export function allows(scopes: readonly string[], resourceType: string, permission: Permission): boolean {
  return scopes.some((s) => {
    const p = parseScope(s);
    return p !== null && (p.resourceType === "*" || p.resourceType === resourceType) && p.permissions.has(permission);
  });
}

/**
 * The scopes granted for a token request: each requested scope must be covered by a registered
 * one (a client may ask for less than it has, never more).
 */
export function grantScopes(requested: readonly string[], registered: readonly string[]): string[] {
  return requested.filter((r) => {
    const want = parseScope(r);
    if (!want) return false;
    return [...want.permissions].every((perm) =>
      want.resourceType === "*"
        ? SCOPE_RESOURCE_TYPES.every((t) => allows(registered, t, perm))
        : allows(registered, want.resourceType, perm),
    );
  });
}
