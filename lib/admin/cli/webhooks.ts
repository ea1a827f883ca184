// `npm run webhooks -- list [--failed] [--limit N] | replay EVENT_ID [--client CLIENT_ID] | counts`
import { AdminInputError } from "../registry";
import type { Subcommand } from "./subcommands";

export const webhookSubcommands: Subcommand[] = [
  {
    name: "list",
    usage: "list [--failed] [--limit N]",
    options: { failed: { type: "boolean" }, limit: { type: "string" } },
    async toCommand(v) {
      const limit = v.limit === undefined ? undefined : Number(v.limit);
      if (limit !== undefined && !Number.isInteger(limit)) throw new AdminInputError("--limit must be a whole number");
      return { command: "webhooks.list", args: { failed: v.failed === true, limit } };
    },
  },
  {
    name: "replay",
    usage: "replay EVENT_ID [--client CLIENT_ID]",
    options: { client: { type: "string" } },
    positionals: ["EVENT_ID"],
    toCommand: async (v, [eventId]) => ({ command: "webhooks.replay", args: { eventId, clientId: v.client } }),
  },
  {
    name: "counts",
    usage: "counts",
    options: {},
    toCommand: async () => ({ command: "webhooks.counts", args: {} }),
  },
];
