// One FHIR interaction (read, search, create, update, delete, with their conditional forms) against
// a FhirContext. Used for plain HTTP calls and for each entry of a batch or transaction Bundle.
import type { Bundle, Resource } from "@medplum/fhirtypes";
import { pagingOf, setConditionalResolver, UUID_RE } from "./common";
import type { FhirContext } from "./context";
import { badRequest, FhirError, forbidden, notFound, notSupported, preconditionFailed } from "./outcome";
import { moduleFor } from "./registry";
import { COMMON_PARAMS } from "./resources/search-helpers";
import type { ResourceModule } from "./resources/types";
import { allows, type Permission } from "./scopes";
import { validateR4 } from "./validate";

export interface InteractionRequest {
  method: string;
  /** "Slot", "Slot/<id>", with an optional query string. */
  path: string;
  query: URLSearchParams;
  body?: unknown;
  ifMatch?: number;
  ifNoneExist?: string;
}

export interface InteractionResult {
  status: number;
  resource?: Resource;
  /** "Type/id" of a created or updated resource. */
  location?: string;
}

function need(ctx: FhirContext, type: string, perm: Permission) {
  if (!allows(ctx.client.scopes, type, perm))
    throw forbidden(
      `the token's scopes do not allow ${{ c: "create", r: "read", u: "update", d: "delete", s: "search" }[perm]} on ${type}`,
    );
}

function checkSearchParams(mod: ResourceModule, params: URLSearchParams) {
  const known = new Set<string>([...COMMON_PARAMS, ...mod.searchParams.map((p) => p.name)]);
  for (const name of params.keys())
    if (!known.has(name)) throw badRequest(`${name} is not a search parameter of ${mod.type} here`);
}

/** Ids that match a conditional query (If-None-Exist, conditional update, conditional reference). */
export async function matchIds(ctx: FhirContext, mod: ResourceModule, query: URLSearchParams): Promise<string[]> {
  checkSearchParams(mod, query);
  if ([...query.keys()].filter((k) => !k.startsWith("_") || k === "_id").length === 0)
    throw badRequest("a conditional interaction needs search criteria, e.g. identifier=system|value");
  const result = await mod.search(ctx, query, { count: 2, offset: 0 });
  return result.resources.map((r) => r.id!);
}

// A conditional reference ("Schedule?identifier=…") resolves, like a plain one, only within the
// client's clinics; it needs read or search on the type it names.
setConditionalResolver(async (ctx, type, query) => {
  const mod = moduleFor(type);
  if (!mod) throw badRequest(`${type} is not a resource type here`);
  if (!allows(ctx.client.scopes, type, "r")) need(ctx, type, "s");
  return matchIds(ctx, mod, query);
});

/** The body of a create or update: of the type, with no other id, and valid R4 (validate.ts). */
function incomingBody(body: unknown, mod: ResourceModule, id?: string): unknown {
  const type = mod.type;
  if (!body || typeof body !== "object" || Array.isArray(body))
    throw badRequest("the request body must be a FHIR resource");
  const r = body as { resourceType?: unknown; id?: unknown };
  if (r.resourceType !== type) throw badRequest(`the body's resourceType must be ${type}`);
  if (id !== undefined && r.id !== undefined && r.id !== id)
    throw badRequest(`the body's id (${String(r.id)}) is not ${id}`);
  validateR4(type, body);
  return body;
}

