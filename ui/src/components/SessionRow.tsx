import { useState } from "react";
import { execute } from "../api";
import { graphql, useFragment, type FragmentType } from "../gql";

export const SessionRowFragment = graphql(`
  fragment SessionRow on Session {
    id
    name
    state
    message
    url
    startedAt
  }
`);

const Hibernate = graphql(`
  mutation HibernateSession($id: ID!) {
    hibernateSession(id: $id) { session { id state } errors { code message field } }
  }
`);
const Resume = graphql(`
  mutation ResumeSession($id: ID!) {
    resumeSession(id: $id) { session { id state } errors { code message field } }
  }
`);
const Delete = graphql(`
  mutation DeleteSession($id: ID!) {
    deleteSession(id: $id) { id errors { code message field } }
  }
`);

/** True while a session's state is changing, so its page polls for the next one. */
export function isChanging(state: string): boolean {
  return state === "STARTING" || state === "STOPPING";
}

/** One session with its live state and the actions its state allows. */
export function SessionRow(props: {
  session: FragmentType<typeof SessionRowFragment>;
  onChange: () => void;
}) {
  const s = useFragment(SessionRowFragment, props.session);
  const [problem, setProblem] = useState("");
  const act = async (
    run: () => Promise<{ errors?: readonly { message: string }[] | null } | undefined>,
  ) => {
    setProblem("");
    const payload = await run();
    if (payload?.errors?.length) setProblem(payload.errors.map((e) => e.message).join(" "));
    props.onChange();
  };
  const hibernate = () =>
    act(async () => (await execute(Hibernate, { id: s.id })).data?.hibernateSession);
  const resume = () => act(async () => (await execute(Resume, { id: s.id })).data?.resumeSession);
  const remove = () => act(async () => (await execute(Delete, { id: s.id })).data?.deleteSession);
  return (
    <li className="session" data-testid="session">
      <span className={`state ${s.state.toLowerCase()}`} aria-live="polite">
        {s.state.toLowerCase()}
      </span>{" "}
      <span>{s.name}</span>
      {s.message ? <span className="hint"> — {s.message}</span> : null}
      <span className="actions">
        {s.state === "RUNNING" && s.url ? (
          <a href={s.url} target="_blank" rel="noopener">
            Open
          </a>
        ) : null}
        {s.state === "RUNNING" ? <button onClick={hibernate}>Hibernate</button> : null}
        {s.state === "HIBERNATED" ? <button onClick={resume}>Resume</button> : null}
        <button onClick={remove}>Delete</button>
      </span>
      {problem ? (
        <p role="alert" className="error">
          {problem}
        </p>
      ) : null}
    </li>
  );
}
