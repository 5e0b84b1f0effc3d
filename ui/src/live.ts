import { createClient, type Client } from "graphql-ws";
import { useEffect, useRef } from "react";
import { graphql } from "./gql";

const SessionChanged = graphql(`
  subscription SessionChanged($id: ID!) {
    sessionChanged(id: $id) { id state }
  }
`);

let client: Client | null = null;

// One WebSocket to the router's /graphql (graphql-transport-ws), signed in by the login cookie.
function liveClient(): Client {
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  client ??= createClient({ url: `${scheme}://${window.location.host}/graphql`, lazy: true });
  return client;
}

/** Call `onChange` when one of `sessions` is no longer in the state shown; `onFailure` if they
 * cannot be followed. */
export function useSessionChanges(
  sessions: readonly { id: string; state: string }[],
  onChange: () => void,
  onFailure: () => void,
): void {
  const key = sessions.map((s) => s.id).sort().join(",");
  const shown = useRef(new Map<string, string>());
  shown.current = new Map(sessions.map((s) => [s.id, s.state]));
  const handlers = useRef({ onChange, onFailure });
  handlers.current = { onChange, onFailure };
  useEffect(() => {
    if (!key) return undefined;
    // Unsubscribing completes a subscription too; that is no change of the session.
    let stopped = false;
    const stops = key.split(",").map((id) =>
      liveClient().subscribe<{ sessionChanged: { state: string } | null }>(
        { query: SessionChanged.toString(), variables: { id } },
        {
          next: (event) => {
            const state = event.data?.sessionChanged?.state;
            if (!stopped && state !== shown.current.get(id)) handlers.current.onChange();
          },
          error: () => {
            if (!stopped) handlers.current.onFailure();
          },
          complete: () => {
            if (!stopped) handlers.current.onChange();
          },
        },
      ),
    );
    return () => {
      stopped = true;
      stops.forEach((stop) => stop());
    };
  }, [key]);
}
