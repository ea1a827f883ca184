// Every admin command, registered by importing its module here (the one list to extend).
import "./commands/api-client";
import "./commands/webhooks";
import "./commands/audit";
import "./commands/keys";

export { adminCommandNames, AdminInputError, findAdminCommand, registerAdminCommand } from "./registry";
export { runAdminCommand } from "./run";
