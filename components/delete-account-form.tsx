"use client";

import { useActionState } from "react";
import { deleteAccountAction } from "@/lib/privacy/actions";

export interface DeleteAccountText {
  understand: string;
  confirm: string;
  failed: string;
}

// The confirm step: a checkbox the patient must tick (the browser and the server both require
// it), then one clearly labelled button. Texts come from the server page.
export function DeleteAccountForm({ text }: { text: DeleteAccountText }) {
  const [state, action, pending] = useActionState(deleteAccountAction, { status: "idle" });
  return (
    <form action={action} className="card stack">
      <fieldset className="segmented">
        <label>
          <input type="checkbox" name="understand" value="on" required />
          <span>{text.understand}</span>
        </label>
      </fieldset>
      <button type="submit" className="button button--danger" disabled={pending} aria-busy={pending}>
        {text.confirm}
      </button>
      <p role="status" aria-live="polite" className={state.status === "error" ? "notice notice--error" : undefined}>
        {state.status === "error" ? text.failed : null}
      </p>
    </form>
  );
}
