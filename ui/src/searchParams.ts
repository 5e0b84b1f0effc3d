import type { EntityType } from "./gql/graphql";

/** The search page's filters, as its URL query keeps them. */
export interface SearchFilters {
  creators: string[];
  since: string;
  until: string;
}

/** The search query's variables from the page's URL query. */
export function searchVariables(params: URLSearchParams) {
  const type = params.get("type") as EntityType | null;
  const keyword = params.get("keyword");
  const since = params.get("since");
  const until = params.get("until");
  const creators = params.getAll("creator");
  return {
    query: params.get("q") || null,
    types: type ? [type] : null,
    keywords: keyword ? [keyword] : null,
    creators: creators.length ? creators : null,
    // A day in the URL is the whole day, in UTC, as the knowledge graph records dates.
    since: since ? `${since}T00:00:00Z` : null,
    until: until ? `${until}T23:59:59Z` : null,
  };
}

/** The filters the URL query holds. */
export function filtersOf(params: URLSearchParams): SearchFilters {
  return {
    creators: params.getAll("creator"),
    since: params.get("since") ?? "",
    until: params.get("until") ?? "",
  };
}

/** The search page's path with `filters` in place of the query's filters, other terms kept. */
export function withFilters(params: URLSearchParams, filters: SearchFilters): string {
  const next = new URLSearchParams(params);
  for (const name of ["creator", "since", "until"]) next.delete(name);
  for (const creator of filters.creators.map((c) => c.trim()).filter(Boolean)) {
    next.append("creator", creator);
  }
  if (filters.since) next.set("since", filters.since);
  if (filters.until) next.set("until", filters.until);
  return `/search?${next.toString()}`;
}

/** The search page's path with one parameter set, or removed when `value` is null. */
export function withParam(params: URLSearchParams, name: string, value: string | null): string {
  const next = new URLSearchParams(params);
  if (value === null) next.delete(name);
  else next.set(name, value);
  return `/search?${next.toString()}`;
}
