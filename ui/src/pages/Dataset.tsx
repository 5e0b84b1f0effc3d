import { useQuery } from "../api";
import { Markdown } from "../components/Markdown";
import { Keywords } from "../components/ProjectCard";
import { Empty, Status } from "../components/Status";
import { graphql } from "../gql";
import { Link } from "../router";

const DatasetQuery = graphql(`
  query DatasetPage($id: ID!) {
    dataset(id: $id) {
      id name title description keywords dateCreated sameAs
      creators { name affiliation user { username } }
      files { location }
      project { name namespace slug }
      usedIn { id namespace slug }
    }
  }
`);

export function DatasetPage(props: { id: string }) {
  const q = useQuery(DatasetQuery, props);
  const d = q.data?.dataset;
  return (
    <Status loading={q.loading} errors={q.errors}>
      {!d ? (
        <>
          <h1>Dataset not found</h1>
          <Empty>There is no such dataset, or you may not read its project.</Empty>
        </>
      ) : (
        <article>
          <h1>{d.title || d.name}</h1>
          <p className="hint">
            Dataset {d.name} of{" "}
            <Link to={`/p/${d.project.namespace}/${d.project.slug}`}>
              {d.project.namespace}/{d.project.slug}
            </Link>
            {d.dateCreated ? ` · created ${new Date(d.dateCreated).toLocaleDateString()}` : ""}
          </p>
          <Markdown source={d.description} label="Description" />
          {d.keywords.length ? <Keywords keywords={d.keywords} /> : null}
          <h2>Creators</h2>
          <ul>
            {d.creators.map((c) => (
              <li key={c.name}>
                {c.user ? <Link to={`/u/${c.user.username}`}>{c.name}</Link> : c.name}
                {c.affiliation ? `, ${c.affiliation}` : ""}
              </li>
            ))}
          </ul>
          <h2>Files</h2>
          {d.files.length === 0 ? (
            <Empty>No files.</Empty>
          ) : (
            <ul>
              {d.files.map((f) => (
                <li key={f.location}>
                  <code>{f.location}</code>
                </li>
              ))}
            </ul>
          )}
        </article>
      )}
    </Status>
  );
}
