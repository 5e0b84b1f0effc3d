import { useQuery } from "../api";
import { NamespaceNotice } from "../components/NamespaceNotice";
import { Empty, Status } from "../components/Status";
import { ProjectCard } from "../components/ProjectCard";
import { SessionRow, isChanging } from "../components/SessionRow";
import { graphql } from "../gql";
import { Link } from "../router";

const DashboardQuery = graphql(`
  query DashboardPage {
    me {
      username
      displayName
      namespaceNotice
      projects(first: 20, sort: UPDATED_AT_DESC) {
        totalCount
        edges { node { id ...ProjectCard } }
      }
      sessions { id state ...SessionRow }
      activity { id command startedAt project { namespace slug } }
    }
    projects(first: 10, visibility: PUBLIC, sort: UPDATED_AT_DESC) {
      edges { node { id ...ProjectCard } }
    }
  }
`);

export function DashboardPage() {
  const q = useQuery(DashboardQuery, {}, (d) =>
    d?.me?.sessions.some((s) => isChanging(s.state)) ? 2000 : null,
  );
  const me = q.data?.me;
  return (
    <Status loading={q.loading} errors={q.errors}>
      {me ? (
        <>
          <h1>Welcome, {me.displayName}</h1>
          <NamespaceNotice notice={me.namespaceNotice} />
          <section aria-labelledby="my-projects">
            <h2 id="my-projects">My projects ({me.projects.totalCount})</h2>
            {me.projects.edges.length === 0 ? (
              <Empty>
                You have no projects yet. <Link to="/projects/new">Create one</Link>.
              </Empty>
            ) : (
              <ul className="cards">
                {me.projects.edges.map((e) => (
                  <ProjectCard key={e.node.id} project={e.node} />
                ))}
              </ul>
            )}
          </section>
          <section aria-labelledby="my-sessions">
            <h2 id="my-sessions">My sessions</h2>
            {me.sessions.length === 0 ? (
              <Empty>No sessions running.</Empty>
            ) : (
              <ul className="sessions">
                {me.sessions.map((s) => (
                  <SessionRow key={s.id} session={s} onChange={() => void q.refetch()} />
                ))}
              </ul>
            )}
          </section>
          <section aria-labelledby="recent-activity">
            <h2 id="recent-activity">Recent activity</h2>
            {me.activity.length === 0 ? (
              <Empty>No recorded workflow runs.</Empty>
            ) : (
              <ul>
                {me.activity.slice(0, 10).map((a) => (
                  <li key={a.id}>
                    <code>{a.command}</code> in{" "}
                    <Link to={`/p/${a.project.namespace}/${a.project.slug}`}>
                      {a.project.namespace}/{a.project.slug}
                    </Link>
                    {a.startedAt ? ` on ${new Date(a.startedAt).toLocaleString()}` : ""}
                  </li>
                ))}
              </ul>
            )}
          </section>
        </>
      ) : (
        <>
          <h1>Renku</h1>
          <p>Sign in to see your projects and sessions. Public projects:</p>
        </>
      )}
      {!me ? (
        <section aria-labelledby="public-projects">
          <h2 id="public-projects">Public projects</h2>
          {q.data?.projects.edges.length ? (
            <ul className="cards">
              {q.data.projects.edges.map((e) => (
                <ProjectCard key={e.node.id} project={e.node} />
              ))}
            </ul>
          ) : (
            <Empty>No public projects yet.</Empty>
          )}
        </section>
      ) : null}
    </Status>
  );
}
