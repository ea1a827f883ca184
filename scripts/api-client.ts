// npm run -s api-client -- create --name NAME --clinic HSAID --scope "SCOPES" --jwks-file PATH
// Registers, lists or revokes a booking system's access to the FHIR API (docs/integration.md).
// Works while `npm start` serves the demo: it then goes through the app's admin channel.
import { apiClientSubcommands } from "@/lib/admin/cli/api-client";
import { runCli } from "@/lib/admin/cli/main";

process.exitCode = await runCli(apiClientSubcommands, process.argv.slice(2));
