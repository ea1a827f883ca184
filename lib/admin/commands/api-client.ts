// api-client.create | api-client.list | api-client.revoke (webhook set/rotate: ./webhooks.ts)
import { createApiClient, listApiClients, revokeApiClient } from "@/lib/api-clients/clients";
import { upsertWebhookEndpoint } from "@/lib/webhooks/endpoints";
import { assertWebhookUrl, endpointAnswer, webhookContext } from "@/lib/webhooks/admin-commands";
import { AdminInputError, registerAdminCommand } from "../registry";

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)]);

registerAdminCommand({
  name: "api-client.create",
  async run(db, args) {
    const input = {
      name: String(args.name ?? ""),
      clinics: strings(args.clinics),
      scope: String(args.scope ?? ""),
      jwks: args.jwks,
    };
    if (args.webhookUrl === undefined) return createApiClient(db, input);
    // With --webhook-url: the URL is checked first, then client and endpoint are made together,
    // and the signing secret is printed once in the same JSON line as client_id.
    const url = await assertWebhookUrl(args.webhookUrl);
    return db.transaction(async (tx) => {
      const client = await createApiClient(tx, input);
      const endpoint = await upsertWebhookEndpoint(tx, client.client_id, url, webhookContext());
      return { ...client, ...endpointAnswer(client.client_id, endpoint) };
    });
  },
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
