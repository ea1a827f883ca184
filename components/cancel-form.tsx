"use client";

import Link from "next/link";
import { useActionState, useState } from "react";
import { cancelAction } from "@/lib/appointments/actions";

export interface CancelFormText {
  reasonLegend: string;
  reasons: Record<string, string>;
  confirm: string;
  keep: string;
  helpTransportTitle: string;
  transportInfo: string;
  /** The clinic's text is Swedish or English: its language where the page's differs. */
  transportInfoLang?: string;
  helpInterpreter: string;
  helpVideoTitle: string;
  helpVideo: string;
  errors: Record<string, string>;
}

export function CancelForm({ appointmentId, text }: { appointmentId: string; text: CancelFormText }) {
  const [state, action, pending] = useActionState(cancelAction, { status: "idle" });
  const [reason, setReason] = useState("");
  return (
    <form action={action} className="stack">
      <input type="hidden" name="appointmentId" value={appointmentId} />
      <fieldset className="segmented">
        <legend>{text.reasonLegend}</legend>
        {Object.entries(text.reasons).map(([value, label]) => (
          <label key={value}>
            <input
              type="radio"
              name="reason"
              value={value}
              checked={reason === value}
              onChange={() => setReason(value)}
            />
            <span>{label}</span>
          </label>
        ))}
      </fieldset>
      {/* Help for reasons the region can do something about, before the patient gives the time away. */}
      <div aria-live="polite">
        {reason === "no_transport" ? (
          <div className="notice">
            <h2>{text.helpTransportTitle}</h2>
            {text.transportInfo ? <p lang={text.transportInfoLang}>{text.transportInfo}</p> : null}
          </div>
        ) : null}
        {reason === "need_interpreter" ? <p className="notice">{text.helpInterpreter}</p> : null}
        {reason === "prefer_video" ? (
          <div className="notice">
            <h2>{text.helpVideoTitle}</h2>
            <p>{text.helpVideo}</p>
          </div>
        ) : null}
      </div>
      <p
        role="status"
        aria-live="polite"
        className={state.status === "error" ? "notice notice--error" : "visually-hidden"}
      >
        {state.status === "error" ? (text.errors[state.error] ?? text.errors.unexpected) : ""}
      </p>
      <div className="actions">
        <button type="submit" className="button button--danger" disabled={pending} aria-disabled={pending}>
          {text.confirm}
        </button>
        <Link href={`/besok/${appointmentId}`} className="button button--secondary">
          {text.keep}
        </Link>
      </div>
    </form>
  );
}
