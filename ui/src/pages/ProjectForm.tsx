import { useEffect, useState, type FormEvent } from "react";
import { execute, fieldErrors, useQuery } from "../api";
import { Field } from "../components/Field";
import { projectPath } from "../components/ProjectCard";
import { Status } from "../components/Status";
import { graphql } from "../gql";
import type { Visibility } from "../gql/graphql";
import { navigate } from "../router";

const EditQuery = graphql(`
  query ProjectFormPage($namespace: String!, $slug: String!, $editing: Boolean!) {
    namespaces(minimumRole: EDITOR, first: 100) { edges { node { slug kind } } }
    projectBySlug(namespace: $namespace, slug: $slug) @include(if: $editing) {
      id name slug namespace visibility description keywords etag
    }
  }
`);

const Create = graphql(`
  mutation CreateProject($input: CreateProjectInput!) {
    createProject(input: $input) {
      project { namespace slug }
      errors { code message field }
    }
  }
`);

const Update = graphql(`
  mutation UpdateProject($id: ID!, $ifMatch: String!, $input: UpdateProjectInput!) {
    updateProject(id: $id, ifMatch: $ifMatch, input: $input) {
      project { namespace slug }
      errors { code message field }
    }
  }
`);

interface Draft {
  name: string;
  namespace: string;
  slug: string;
  visibility: Visibility;
  description: string;
  keywords: string;
}

/** Create a project, or edit one when `namespace` and `slug` name it. */
export function ProjectFormPage(props: { namespace?: string; slug?: string }) {
  const editing = Boolean(props.namespace && props.slug);
  const q = useQuery(EditQuery, {
    namespace: props.namespace ?? "",
    slug: props.slug ?? "",
    editing,
  });
  const [draft, setDraft] = useState<Draft>({
    name: "", namespace: "", slug: "", visibility: "PRIVATE", description: "", keywords: "",
  });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const project = q.data?.projectBySlug;
  useEffect(() => {
    if (project) {
      setDraft({
        name: project.name,
        namespace: project.namespace,
        slug: project.slug,
        visibility: project.visibility,
        description: project.description ?? "",
        keywords: project.keywords.join(", "),
      });
    } else if (q.data && !editing) {
      setDraft((d) => ({ ...d, namespace: d.namespace || q.data?.namespaces.edges[0]?.node.slug || "" }));
    }
  }, [project, q.data, editing]);
  const set = (name: keyof Draft) => (e: { target: { value: string } }) =>
    setDraft({ ...draft, [name]: e.target.value });
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const keywords = draft.keywords.split(",").map((k) => k.trim()).filter(Boolean);
    const common = {
      name: draft.name,
      slug: draft.slug || null,
      visibility: draft.visibility,
      description: draft.description || null,
      keywords,
    };
    const payload = project
      ? (await execute(Update, { id: project.id, ifMatch: project.etag, input: common })).data
          ?.updateProject
      : (await execute(Create, { input: { ...common, namespace: draft.namespace || null } })).data
          ?.createProject;
    if (!payload) {
      setErrors({ "": "The server did not answer; try again." });
    } else if (payload.errors.length) {
      setErrors(fieldErrors(payload.errors));
    } else if (payload.project) {
      navigate(projectPath(payload.project));
    }
  };
  const describedBy = (id: string) => (errors[id] ? `${id}-error` : undefined);
  return (
    <Status loading={q.loading} errors={q.errors}>
      <h1>{editing ? "Edit project" : "Create a project"}</h1>
      {errors[""] ? (
        <p role="alert" className="error">
          {errors[""]}
        </p>
      ) : null}
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Field id="name" label="Name" error={errors.name}>
          <input id="name" value={draft.name} onChange={set("name")} aria-describedby={describedBy("name")} aria-invalid={Boolean(errors.name)} />
        </Field>
        {!editing ? (
          <Field id="namespace" label="Namespace" error={errors.namespace}>
            <select id="namespace" value={draft.namespace} onChange={set("namespace")} aria-describedby={describedBy("namespace")}>
              {(q.data?.namespaces.edges ?? []).map(({ node: n }) => (
                <option key={n.slug} value={n.slug}>
                  {n.slug} ({n.kind.toLowerCase()})
                </option>
              ))}
            </select>
          </Field>
        ) : null}
        <Field id="slug" label="Slug (optional, from the name)" error={errors.slug}>
          <input id="slug" value={draft.slug} onChange={set("slug")} aria-describedby={describedBy("slug")} aria-invalid={Boolean(errors.slug)} />
        </Field>
        <Field id="visibility" label="Visibility" error={errors.visibility}>
          <select id="visibility" value={draft.visibility} onChange={set("visibility")}>
            <option value="PRIVATE">private</option>
            <option value="PUBLIC">public</option>
          </select>
        </Field>
        <Field id="description" label="Description (Markdown)" error={errors.description}>
          <textarea id="description" rows={6} value={draft.description} onChange={set("description")} aria-describedby={describedBy("description")} aria-invalid={Boolean(errors.description)} />
        </Field>
        <Field id="keywords" label="Keywords (comma-separated)" error={errors.keywords}>
          <input id="keywords" value={draft.keywords} onChange={set("keywords")} aria-describedby={describedBy("keywords")} aria-invalid={Boolean(errors.keywords)} />
        </Field>
        <button type="submit">{editing ? "Save" : "Create project"}</button>
      </form>
    </Status>
  );
}