export async function perform(ctx: FhirContext, req: InteractionRequest): Promise<InteractionResult> {
  const [type, id, ...rest] = req.path.split("/").filter(Boolean);
  if (!type) throw badRequest("no resource type");
  const mod = moduleFor(type);
  if (!mod) throw new FhirError(404, "not-supported", `${type} is not a resource type of this server`);
  if (rest.length > 0) throw new FhirError(404, "not-supported", `${req.path} is not an interaction of this server`);
  if (id !== undefined && !UUID_RE.test(id)) {
    if (req.method === "GET") throw notFound(type, id);
    throw badRequest(`${id} is not a valid id here`);
  }
  const audit = (action: string, resource?: Resource, details?: Record<string, unknown>) =>
    ctx.audit.push({
      action: `fhir.${action}`,
      resourceType: type,
      resourceId: resource?.id ?? id ?? null,
      patientId: resource && mod.patientOf ? (mod.patientOf(resource) ?? null) : null,
      details: { client: ctx.client.name, ...details },
    });

  switch (req.method) {
    case "GET": {
      if (id) {
        need(ctx, type, "r");
        const resource = await mod.read(ctx, id);
        if (!resource) throw notFound(type, id);
        audit("read", resource);
        return { status: 200, resource };
      }
      need(ctx, type, "s");
      checkSearchParams(mod, req.query);
      const page = pagingOf(req.query);
      const result = await mod.search(ctx, req.query, page);
      audit("search", undefined, { query: redactQuery(req.query), count: result.resources.length });
      // Each patient whose data was returned sees the read in their access log.
      if (mod.patientOf) {
        const seen = new Set<string>();
        for (const r of result.resources) {
          const p = mod.patientOf(r);
          if (p && !seen.has(p)) {
            seen.add(p);
            ctx.audit.push({
              action: "fhir.search_result",
              resourceType: type,
              resourceId: r.id ?? null,
              patientId: p,
              details: { client: ctx.client.name },
            });
          }
        }
      }
      return { status: 200, resource: searchBundle(ctx, type, req.query, page, result) };
    }
    case "POST": {
      if (id) throw notSupported(`POST ${type}/${id} is not an interaction; use PUT to update`);
      need(ctx, type, "c");
      // Conditional create needs only `c`: it matches only within the client's own clinics and patients.
      const body = incomingBody(req.body, mod);
      if (req.ifNoneExist) {
        const ids = await matchIds(ctx, mod, new URLSearchParams(req.ifNoneExist));
        if (ids.length > 1) throw preconditionFailed(`If-None-Exist matches ${ids.length} ${type} resources`);
        if (ids.length === 1) {
          const existing = (await mod.read(ctx, ids[0]!))!;
          audit("read", existing, { conditional: "create" });
          return { status: 200, resource: existing, location: `${type}/${existing.id}` };
        }
      }
      const created = await mod.create(ctx, body);
      audit("create", created);
      return { status: 201, resource: created, location: `${type}/${created.id}` };
    }
    case "PUT": {
      need(ctx, type, "u");
      const body = incomingBody(req.body, mod, id) as { id?: unknown };
      let target = id;
      if (!target) {
        if ([...req.query.keys()].length === 0) throw badRequest(`PUT ${type} needs an id or search criteria`);
        // Conditional update needs only `u` (and `c` when it creates): it matches only within the
        // client's own clinics and patients, so it reveals nothing the client may not see.
        const ids = await matchIds(ctx, mod, req.query);
        if (ids.length > 1) throw preconditionFailed(`the criteria match ${ids.length} ${type} resources`);
        if (ids.length === 0) {
          // Conditional update that matches nothing creates (FHIR's upsert).
          need(ctx, type, "c");
          if (body.id !== undefined) throw badRequest("a conditional update that creates must not carry an id");
          const created = await mod.create(ctx, body);
          audit("create", created, { conditional: "update" });
          return { status: 201, resource: created, location: `${type}/${created.id}` };
        }
        target = ids[0]!;
        if (body.id !== undefined && body.id !== target)
          throw badRequest(`the body's id (${String(body.id)}) is not ${target}, the resource the criteria match`);
      }
      const updated = await mod.update(ctx, target, body, req.ifMatch);
      audit("update", updated);
      return { status: 200, resource: updated, location: `${type}/${updated.id}` };
    }
    case "DELETE": {
      if (!id || !mod.delete)
        throw notSupported(`DELETE is only supported for a free Slot and a RelatedPerson (DELETE Type/<id>)`);
      need(ctx, type, "d");
      await mod.delete(ctx, id);
      if (type !== "RelatedPerson") audit("delete");
      return { status: 204 };
    }
    default:
      throw notSupported(`${req.method} is not supported`);
  }
}

/** Search parameters for the audit trail, without personal numbers. */
function redactQuery(q: URLSearchParams): string {
  const copy = new URLSearchParams(q);
  for (const key of ["patient.identifier", "identifier"])
    if (copy.has(key))
      copy.set(
        key,
        copy
          .getAll(key)
          .map((v) => v.replace(/\|?\d{10,12}$/, "|…"))
          .join(","),
      );
  return copy.toString().slice(0, 500);
}

function searchBundle(
  ctx: FhirContext,
  type: string,
  query: URLSearchParams,
  page: { count: number; offset: number },
  result: { resources: Resource[]; more: boolean },
): Bundle {
  const self = new URLSearchParams(query);
  self.set("_count", String(page.count));
  if (page.offset > 0) self.set("_offset", String(page.offset));
  else self.delete("_offset");
  const link: Bundle["link"] = [{ relation: "self", url: `${ctx.baseUrl}/${type}?${self}` }];
  if (result.more) {
    const next = new URLSearchParams(self);
    next.set("_offset", String(page.offset + page.count));
    link.push({ relation: "next", url: `${ctx.baseUrl}/${type}?${next}` });
  }
  if (page.offset > 0) {
    const prev = new URLSearchParams(self);
    prev.set("_offset", String(Math.max(0, page.offset - page.count)));
    link.push({ relation: "previous", url: `${ctx.baseUrl}/${type}?${prev}` });
  }
  return {
    resourceType: "Bundle",
    type: "searchset",
    link,
    entry: result.resources.map((r) => ({
      fullUrl: `${ctx.baseUrl}/${r.resourceType}/${r.id}`,
      resource: r,
      search: { mode: "match" },
    })),
  };
}
