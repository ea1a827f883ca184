"use client";

// The phone number of the settings page: typing it is a request ("Skicka kod"), not a choice, so
// it keeps its buttons (send code, confirm, remove after a confirmation question).
import { useId, useRef, useState } from "react";
import { confirmCodeAction, removePhoneAction, requestCodeAction } from "@/lib/notifications/actions";
import { Result, useForm, type SettingsText, type SettingsValues } from "./settings-form-kit";
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
