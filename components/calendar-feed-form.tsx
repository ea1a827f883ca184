"use client";

import { useActionState } from "react";
import { calendarFeedAction } from "@/lib/calendar/actions";

export interface CalendarFeedText {
  off: string;
  on: string;
  create: string;
  renew: string;
  revoke: string;
  linkLabel: string;
  open: string;
  warning: string;
  error: string;
}

export function CalendarFeedForm({
  initiallyOn,
  host,
  text,
}: {
  initiallyOn: boolean;
  host: string;
  text: CalendarFeedText;
}) {
  const [state, action, pending] = useActionState(calendarFeedAction, { status: "idle" });
  const on = state.status === "ok" ? state.token !== null : initiallyOn;
  const token = state.status === "ok" ? state.token : null;
  const webcal = token ? `webcal://${host}/kalender/${token}` : null;
  return (
    <div className="stack">
      <p role="status" aria-live="polite" className={state.status === "error" ? "notice notice--error" : "notice"}>
        {state.status === "error" ? text.error : on ? text.on : text.off}
      </p>
      {webcal ? (
        <div className="field">
          <label htmlFor="feed-link">{text.linkLabel}</label>
          <input id="feed-link" readOnly value={webcal} onFocus={(e) => e.currentTarget.select()} />
          <p className="field__hint">{text.warning}</p>
          <a className="button button--secondary" href={webcal}>
            {text.open}
          </a>
        </div>
      ) : null}
      <form action={action} className="actions">
        <button type="submit" name="intent" value="create" className="button" disabled={pending}>
          {on ? text.renew : text.create}
        </button>
        {on ? (
          <button type="submit" name="intent" value="revoke" className="button button--secondary" disabled={pending}>
            {text.revoke}
          </button>
        ) : null}
      </form>
    </div>
  );
}
