// api-client.webhook-set | api-client.webhook-rotate-secret | webhooks.list | webhooks.replay | webhooks.counts
import {
  webhookRotateCommand,
  webhookSetCommand,
  webhooksCountsCommand,
  webhooksListCommand,
  webhooksReplayCommand,
} from "@/lib/webhooks/admin-commands";
import { registerAdminCommand } from "../registry";

registerAdminCommand({ name: "api-client.webhook-set", run: webhookSetCommand });
registerAdminCommand({ name: "api-client.webhook-rotate-secret", run: webhookRotateCommand });
registerAdminCommand({ name: "webhooks.list", run: webhooksListCommand });
registerAdminCommand({ name: "webhooks.replay", run: webhooksReplayCommand });
registerAdminCommand({ name: "webhooks.counts", run: (db) => webhooksCountsCommand(db) });
