import { useCallback, useEffect, useRef, useState } from "react";
import type { TypedDocumentString } from "./gql/graphql";

export interface GraphQLError {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string };
}

export interface Result<T> {
  data?: T | null;
  errors?: GraphQLError[];
}

// Cookie sessions need a non-simple content type or this header (README, "Browser login").
const HEADERS = { "content-type": "application/json", "x-renku-csrf": "1" };

/** One GraphQL operation against the router, with the login cookie. */
export async function execute<T, V>(
  document: TypedDocumentString<T, V>,
  variables?: V,
): Promise<Result<T>> {
  const response = await fetch("/graphql", {
    method: "POST",
    credentials: "same-origin",
    headers: HEADERS,
    body: JSON.stringify({ query: document.toString(), variables }),
  });
  try {
    return (await response.json()) as Result<T>;
  } catch {
    return { errors: [{ message: `The API answered ${response.status}.` }] };
  }
}

export interface QueryState<T> {
  data: T | null;
  errors: GraphQLError[];
  loading: boolean;
  refetch: () => Promise<void>;
}

/** Run a query when its variables change; `pollMs` refetches while it returns true. */
export function useQuery<T, V>(
  document: TypedDocumentString<T, V>,
  variables: V,
  pollMs?: (data: T | null) => number | null,
): QueryState<T> {
  const key = JSON.stringify(variables);
  const [state, setState] = useState<{ data: T | null; errors: GraphQLError[]; loading: boolean }>(
    { data: null, errors: [], loading: true },
  );
  const latest = useRef(0);
  const refetch = useCallback(async () => {
    const call = ++latest.current;
    try {
      const result = await execute(document, JSON.parse(key) as V);
      if (call === latest.current) {
        setState({ data: result.data ?? null, errors: result.errors ?? [], loading: false });
      }
    } catch (error) {
      if (call === latest.current) {
        setState((s) => ({ ...s, errors: [{ message: String(error) }], loading: false }));
      }
    }
  }, [document, key]);
  useEffect(() => {
    setState({ data: null, errors: [], loading: true });
    void refetch();
  }, [refetch]);
  const interval = pollMs ? pollMs(state.data) : null;
  useEffect(() => {
    if (!interval) return undefined;
    const timer = window.setInterval(() => void refetch(), interval);
    return () => window.clearInterval(timer);
  }, [interval, refetch]);
  return { ...state, refetch };
}

export interface UserError {
  code: string;
  message: string;
  field?: string | null;
}

/** The messages of a mutation's user errors, by field ("" for the form as a whole). */
export function fieldErrors(errors: readonly UserError[]): Record<string, string> {
  const byField: Record<string, string> = {};
  for (const error of errors) {
    const field = error.field ?? "";
    byField[field] = byField[field] ? `${byField[field]} ${error.message}` : error.message;
  }
  return byField;
}
