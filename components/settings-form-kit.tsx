"use client";

// What the settings forms share: their texts and values, the aria-live result line, and the
// save-as-you-choose hook (the save model is explained in components/notification-settings.tsx).
import { startTransition, useActionState, useEffect, useRef, useSyncExternalStore, type FormEvent } from "react";
import type { Locale } from "@/i18n/locales";
import type { smsConsentAction } from "@/lib/notifications/actions";
export type Action = typeof smsConsentAction;

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

export function Result({
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

export function useForm(action: Action) {
  return useActionState(action, { status: "idle" } as Awaited<ReturnType<Action>>);
}

const noSubscription = () => () => undefined;

/**
 * A section that saves on every change (see the top of this file). Each change sends the whole
 * section as it now is, in order, so the last choice wins; a refused choice (e.g. SMS without a
 * confirmed number) puts the section back to what is saved.
 */
export function useAutosave(action: Action) {
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
