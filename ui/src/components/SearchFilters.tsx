import { useState, type FormEvent } from "react";
import { filtersOf, withFilters } from "../searchParams";
import { navigate } from "../router";
import { Field } from "./Field";

/** The creator and date filters of the search page; applying them puts them in the URL. */
export function SearchFilters(props: { params: URLSearchParams }) {
  const current = filtersOf(props.params);
  const [creators, setCreators] = useState(current.creators.join(", "));
  const [since, setSince] = useState(current.since);
  const [until, setUntil] = useState(current.until);
  const apply = (event: FormEvent) => {
    event.preventDefault();
    navigate(withFilters(props.params, { creators: creators.split(","), since, until }));
  };
  const clear = () => {
    setCreators("");
    setSince("");
    setUntil("");
    navigate(withFilters(props.params, { creators: [], since: "", until: "" }));
  };
  return (
    <form onSubmit={apply} className="search-filters" aria-label="Creator and date filters">
      <Field id="filter-creators" label="Creators (names, comma-separated)">
        <input id="filter-creators" value={creators} onChange={(e) => setCreators(e.target.value)} />
      </Field>
      <Field id="filter-since" label="Created since">
        <input id="filter-since" type="date" value={since} onChange={(e) => setSince(e.target.value)} />
      </Field>
      <Field id="filter-until" label="Created until">
        <input id="filter-until" type="date" value={until} onChange={(e) => setUntil(e.target.value)} />
      </Field>
      <button type="submit">Apply filters</button>{" "}
      <button type="button" onClick={clear}>
        Clear filters
      </button>
    </form>
  );
}
