import type { ReactNode } from "react";

/** A labelled form field with the server's error for it shown right under it. */
export function Field(props: { id: string; label: string; error?: string; children: ReactNode }) {
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      {props.children}
      {props.error ? (
        <p id={`${props.id}-error`} className="error field-error" role="alert">
          {props.error}
        </p>
      ) : null}
    </div>
  );
}
