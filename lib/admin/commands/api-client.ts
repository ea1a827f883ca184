// api-client.create | api-client.list | api-client.revoke
import { createApiClient, listApiClients, revokeApiClient } from "@/lib/api-clients/clients";
import { AdminInputError, registerAdminCommand } from "../registry";

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)]);

registerAdminCommand({
  name: "api-client.create",
  run: (db, args) =>
    createApiClient(db, {
      name: String(args.name ?? ""),
      clinics: strings(args.clinics),
      scope: String(args.scope ?? ""),
      jwks: args.jwks,
    }),
});

registerAdminCommand({ name: "api-client.list", run: (db) => listApiClients(db) });

registerAdminCommand({
  name: "api-client.revoke",
  async run(db, args) {
    const revoked = await revokeApiClient(db, String(args.clientId ?? ""));
    if (!revoked) throw new AdminInputError(`no API client ${String(args.clientId ?? "")}`);
    return revoked;
  },
});
