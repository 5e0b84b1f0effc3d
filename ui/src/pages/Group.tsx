import { useQuery } from "../api";
import { Markdown } from "../components/Markdown";
import { ProjectCard } from "../components/ProjectCard";
import { Empty, Status } from "../components/Status";
import { graphql } from "../gql";
import { Link } from "../router";

const GroupQuery = graphql(`
  query GroupPage($slug: String!) {
    group(slug: $slug) {
      id slug name description
      members { role user { id username displayName } }
      projects(first: 30) { edges { node { id ...ProjectCard } } }
    }
  }
`);

export function GroupPage(props: { slug: string }) {
  const q = useQuery(GroupQuery, props);
  const g = q.data?.group;
  return (
    <Status loading={q.loading} errors={q.errors}>
      {!g ? (
        <h1>Group not found</h1>
      ) : (
        <>
          <h1>{g.name}</h1>
          <p className="hint">Group {g.slug}</p>
          <Markdown source={g.description} label="Description" />
          <h2>Members</h2>
          <ul>
            {g.members.map((m, i) => (
              <li key={m.user?.id ?? i}>
                {m.user ? <Link to={`/u/${m.user.username}`}>{m.user.displayName}</Link> : "unknown"}{" "}
                — {m.role.toLowerCase()}
              </li>
            ))}
          </ul>
          <h2>Projects</h2>
          {g.projects.edges.length === 0 ? (
            <Empty>No projects you may see.</Empty>
          ) : (
            <ul className="cards">
              {g.projects.edges.map((e) => (
                <ProjectCard key={e.node.id} project={e.node} />
              ))}
            </ul>
          )}
        </>
      )}
    </Status>
  );
}
