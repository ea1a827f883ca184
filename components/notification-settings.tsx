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
import { localeDir, localeNames, locales, type Locale } from "@/i18n/locales";
import {
  startTransition,
  useActionState,
  useEffect,
  useId,
  useRef,
  useState,
  useSyncExternalStore,
  type FormEvent,
} from "react";
import {
  confirmCodeAction,
  languageAction,
  offsetsAction,
  removePhoneAction,
  requestCodeAction,
  smsConsentAction,
} from "@/lib/notifications/actions";

type Action = typeof smsConsentAction;

export interface SettingsText {
  saved: string;
  saving: string;
  errors: Record<string, string>;
  sms: {
    title: string;
    legend: string;
    on: string;
    off: string;
    consentNote: string;
    consentSince: string | null;
    needsPhone: string;
    save: string;
  };
  phone: {
    title: string;
    current: string | null;
    none: string;
    label: string;
    hint: string;
    send: string;
    codeSent: string;
    codeLabel: string;
    codeHint: string;
    confirm: string;
    verified: string;
    remove: string;
    removeConfirm: string;
    removeYes: string;
    removeCancel: string;
    removed: string;
  };
  offsets: {
    title: string;
    legend: string;
    clinic: string;
    hint: string;
    save: string;
    choices: Record<string, string>;
  };
  language: { title: string; legend: string; save: string };
}

export interface SettingsValues {
  smsEnabled: boolean;
  hasPhone: boolean;
  pendingPhone: string | null;
  offsets: string[];
  language: Locale;
}

function Result({
  state,
  text,
  success,
  pending = false,
}: {
  state: Awaited<ReturnType<Action>>;
  text: SettingsText;
  success?: string;
  pending?: boolean;
}) {
  const error = !pending && state.status === "error" ? (text.errors[state.error] ?? text.errors.unexpected) : null;
  const ok = !pending && state.status === "ok" ? (success ?? text.saved) : null;
  return (
    <p
      role="status"
      aria-live="polite"
      className={error ? "notice notice--error" : ok ? "notice notice--success" : pending ? "muted" : "visually-hidden"}
    >
      {pending ? text.saving : (error ?? ok ?? "")}
    </p>
  );
}

function useForm(action: Action) {
  return useActionState(action, { status: "idle" } as Awaited<ReturnType<Action>>);
}

const noSubscription = () => () => undefined;

/**
 * A section that saves on every change (see the top of this file). Each change sends the whole
 * section as it now is, in order, so the last choice wins; a refused choice (e.g. SMS without a
 * confirmed number) puts the section back to what is saved.
 */
function useAutosave(action: Action) {
  const [state, dispatch, pending] = useForm(action);
  const form = useRef<HTMLFormElement>(null);
  // False in the server's HTML and without JavaScript: then the section's own button saves.
  const live = useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
  useEffect(() => {
    if (state.status === "error") form.current?.reset();
  }, [state]);
  const onChange = (event: FormEvent<HTMLFormElement>) => {
    const data = new FormData(event.currentTarget);
    startTransition(() => dispatch(data));
  };
  return {
    state,
    pending,
    form,
    live,
    formProps: { action: dispatch, ref: form, onChange: live ? onChange : undefined },
  };
}

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

export function PhoneForm({ text, values }: { text: SettingsText; values: SettingsValues }) {
  const [sendState, sendAction, sending] = useForm(requestCodeAction);
  const [codeState, codeAction, confirming] = useForm(confirmCodeAction);
  const [removeState, removeAction, removing] = useForm(removePhoneAction);
  const phoneId = useId();
  const codeId = useId();
  const codeSent = values.pendingPhone !== null || (sendState.status === "ok" && codeState.status !== "ok");
  const sentTo = sendState.status === "ok" && sendState.phone ? sendState.phone : values.pendingPhone;
  return (
    <section className="card stack" aria-labelledby="phone-title">
      <h2 id="phone-title">{text.phone.title}</h2>
      <p>{text.phone.current ?? text.phone.none}</p>
      <form action={sendAction} className="stack">
        <div className="field">
          <label htmlFor={phoneId}>{text.phone.label}</label>
          <input
            id={phoneId}
            name="phone"
            type="tel"
            inputMode="tel"
            autoComplete="tel"
            required
            aria-describedby={`${phoneId}-hint`}
          />
          <p id={`${phoneId}-hint`} className="muted field__hint">
            {text.phone.hint}
          </p>
        </div>
        <Result
          state={sendState}
          text={text}
          success={sentTo ? text.phone.codeSent.replace("{phone}", sentTo) : text.saved}
        />
        <button type="submit" className="button button--secondary" disabled={sending} aria-disabled={sending}>
          {text.phone.send}
        </button>
      </form>
      {codeSent ? (
        <form action={codeAction} className="stack">
          {sendState.status !== "ok" && sentTo ? (
            <p className="notice">{text.phone.codeSent.replace("{phone}", sentTo)}</p>
          ) : null}
          <div className="field">
            <label htmlFor={codeId}>{text.phone.codeLabel}</label>
            <input
              id={codeId}
              name="code"
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9]{6}"
              maxLength={6}
              required
              aria-describedby={`${codeId}-hint`}
            />
            <p id={`${codeId}-hint`} className="muted field__hint">
              {text.phone.codeHint}
            </p>
          </div>
          <button type="submit" className="button" disabled={confirming} aria-disabled={confirming}>
            {text.phone.confirm}
          </button>
        </form>
      ) : null}
      <Result state={codeState} text={text} success={text.phone.verified} />
      {values.hasPhone ? <RemovePhone text={text} action={removeAction} removing={removing} /> : null}
      <Result state={removeState} text={text} success={text.phone.removed} />
    </section>
  );
}

// Removing the number stops every SMS at once, so it is asked twice: the first press only shows
// what will happen, with the real button and a way back (focus moves to the question).
function RemovePhone({
  text,
  action,
  removing,
}: {
  text: SettingsText;
  action: (formData: FormData) => void;
  removing: boolean;
}) {
  const [asking, setAsking] = useState(false);
  const questionRef = useRef<HTMLParagraphElement>(null);
  if (!asking)
    return (
      <button
        type="button"
        className="button button--secondary"
        onClick={() => {
          setAsking(true);
          requestAnimationFrame(() => questionRef.current?.focus());
        }}
      >
        {text.phone.remove}
      </button>
    );
  return (
    <form action={action} className="stack">
      <p ref={questionRef} tabIndex={-1}>
        {text.phone.removeConfirm}
      </p>
      <div className="actions">
        <button type="submit" className="button button--danger" disabled={removing} aria-disabled={removing}>
          {text.phone.removeYes}
        </button>
        <button type="button" className="button button--secondary" onClick={() => setAsking(false)}>
          {text.phone.removeCancel}
        </button>
      </div>
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
