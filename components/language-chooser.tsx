import { getLocale, getTranslations } from "next-intl/server";
import { setLanguage } from "@/lib/i18n/set-language";
import { isLocale, localeDir, localeNames, locales, type Locale } from "@/i18n/locales";

// The language chooser: a disclosure (globe and the current language) that opens a list with each
// language in its own name and script, so a patient finds theirs without reading the current one.
// Every choice is a submit button of one plain form: it works without JavaScript, by keyboard and
// by screen reader, and the list wraps on a 320 px screen. Self-contained (markup here, styles under
// ".lang-chooser" in globals.css) so the header can be restyled around it.
//
// In a prerendered shell (`shell`: its locale and path) the form posts to /api/language, which
// sets the choice and sends the browser back: a static page cannot re-render itself.
export async function LanguageChooser({ shell }: { shell?: { locale: Locale; returnTo: string } } = {}) {
  const t = shell
    ? await getTranslations({ locale: shell.locale, namespace: "language" })
    : await getTranslations("language");
  const raw = shell ? shell.locale : await getLocale();
  const current = isLocale(raw) ? raw : "sv";
  return (
    // Keyed by language: after a switch the disclosure is new, so it is closed again.
    <details className="lang-chooser" key={current}>
      <summary>
        {/* The visible globe says "language" to everyone; the hidden word says it to screen readers. */}
        <span className="visually-hidden">{t("label")}: </span>
        <svg aria-hidden="true" focusable="false" width="18" height="18" viewBox="0 0 24 24">
          <circle cx="12" cy="12" r="9.5" fill="none" stroke="currentColor" strokeWidth="1.8" />
          <path
            d="M2.5 12h19M12 2.5c2.6 2.7 3.9 5.9 3.9 9.5s-1.3 6.8-3.9 9.5M12 2.5C9.4 5.2 8.1 8.4 8.1 12s1.3 6.8 3.9 9.5"
            fill="none"
            stroke="currentColor"
            strokeWidth="1.8"
          />
        </svg>
        <span lang={current}>{localeNames[current]}</span>
      </summary>
      <form
        className="lang-chooser__panel"
        {...(shell ? { action: "/api/language", method: "post" } : { action: setLanguage })}
      >
        {shell ? <input type="hidden" name="returnTo" value={shell.returnTo} /> : null}
        <ul role="list" aria-label={t("label")}>
          {locales.map((l) => (
            <li key={l}>
              <button
                type="submit"
                name="lang"
                value={l}
                lang={l}
                dir={localeDir(l)}
                aria-current={l === current ? "true" : undefined}
              >
                {localeNames[l]}
              </button>
            </li>
          ))}
        </ul>
      </form>
    </details>
  );
}
