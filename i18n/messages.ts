// Message files are split per area (common, bankid, appointments, …) and merged per locale.
// Every language has the same keys as Swedish (i18n/messages.test.ts); the type below is Swedish's,
// so a file that lacks a key fails the type check too.
import svCommon from "@/messages/sv/common.json";
import svBankid from "@/messages/sv/bankid.json";
import svAppointments from "@/messages/sv/appointments.json";
import svNotifications from "@/messages/sv/notifications.json";
import svWaitlist from "@/messages/sv/waitlist.json";
import enCommon from "@/messages/en/common.json";
import enBankid from "@/messages/en/bankid.json";
import enAppointments from "@/messages/en/appointments.json";
import enNotifications from "@/messages/en/notifications.json";
import enWaitlist from "@/messages/en/waitlist.json";
import arCommon from "@/messages/ar/common.json";
import arBankid from "@/messages/ar/bankid.json";
import arAppointments from "@/messages/ar/appointments.json";
import arNotifications from "@/messages/ar/notifications.json";
import arWaitlist from "@/messages/ar/waitlist.json";
import faCommon from "@/messages/fa/common.json";
import faBankid from "@/messages/fa/bankid.json";
import faAppointments from "@/messages/fa/appointments.json";
import faNotifications from "@/messages/fa/notifications.json";
import faWaitlist from "@/messages/fa/waitlist.json";
import soCommon from "@/messages/so/common.json";
import soBankid from "@/messages/so/bankid.json";
import soAppointments from "@/messages/so/appointments.json";
import soNotifications from "@/messages/so/notifications.json";
import soWaitlist from "@/messages/so/waitlist.json";
import fiCommon from "@/messages/fi/common.json";
import fiBankid from "@/messages/fi/bankid.json";
import fiAppointments from "@/messages/fi/appointments.json";
import fiNotifications from "@/messages/fi/notifications.json";
import fiWaitlist from "@/messages/fi/waitlist.json";
import type { Locale } from "./locales";

function merge<C extends { login: object }, B extends { rfa: object; login: object }, A, N, W>(
  common: C,
  bankid: B,
  appointments: A,
  notifications: N,
  waitlist: W,
) {
  return {
    ...common,
    rfa: bankid.rfa,
    login: { ...common.login, ...bankid.login },
    ...appointments,
    ...waitlist,
    notifications,
  };
}

const sv = merge(svCommon, svBankid, svAppointments, svNotifications, svWaitlist);
export type Messages = typeof sv;

const all: Record<Locale, Messages> = {
  sv,
  en: merge(enCommon, enBankid, enAppointments, enNotifications, enWaitlist),
  ar: merge(arCommon, arBankid, arAppointments, arNotifications, arWaitlist),
  fa: merge(faCommon, faBankid, faAppointments, faNotifications, faWaitlist),
  so: merge(soCommon, soBankid, soAppointments, soNotifications, soWaitlist),
  fi: merge(fiCommon, fiBankid, fiAppointments, fiNotifications, fiWaitlist),
};

export function messagesFor(locale: Locale): Messages {
  return all[locale];
}
