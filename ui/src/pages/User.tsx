import { useQuery } from "../api";
import { ProjectCard } from "../components/ProjectCard";
import { Empty, Status } from "../components/Status";
import { graphql } from "../gql";

const UserQuery = graphql(`
  query UserPage($username: String!) {
    userByUsername(username: $username) {
      id username displayName email
      projects(first: 30) { totalCount edges { node { id ...ProjectCard } } }
    }
  }
`);

export function UserPage(props: { username: string }) {
  const q = useQuery(UserQuery, props);
  const u = q.data?.userByUsername;
  return (
    <Status loading={q.loading} errors={q.errors}>
      {!u ? (
        <h1>User not found</h1>
      ) : (
        <>
          <h1>{u.displayName}</h1>
          <p className="hint">
            @{u.username}
            {u.email ? ` · ${u.email}` : ""}
          </p>
          <h2>Projects ({u.projects.totalCount})</h2>
          {u.projects.edges.length === 0 ? (
            <Empty>No projects you may see.</Empty>
          ) : (
            <ul className="cards">
              {u.projects.edges.map((e) => (
                <ProjectCard key={e.node.id} project={e.node} />
              ))}
            </ul>
          )}
        </>
      )}
    </Status>
  );
}
