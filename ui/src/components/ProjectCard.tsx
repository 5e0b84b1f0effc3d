import { graphql, useFragment, type FragmentType } from "../gql";
import { Link } from "../router";

export const ProjectCardFragment = graphql(`
  fragment ProjectCard on Project {
    id
    name
    slug
    namespace
    visibility
    description
    keywords
  }
`);

export function projectPath(p: { namespace: string; slug: string }): string {
  return `/p/${encodeURIComponent(p.namespace)}/${encodeURIComponent(p.slug)}`;
}

export function ProjectCard(props: { project: FragmentType<typeof ProjectCardFragment> }) {
  const p = useFragment(ProjectCardFragment, props.project);
  return (
    <li className="card">
      <Link to={projectPath(p)}>
        {p.namespace}/{p.slug}
      </Link>{" "}
      <span className={`badge ${p.visibility.toLowerCase()}`}>{p.visibility.toLowerCase()}</span>
      {p.description ? <p>{p.description.split("\n")[0]}</p> : null}
      {p.keywords.length > 0 ? <Keywords keywords={p.keywords} /> : null}
    </li>
  );
}

export function Keywords(props: { keywords: readonly string[] }) {
  return (
    <ul className="keywords" aria-label="Keywords">
      {props.keywords.map((k) => (
        <li key={k}>{k}</li>
      ))}
    </ul>
  );
}
