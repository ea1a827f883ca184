"use client";

// The reminder settings forms. Each form posts to its own server action and shows the result in
// an aria-live region, so a screen reader hears "saved" or what to fix.
//
// One save model for the page: every choice (SMS yes/no, reminder times, language) is saved the
// moment it is made, and its section says so aloud ("Sparar …", then "Dina ändringar är sparade."
// or what to fix). Chosen over one Save button for the whole page because the choices are small
// and independent: there is no state in which something is chosen but not saved, so nothing is
// lost when the patient leaves the page or uses another section, and no "unsaved changes"
// warning is needed (a client-side navigation could not show one reliably anyway). The phone
// number is the exception by nature: typing it is not a choice but a request ("Skicka kod").
// Without JavaScript each section keeps its own button, so the page still works.
import { localeDir, localeNames, locales } from "@/i18n/locales";
import { languageAction, offsetsAction, smsConsentAction } from "@/lib/notifications/actions";
import { Result, useAutosave, type SettingsText, type SettingsValues } from "./settings-form-kit";

export { PhoneForm } from "./phone-form";
export type { SettingsText, SettingsValues } from "./settings-form-kit";

export function SmsConsentForm({ text, values }: { text: SettingsText; values: SettingsValues }) {
  const { state, pending, live, formProps } = useAutosave(smsConsentAction);
  return (
    <form {...formProps} className="card stack" aria-labelledby="sms-title">
      <h2 id="sms-title">{text.sms.title}</h2>
      {!values.hasPhone ? <p className="notice">{text.sms.needsPhone}</p> : null}
      <fieldset className="segmented">
        <legend>{text.sms.legend}</legend>
        <label>
          <input type="radio" name="sms" value="on" defaultChecked={values.smsEnabled} />
          <span>{text.sms.on}</span>
        </label>
        <label>
          <input type="radio" name="sms" value="off" defaultChecked={!values.smsEnabled} />
          <span>{text.sms.off}</span>
        </label>
      </fieldset>
      <p className="muted">
        {text.sms.consentNote} {values.smsEnabled && text.sms.consentSince ? text.sms.consentSince : null}
      </p>
      <Result state={state} text={text} pending={pending} />
      {live ? null : (
        <button type="submit" className="button">
          {text.sms.save}
        </button>
      )}
    </form>
  );
}

export function OffsetsForm({ text, values }: { text: SettingsText; values: SettingsValues }) {
  const { state, pending, live, formProps } = useAutosave(offsetsAction);
  return (
    <form {...formProps} className="card stack" aria-labelledby="offsets-title">
      <h2 id="offsets-title">{text.offsets.title}</h2>
      <fieldset className="segmented" aria-describedby="offsets-hint">
        <legend>{text.offsets.legend}</legend>
        {Object.entries(text.offsets.choices).map(([key, label]) => (
          <label key={key}>
            <input type="checkbox" name={key} value="on" defaultChecked={values.offsets.includes(key)} />
            <span>{label}</span>
          </label>
        ))}
      </fieldset>
      <p id="offsets-hint" className="muted">
        {text.offsets.clinic} {text.offsets.hint}
      </p>
      <Result state={state} text={text} pending={pending} />
      {live ? null : (
        <button type="submit" className="button">
          {text.offsets.save}
        </button>
      )}
    </form>
  );
}

export function LanguageForm({ text, values }: { text: SettingsText; values: SettingsValues }) {
  const { state, pending, live, formProps } = useAutosave(languageAction);
  return (
    <form {...formProps} className="card stack" aria-labelledby="language-title">
      <h2 id="language-title">{text.language.title}</h2>
      <fieldset className="segmented">
        <legend>{text.language.legend}</legend>
        {/* Each language in its own name and script, as in the language chooser. */}
        {locales.map((l) => (
          <label key={l}>
            <input type="radio" name="language" value={l} defaultChecked={values.language === l} />
            <span lang={l} dir={localeDir(l)}>
              {localeNames[l]}
            </span>
          </label>
        ))}
      </fieldset>
      <Result state={state} text={text} pending={pending} />
      {live ? null : (
        <button type="submit" className="button">
          {text.language.save}
        </button>
      )}
    </form>
  );
}
