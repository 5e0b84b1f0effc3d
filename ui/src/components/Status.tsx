import type { ReactNode } from "react";
import type { GraphQLError } from "../api";

/** Loading and error states every page shows the same way. */
export function Status(props: { loading: boolean; errors: GraphQLError[]; children: ReactNode }) {
  if (props.errors.length > 0) {
    return (
      <div role="alert" className="error">
        <p>Something went wrong:</p>
        <ul>
          {props.errors.map((e, i) => (
            <li key={i}>{e.message}</li>
          ))}
        </ul>
      </div>
    );
  }
  if (props.loading) {
    return (
      <p role="status" aria-live="polite" className="loading">
        Loading…
      </p>
    );
  }
  return <>{props.children}</>;
}

export function Empty(props: { children: ReactNode }) {
  return <p className="empty">{props.children}</p>;
}
