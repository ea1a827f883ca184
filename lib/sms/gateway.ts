import "server-only";
// The app's SMS gateway, from the validated environment.
import { env } from "@/lib/env";
import { ElksGateway } from "./elks";

let gateway: ElksGateway | undefined;

export function smsGateway(): ElksGateway {
  const e = env();
  gateway ??= new ElksGateway({ baseUrl: e.SMS_BASE_URL, username: e.SMS_USERNAME, password: e.SMS_PASSWORD });
  return gateway;
}
