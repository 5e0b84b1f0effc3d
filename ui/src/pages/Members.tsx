import { useState, type FormEvent } from "react";
import { execute, useQuery } from "../api";
import { Field } from "../components/Field";
import { Status } from "../components/Status";
import { graphql } from "../gql";
import type { Role } from "../gql/graphql";
import { Link } from "../router";

const MembersQuery = graphql(`
  query MembersPage($namespace: String!, $slug: String!) {
    projectBySlug(namespace: $namespace, slug: $slug) {
      id namespace slug name
      permissions { changeMembership }
      members { role user { id username displayName } }
    }
  }
`);

const FindUser = graphql(`
  query FindMember($username: String!) {
    userByUsername(username: $username) { id }
  }
`);

const SetMembers = graphql(`
  mutation SetProjectMembers($id: ID!, $members: [ProjectMemberInput!]!) {
    setProjectMembers(id: $id, members: $members) { errors { code message field } }
  }
`);

const RemoveMember = graphql(`
  mutation RemoveProjectMember($id: ID!, $userId: ID!) {
    removeProjectMember(id: $id, userId: $userId) { errors { code message field } }
  }
`);

const ROLES: Role[] = ["OWNER", "EDITOR", "VIEWER"];

/** Add members, change their roles, remove them. */
export function MembersPage(props: { namespace: string; slug: string }) {
  const q = useQuery(MembersQuery, props);
  const [username, setUsername] = useState("");
  const [role, setRole] = useState<Role>("VIEWER");
  const [problem, setProblem] = useState("");
  const p = q.data?.projectBySlug;
  const report = async (errors: readonly { message: string }[] | undefined) => {
    setProblem(errors?.map((e) => e.message).join(" ") ?? "");
    await q.refetch();
  };
  const setRoleOf = async (userId: string, newRole: Role) => {
    if (!p) return;
    const r = await execute(SetMembers, { id: p.id, members: [{ userId, role: newRole }] });
    await report(r.data?.setProjectMembers.errors ?? r.errors);
  };
  const remove = async (userId: string) => {
    if (!p) return;
    const r = await execute(RemoveMember, { id: p.id, userId });
    await report(r.data?.removeProjectMember.errors ?? r.errors);
  };
  const add = async (event: FormEvent) => {
    event.preventDefault();
    const found = await execute(FindUser, { username: username.trim() });
    const id = found.data?.userByUsername?.id;
    if (!id) {
      setProblem(`There is no user ${username}.`);
      return;
    }
    await setRoleOf(id, role);
    setUsername("");
  };
  return (
    <Status loading={q.loading} errors={q.errors}>
      {!p ? (
        <h1>Project not found</h1>
      ) : (
        <>
          <h1>Members of {p.name}</h1>
          <p>
            <Link to={`/p/${p.namespace}/${p.slug}`}>Back to the project</Link>
          </p>
          {problem ? (
            <p role="alert" className="error">
              {problem}
            </p>
          ) : null}
          <table>
            <caption>Members and their roles</caption>
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Role</th>
                <th scope="col">Remove</th>
              </tr>
            </thead>
            <tbody>
              {p.members.flatMap((m) => (m.user ? [{ ...m, user: m.user }] : [])).map((m) => (
                <tr key={m.user.id}>
                  <td>{m.user.displayName} ({m.user.username})</td>
                  <td>
                    <select
                      aria-label={`Role of ${m.user.username}`}
                      value={m.role}
                      disabled={!p.permissions.changeMembership}
                      onChange={(e) => void setRoleOf(m.user.id, e.target.value as Role)}
                    >
                      {ROLES.map((r) => (
                        <option key={r} value={r}>{r.toLowerCase()}</option>
                      ))}
                    </select>
                  </td>
                  <td>
                    <button
                      disabled={!p.permissions.changeMembership}
                      onClick={() => void remove(m.user.id)}
                      aria-label={`Remove ${m.user.username}`}
                    >
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {p.permissions.changeMembership ? (
            <form onSubmit={(e) => void add(e)}>
              <h2>Add a member</h2>
              <Field id="member-username" label="Username">
                <input id="member-username" value={username} onChange={(e) => setUsername(e.target.value)} required />
              </Field>
              <Field id="member-role" label="Role">
                <select id="member-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
                  {ROLES.map((r) => (
                    <option key={r} value={r}>{r.toLowerCase()}</option>
                  ))}
                </select>
              </Field>
              <button type="submit">Add member</button>
            </form>
          ) : null}
        </>
      )}
    </Status>
  );
}
