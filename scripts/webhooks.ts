// npm run -s webhooks -- list [--failed] | replay EVENT_ID | counts
// The booking systems' webhooks as operators see them (docs/integration.md, "Webhooks"). Works
// while `npm start` serves the demo: it then goes through the app's admin channel.
import { webhookSubcommands } from "@/lib/admin/cli/webhooks";
import { runCli } from "@/lib/admin/cli/main";

process.exitCode = await runCli(webhookSubcommands, process.argv.slice(2));
