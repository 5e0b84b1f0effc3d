import { useState, type FormEvent } from "react";
import { useQuery } from "../api";
import { SearchFilters } from "../components/SearchFilters";
import { Empty, Status } from "../components/Status";
import { graphql } from "../gql";
import type { SearchPageQuery } from "../gql/graphql";
import { Link, navigate } from "../router";
import { searchVariables, withParam } from "../searchParams";

const SearchQuery = graphql(`
  query SearchPage(
    $query: String
    $types: [EntityType!]
    $keywords: [String!]
    $creators: [String!]
    $since: DateTime
    $until: DateTime
  ) {
    search(
      query: $query
      types: $types
      keywords: $keywords
      creators: $creators
      since: $since
      until: $until
      first: 30
    ) {
      totalCount
      byType { type count }
      byKeyword { keyword count }
      edges {
        node {
          __typename
          ... on Project { id name namespace slug description keywords }
          ... on Dataset { id name title description keywords project { namespace slug } }
          ... on Workflow { id name command project { namespace slug } }
          ... on Person { name user { username } }
          ... on SearchNamespace { slug }
        }
      }
    }
  }
`);

export function SearchPage(props: { params: URLSearchParams }) {
  const text = props.params.get("q") ?? "";
  const type = props.params.get("type");
  const keyword = props.params.get("keyword");
  const [draft, setDraft] = useState(text);
  const q = useQuery(SearchQuery, searchVariables(props.params));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    navigate(withParam(props.params, "q", draft || null));
  };
  const search = q.data?.search;
  return (
    <>
      <h1>Search</h1>
      <form role="search" onSubmit={submit} className="search-form">
        <label htmlFor="search-text">Search projects, datasets, workflows and people</label>
        <input id="search-text" value={draft} onChange={(e) => setDraft(e.target.value)} />
        <button type="submit">Search</button>
      </form>
      <SearchFilters key={props.params.toString()} params={props.params} />
      <Status loading={q.loading} errors={q.errors}>
        {search ? (
          <div className="search-layout">
            <aside aria-label="Filters">
              <h2>Type</h2>
              <ul>
                {search.byType.map((t) => (
                  <li key={t.type}>
                    <Link to={withParam(props.params, "type", type === t.type ? null : t.type)}>
                      {type === t.type ? "✓ " : ""}
                      {t.type.toLowerCase()} ({t.count})
                    </Link>
                  </li>
                ))}
              </ul>
              <h2>Keywords</h2>
              <ul>
                {search.byKeyword.slice(0, 15).map((k) => (
                  <li key={k.keyword}>
                    <Link to={withParam(props.params, "keyword", keyword === k.keyword ? null : k.keyword)}>
                      {keyword === k.keyword ? "✓ " : ""}
                      {k.keyword} ({k.count})
                    </Link>
                  </li>
                ))}
              </ul>
            </aside>
            <section aria-label="Results">
              <p>{search.totalCount} results</p>
              {search.edges.length === 0 ? <Empty>Nothing matches.</Empty> : null}
              <ul className="cards">
                {search.edges.map((e, i) => (
                  <li key={i} className="card">
                    <SearchHit node={e.node} />
                  </li>
                ))}
              </ul>
            </section>
          </div>
        ) : null}
      </Status>
    </>
  );
}

type Hit = SearchPageQuery["search"]["edges"][number]["node"];

function SearchHit({ node }: { node: Hit }) {
  switch (node.__typename) {
    case "Project":
      return (
        <>
          <span className="badge">project</span>{" "}
          <Link to={`/p/${node.namespace}/${node.slug}`}>{node.namespace}/{node.slug}</Link>
          {node.description ? <p>{node.description.split("\n")[0]}</p> : null}
        </>
      );
    case "Dataset":
      return (
        <>
          <span className="badge">dataset</span>{" "}
          <Link to={`/datasets/${node.id}`}>{node.name}</Link> in {node.project.namespace}/
          {node.project.slug}
          {node.description ? <p>{node.description}</p> : null}
        </>
      );
    case "Workflow":
      return (
        <>
          <span className="badge">workflow</span> {node.name} <code>{node.command}</code> in{" "}
          <Link to={`/p/${node.project.namespace}/${node.project.slug}`}>
            {node.project.namespace}/{node.project.slug}
          </Link>
        </>
      );
    case "Person":
      return (
        <>
          <span className="badge">person</span>{" "}
          {node.user ? <Link to={`/u/${node.user.username}`}>{node.name}</Link> : node.name}
        </>
      );
    case "SearchNamespace":
      return (
        <>
          <span className="badge">namespace</span> <Link to={`/u/${node.slug}`}>{node.slug}</Link>
        </>
      );
  }
}
