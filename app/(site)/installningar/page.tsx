import Link from "next/link";
import { getLocale, getTranslations } from "next-intl/server";
import {
  LanguageForm,
  OffsetsForm,
  PhoneForm,
  SmsConsentForm,
  type SettingsText,
} from "@/components/notification-settings";
import { StaleGuard } from "@/components/stale-guard";
import { formatShort, formatVisit, ltrIsolate, type Locale } from "@/lib/format";
import { mySettings } from "@/lib/notifications/dal";
import { OFFSET_CHOICES } from "@/lib/notifications/preferences";

export const dynamic = "force-dynamic";

export async function generateMetadata() {
  const t = await getTranslations("notifications.settings");
  return { title: t("title") };
}

export default async function SettingsPage() {
  const settings = await mySettings();
  const t = await getTranslations("notifications.settings");
  const tl = await getTranslations("settingsLinks");
  const tg = await getTranslations("guardian");
  const locale = (await getLocale()) as Locale;
  const errorKeys = [
    "invalid",
    "invalid_phone",
    "wrong_code",
    "expired_code",
    "needs_phone",
    "too_many",
    "guardian_not_allowed",
    "unauthorized",
    "unexpected",
  ] as const;
  const text: SettingsText = {
    saved: t("saved"),
    saving: t("saving"),
    errors: Object.fromEntries(errorKeys.map((k) => [k, t(`errors.${k}`)])),
    sms: {
      title: t("sms.title"),
      legend: t("sms.legend"),
      on: t("sms.on"),
      off: t("sms.off"),
      consentNote: t("sms.consentNote"),
      consentSince: settings.smsConsentAt
        ? t("sms.consentSince", { date: formatShort(settings.smsConsentAt, locale) })
        : null,
      needsPhone: t("sms.needsPhone"),
      save: t("sms.save"),
    },
    phone: {
      title: t("phone.title"),
      current: settings.phone ? t("phone.current", { phone: ltrIsolate(settings.phone, locale) }) : null,
      none: t("phone.none"),
      label: t("phone.label"),
      hint: t("phone.hint"),
      send: t("phone.send"),
      // Filled in on the client with the masked number the action returns.
      codeSent: t("phone.codeSent", { phone: ltrIsolate("{phone}", locale) }),
      codeLabel: t("phone.codeLabel"),
      codeHint: t("phone.codeHint"),
      confirm: t("phone.confirm"),
      verified: t("phone.verified"),
      remove: t("phone.remove"),
      removeConfirm: t("phone.removeConfirm"),
      removeYes: t("phone.removeYes"),
      removeCancel: t("phone.removeCancel"),
      removed: t("phone.removed"),
    },
    offsets: {
      title: t("offsets.title"),
      legend: t("offsets.legend"),
      clinic: t("offsets.clinic"),
      hint: t("offsets.hint"),
      save: t("offsets.save"),
      choices: Object.fromEntries(
        Object.keys(OFFSET_CHOICES).map((k) => [k, t(`offsets.${k as keyof typeof OFFSET_CHOICES}`)]),
      ),
    },
    language: {
      title: t("language.title"),
      legend: t("language.legend"),
      save: t("language.save"),
    },
  };
  const values = {
    smsEnabled: settings.smsEnabled,
    hasPhone: settings.phone !== null,
    pendingPhone: settings.pendingPhone,
    offsets: settings.offsets,
    language: settings.language,
  };
  const tp = await getTranslations("notifications.settings.planned");
  const offsetName = (key: string) =>
    key in OFFSET_CHOICES ? t(`offsets.${key as keyof typeof OFFSET_CHOICES}`) : key;
  return (
    <section aria-labelledby="settings-title" className="settings">
      <h1 id="settings-title">{t("title")}</h1>
      <StaleGuard renderId={crypto.randomUUID()} />
      <p>{t("intro")}</p>
      <p className="notice">{t("autosave")}</p>
      <p>
        <Link href="/installningar/meddelanden">{t("messagesLink")}</Link>
      </p>
      <div className="settings__grid">
        <SmsConsentForm text={text} values={values} />
        {settings.viaGuardian ? (
          <section className="card stack" aria-labelledby="phone-title">
            <h2 id="phone-title">{t("phone.title")}</h2>
            <p>
              {settings.phone
                ? tg("childSmsTo", { phone: ltrIsolate(settings.phone, locale) })
                : tg("childSmsNeedsPhone")}
            </p>
          </section>
        ) : (
          <PhoneForm text={text} values={values} />
        )}
        <OffsetsForm text={text} values={values} />
        <LanguageForm text={text} values={values} />
      </div>
      <section className="card" aria-labelledby="planned-title">
        <h2 id="planned-title">{tp("title")}</h2>
        {settings.planned.length === 0 ? (
          <p>{tp("empty")}</p>
        ) : (
          <>
            <p>{tp("intro")}</p>
            <ul className="planned-reminders">
              {settings.planned.map((visit) => (
                <li key={visit.appointmentId}>
                  <h3>
                    {tp("visit", {
                      date: formatVisit(visit.startsAt, locale, visit.timeZone),
                      clinic: visit.clinicName,
                    })}
                  </h3>
                  {visit.planned.length === 0 ? <p>{tp("none")}</p> : null}
                  {visit.planned.length > 0 ? (
                    <ul>
                      {visit.planned.map((r) => (
                        <li key={`${r.channel}-${r.dueAt.toISOString()}`}>
                          {tp(r.channel, { date: formatShort(r.dueAt, locale, visit.timeZone) })}
                        </li>
                      ))}
                    </ul>
                  ) : null}
                  {visit.passed.map((key) => (
                    <p key={key} className="notice">
                      {tp("passed", { offset: offsetName(key) })}
                    </p>
                  ))}
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
      <nav className="card" aria-labelledby="more-settings">
        <h2 id="more-settings">{tl("moreTitle")}</h2>
        <ul className="link-list">
          <li>
            <Link href="/installningar/enhet">{tl("device")}</Link>
          </li>
          <li>
            <Link href="/installningar/kalender">{tl("calendar")}</Link>
          </li>
          <li>
            <Link href="/installningar/inloggningar">{tl("sessions")}</Link>
          </li>
          <li>
            <Link href="/installningar/atkomst">{tl("access")}</Link>
          </li>
          <li>
            <Link href="/installningar/radera-konto">{tl("deleteAccount")}</Link>
          </li>
        </ul>
      </nav>
    </section>
  );
}
