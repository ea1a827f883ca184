// `npm run api-client -- create|list|revoke|webhook set|webhook rotate-secret …`: the subcommands, each one admin command.
import { readFile } from "node:fs/promises";
import { AdminInputError } from "../registry";
import type { Subcommand } from "./subcommands";

export const apiClientSubcommands: Subcommand[] = [
  {
    name: "create",
    usage: 'create --name NAME --clinic HSAID [--clinic HSAID …] --scope "SCOPES" --jwks-file PATH [--webhook-url URL]',
    options: {
      name: { type: "string" },
      clinic: { type: "string", multiple: true },
      scope: { type: "string" },
      "jwks-file": { type: "string" },
      "webhook-url": { type: "string" },
    },
    async toCommand(v) {
      const file = v["jwks-file"];
      if (typeof file !== "string")
        throw new AdminInputError("--jwks-file PATH is required (the client's public JWKS)");
      let jwks: unknown;
      try {
        jwks = JSON.parse(await readFile(file, "utf8"));
      } catch (error) {
        throw new AdminInputError(`cannot read a JSON JWKS from ${file}: ${(error as Error).message}`);
      }
      return {
        command: "api-client.create",
        args: { name: v.name, clinics: v.clinic ?? [], scope: v.scope, jwks, webhookUrl: v["webhook-url"] },
      };
    },
  },
  {
    name: "list",
    usage: "list",
    options: {},
    toCommand: async () => ({ command: "api-client.list", args: {} }),
  },
  {
    name: "webhook set",
    usage: "webhook set CLIENT_ID URL",
    options: {},
    positionals: ["CLIENT_ID", "URL"],
    toCommand: async (_v, [clientId, url]) => ({ command: "api-client.webhook-set", args: { clientId, url } }),
  },
  {
    name: "webhook rotate-secret",
    usage: "webhook rotate-secret CLIENT_ID",
    options: {},
    positionals: ["CLIENT_ID"],
    toCommand: async (_v, [clientId]) => ({ command: "api-client.webhook-rotate-secret", args: { clientId } }),
  },
  {
    name: "revoke",
    usage: "revoke CLIENT_ID",
    options: {},
    positionals: ["CLIENT_ID"],
    toCommand: async (_v, [clientId]) => ({ command: "api-client.revoke", args: { clientId } }),
  },
];
