// Message files are split per area (common, bankid, appointments, …) and merged per locale.
import svCommon from "@/messages/sv/common.json";
import enCommon from "@/messages/en/common.json";
import svBankid from "@/messages/sv/bankid.json";
import enBankid from "@/messages/en/bankid.json";
import type { Locale } from "./locales";

const all = {
  sv: { ...svCommon, ...svBankid },
  en: { ...enCommon, ...enBankid },
} satisfies Record<Locale, unknown>;

export type Messages = (typeof all)["sv"];

export function messagesFor(locale: Locale): Messages {
  return all[locale];
}
