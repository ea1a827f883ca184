// Message files are split per area (common, bankid, appointments, …) and merged per locale.
import svCommon from "@/messages/sv/common.json";
import enCommon from "@/messages/en/common.json";
import svBankid from "@/messages/sv/bankid.json";
import enBankid from "@/messages/en/bankid.json";
import svAppointments from "@/messages/sv/appointments.json";
import enAppointments from "@/messages/en/appointments.json";
import svNotifications from "@/messages/sv/notifications.json";
import enNotifications from "@/messages/en/notifications.json";
import svWaitlist from "@/messages/sv/waitlist.json";
import enWaitlist from "@/messages/en/waitlist.json";
import type { Locale } from "./locales";

const all = {
  sv: {
    ...svCommon,
    rfa: svBankid.rfa,
    login: { ...svCommon.login, ...svBankid.login },
    ...svAppointments,
    ...svWaitlist,
    notifications: svNotifications,
  },
  en: {
    ...enCommon,
    rfa: enBankid.rfa,
    login: { ...enCommon.login, ...enBankid.login },
    ...enAppointments,
    ...enWaitlist,
    notifications: enNotifications,
  },
} satisfies Record<Locale, unknown>;

export type Messages = (typeof all)["sv"];

export function messagesFor(locale: Locale): Messages {
  return all[locale];
}
