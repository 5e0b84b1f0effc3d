import { useState } from "react";
import { execute, useQuery } from "../api";
import { LineagePicture } from "../components/Lineage";
import { Markdown } from "../components/Markdown";
import { Keywords } from "../components/ProjectCard";
import { SessionRow, isChanging } from "../components/SessionRow";
import { Empty, Status } from "../components/Status";
import { graphql } from "../gql";
import { useSessionChanges } from "../live";
import { Link } from "../router";

const ProjectQuery = graphql(`
  query ProjectPage($namespace: String!, $slug: String!) {
    projectBySlug(namespace: $namespace, slug: $slug) {
      id
      name
      namespace
      slug
      visibility
      description
      documentation
      keywords
      createdBy { username displayName }
      permissions { write changeMembership }
      members { role user { id username displayName } }
      datasets(first: 50) { edges { node { id name title keywords } } }
      sessions { id state ...SessionRow }
      launchers { id name }
      ...LineagePicture
    }
  }
`);

const Launch = graphql(`
  mutation LaunchSession($input: LaunchSessionInput!) {
    launchSession(input: $input) {
      session { id state }
      errors { code message field }
    }
  }
`);

export function ProjectPage(props: { namespace: string; slug: string }) {
  // Session states come live from `sessionChanged`; polled only when that cannot be followed.
  const [polling, setPolling] = useState(false);
  const q = useQuery(ProjectQuery, props, (d) =>
    polling && d?.projectBySlug?.sessions.some((s) => isChanging(s.state)) ? 1500 : null,
  );
  const [launchProblem, setLaunchProblem] = useState("");
  const p = q.data?.projectBySlug;
  useSessionChanges(
    p?.sessions ?? [],
    () => void q.refetch(),
    () => setPolling(true),
  );
  const launch = async () => {
    if (!p) return;
    setLaunchProblem("");
    const result = await execute(Launch, { input: { projectId: p.id } });
    const errors = [...(result.errors ?? []), ...(result.data?.launchSession.errors ?? [])];
    if (errors.length) setLaunchProblem(errors.map((e) => e.message).join(" "));
    await q.refetch();
  };
  return (
    <Status loading={q.loading} errors={q.errors}>
      {!p ? (
        <>
          <h1>Project not found</h1>
          <Empty>
            There is no project {props.namespace}/{props.slug}, or you may not see it. Signing in
            may help.
          </Empty>
        </>
      ) : (
        <article>
          <h1>{p.name}</h1>
          <p className="hint">
            {p.namespace}/{p.slug} · {p.visibility.toLowerCase()} · created by{" "}
            <Link to={`/u/${p.createdBy.username}`}>{p.createdBy.displayName}</Link>
          </p>
          {p.permissions.write ? (
            <p>
              <Link to={`/p/${p.namespace}/${p.slug}/edit`}>Edit project</Link>
              {p.permissions.changeMembership ? (
                <>
                  {" · "}
                  <Link to={`/p/${p.namespace}/${p.slug}/members`}>Manage members</Link>
                </>
              ) : null}
            </p>
          ) : null}
          <Markdown source={p.description} label="Description" />
          {p.keywords.length ? <Keywords keywords={p.keywords} /> : null}
          <section aria-labelledby="sessions">
            <h2 id="sessions">Sessions</h2>
            <button onClick={() => void launch()}>Launch a session</button>
            {launchProblem ? (
              <p role="alert" className="error">
                {launchProblem}
              </p>
            ) : null}
            {p.sessions.length === 0 ? (
              <Empty>No sessions of yours on this project.</Empty>
            ) : (
              <ul className="sessions">
                {p.sessions.map((s) => (
                  <SessionRow key={s.id} session={s} onChange={() => void q.refetch()} />
                ))}
              </ul>
            )}
          </section>
          <section aria-labelledby="lineage">
            <h2 id="lineage">Lineage</h2>
            <LineagePicture project={p} />
          </section>
          <section aria-labelledby="datasets">
            <h2 id="datasets">Datasets</h2>
            {p.datasets.edges.length === 0 ? (
              <Empty>No datasets.</Empty>
            ) : (
              <ul>
                {p.datasets.edges.map(({ node }) => (
                  <li key={node.id}>
                    <Link to={`/datasets/${node.id}`}>{node.title || node.name}</Link>
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section aria-labelledby="members">
            <h2 id="members">Members</h2>
            <ul>
              {p.members.flatMap((m) => (m.user ? [{ ...m, user: m.user }] : [])).map((m) => (
                <li key={m.user.id}>
                  <Link to={`/u/${m.user.username}`}>{m.user.displayName}</Link> —{" "}
                  {m.role.toLowerCase()}
                </li>
              ))}
            </ul>
          </section>
          {p.documentation ? (
            <section aria-labelledby="documentation">
              <h2 id="documentation">Documentation</h2>
              <Markdown source={p.documentation} label="Documentation" />
            </section>
          ) : null}
        </article>
      )}
    </Status>
  );
}
