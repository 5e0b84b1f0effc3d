/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** A new project; the caller becomes its owner. */
export type CreateProjectInput = {
  /** At most 500 chars. */
  description?: string | null | undefined;
  /** Markdown, at most 5000 chars. */
  documentation?: string | null | undefined;
  isTemplate?: boolean;
  keywords?: Array<string> | null | undefined;
  /** 1 to 99 characters. */
  name: string;
  /** The caller's own namespace (the default, `User.namespace`) or the slug of a group where the caller is EDITOR or OWNER. */
  namespace?: string | null | undefined;
  /** Defaults to one derived from the name. */
  slug?: string | null | undefined;
  visibility?: Visibility | null | undefined;
};

/** What a search result is. */
export type EntityType =
  | 'DATASET'
  | 'GROUP'
  | 'PERSON'
  | 'PROJECT'
  | 'WORKFLOW';

/** An environment variable to set in a session. */
export type EnvironmentVariableInput = {
  name: string;
  value?: string;
};

/** What kind of problem an error reports. */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'CONFLICT'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'UNAUTHENTICATED'
  | 'UNAVAILABLE';

/** Which launcher to start, with which class, storage and variables. */
export type LaunchSessionInput = {
  diskStorage?: number | null | undefined;
  envOverrides?: Array<EnvironmentVariableInput> | null | undefined;
  launcherId?: string | null | undefined;
  projectId?: string | null | undefined;
  resourceClassId?: string | null | undefined;
};

/** What owns a namespace. */
export type NamespaceKind =
  | 'GROUP'
  | 'USER';

/** A member to add, or whose role to change. */
export type ProjectMemberInput = {
  role: Role;
  userId: string;
};

/** A member's role in a project or group. */
export type Role =
  | 'EDITOR'
  | 'OWNER'
  | 'VIEWER';

/** Where a session is in its life. */
export type SessionState =
  | 'FAILED'
  | 'HIBERNATED'
  | 'RUNNING'
  | 'STARTING'
  | 'STOPPING'
  | 'SUCCEEDED';

/** Changes to a project; omitted fields stay as they are. */
export type UpdateProjectInput = {
  /** Empty clears it. */
  description?: string | null | undefined;
  /** Empty clears it. */
  documentation?: string | null | undefined;
  isTemplate?: boolean | null | undefined;
  /** Replaces them. */
  keywords?: Array<string> | null | undefined;
  name?: string | null | undefined;
  /** Moves the repository too. */
  slug?: string | null | undefined;
  /** True forgets which project this one was copied from. */
  unlinkTemplate?: boolean;
  visibility?: Visibility | null | undefined;
};

/** Who may see a project. */
export type Visibility =
  | 'PRIVATE'
  | 'PUBLIC';

export type LineagePictureFragment = { activities: Array<{ id: string, command: string, used: Array<string>, generated: Array<string> }> } & { ' $fragmentName'?: 'LineagePictureFragment' };

export type ProjectCardFragment = { id: string, name: string, slug: string, namespace: string, visibility: Visibility, description: string | null, keywords: Array<string> } & { ' $fragmentName'?: 'ProjectCardFragment' };

export type SessionRowFragment = { id: string, name: string, state: SessionState, message: string | null, url: string | null, startedAt: string } & { ' $fragmentName'?: 'SessionRowFragment' };

export type HibernateSessionMutationVariables = Exact<{
  id: string;
}>;


export type HibernateSessionMutation = { hibernateSession: { session: { id: string, state: SessionState } | null, errors: Array<{ code: ErrorCode, message: string, field: string | null }> } };

export type ResumeSessionMutationVariables = Exact<{
  id: string;
}>;


export type ResumeSessionMutation = { resumeSession: { session: { id: string, state: SessionState } | null, errors: Array<{ code: ErrorCode, message: string, field: string | null }> } };

export type DeleteSessionMutationVariables = Exact<{
  id: string;
}>;


export type DeleteSessionMutation = { deleteSession: { id: string | null, errors: Array<{ code: ErrorCode, message: string, field: string | null }> } };

export type SessionChangedSubscriptionVariables = Exact<{
  id: string;
}>;


export type SessionChangedSubscription = { sessionChanged: { id: string, state: SessionState } | null };

export type DashboardPageQueryVariables = Exact<{ [key: string]: never; }>;


export type DashboardPageQuery = { me: { username: string, displayName: string, namespaceNotice: string | null, projects: { totalCount: number, edges: Array<{ node: (
          { id: string }
          & { ' $fragmentRefs'?: { 'ProjectCardFragment': ProjectCardFragment } }
        ) }> }, sessions: Array<(
      { id: string, state: SessionState }
      & { ' $fragmentRefs'?: { 'SessionRowFragment': SessionRowFragment } }
    )>, activity: Array<{ id: string, command: string, startedAt: string | null, project: { namespace: string, slug: string } }> } | null, projects: { edges: Array<{ node: (
        { id: string }
        & { ' $fragmentRefs'?: { 'ProjectCardFragment': ProjectCardFragment } }
      ) }> } };

export type DatasetPageQueryVariables = Exact<{
  id: string;
}>;


export type DatasetPageQuery = { dataset: { id: string, name: string, title: string | null, description: string | null, keywords: Array<string>, dateCreated: string | null, sameAs: string | null, creators: Array<{ name: string, affiliation: string | null, user: { username: string } | null }>, files: Array<{ location: string }>, project: { name: string, namespace: string, slug: string }, usedIn: Array<{ id: string, namespace: string, slug: string }> } | null };

export type GroupPageQueryVariables = Exact<{
  slug: string;
}>;


export type GroupPageQuery = { group: { id: string, slug: string, name: string, description: string | null, members: Array<{ role: Role, user: { id: string, username: string, displayName: string } | null }>, projects: { edges: Array<{ node: (
          { id: string }
          & { ' $fragmentRefs'?: { 'ProjectCardFragment': ProjectCardFragment } }
        ) }> } } | null };

export type MembersPageQueryVariables = Exact<{
  namespace: string;
  slug: string;
}>;


export type MembersPageQuery = { projectBySlug: { id: string, namespace: string, slug: string, name: string, permissions: { changeMembership: boolean }, members: Array<{ role: Role, user: { id: string, username: string, displayName: string } | null }> } | null };

export type FindMemberQueryVariables = Exact<{
  username: string;
}>;


export type FindMemberQuery = { userByUsername: { id: string } | null };

export type SetProjectMembersMutationVariables = Exact<{
  id: string;
  members: Array<ProjectMemberInput> | ProjectMemberInput;
}>;


export type SetProjectMembersMutation = { setProjectMembers: { errors: Array<{ code: ErrorCode, message: string, field: string | null }> } };

export type RemoveProjectMemberMutationVariables = Exact<{
  id: string;
  userId: string;
}>;


export type RemoveProjectMemberMutation = { removeProjectMember: { errors: Array<{ code: ErrorCode, message: string, field: string | null }> } };

export type ProjectPageQueryVariables = Exact<{
  namespace: string;
  slug: string;
}>;


export type ProjectPageQuery = { projectBySlug: (
    { id: string, name: string, namespace: string, slug: string, visibility: Visibility, description: string | null, documentation: string | null, keywords: Array<string>, createdBy: { username: string, displayName: string }, permissions: { write: boolean, changeMembership: boolean }, members: Array<{ role: Role, user: { id: string, username: string, displayName: string } | null }>, datasets: { edges: Array<{ node: { id: string, name: string, title: string | null, keywords: Array<string> } }> }, sessions: Array<(
      { id: string, state: SessionState }
      & { ' $fragmentRefs'?: { 'SessionRowFragment': SessionRowFragment } }
    )>, launchers: Array<{ id: string, name: string }> }
    & { ' $fragmentRefs'?: { 'LineagePictureFragment': LineagePictureFragment } }
  ) | null };

export type LaunchSessionMutationVariables = Exact<{
  input: LaunchSessionInput;
}>;


export type LaunchSessionMutation = { launchSession: { session: { id: string, state: SessionState } | null, errors: Array<{ code: ErrorCode, message: string, field: string | null }> } };

export type ProjectFormPageQueryVariables = Exact<{
  namespace: string;
  slug: string;
  editing: boolean;
}>;


export type ProjectFormPageQuery = { namespaces: { edges: Array<{ node: { slug: string, kind: NamespaceKind } }> }, projectBySlug?: { id: string, name: string, slug: string, namespace: string, visibility: Visibility, description: string | null, keywords: Array<string>, etag: string } | null };

export type CreateProjectMutationVariables = Exact<{
  input: CreateProjectInput;
}>;


export type CreateProjectMutation = { createProject: { project: { namespace: string, slug: string } | null, errors: Array<{ code: ErrorCode, message: string, field: string | null }> } };

export type UpdateProjectMutationVariables = Exact<{
  id: string;
  ifMatch: string;
  input: UpdateProjectInput;
}>;


export type UpdateProjectMutation = { updateProject: { project: { namespace: string, slug: string } | null, errors: Array<{ code: ErrorCode, message: string, field: string | null }> } };

export type SearchPageQueryVariables = Exact<{
  query?: string | null | undefined;
  types?: Array<EntityType> | EntityType | null | undefined;
  keywords?: Array<string> | string | null | undefined;
  creators?: Array<string> | string | null | undefined;
  since?: string | null | undefined;
  until?: string | null | undefined;
}>;


export type SearchPageQuery = { search: { totalCount: number, byType: Array<{ type: EntityType, count: number }>, byKeyword: Array<{ keyword: string, count: number }>, edges: Array<{ node:
        | { __typename: 'Dataset', id: string, name: string, title: string | null, description: string | null, keywords: Array<string>, project: { namespace: string, slug: string } }
        | { __typename: 'Person', name: string, user: { username: string } | null }
        | { __typename: 'Project', id: string, name: string, namespace: string, slug: string, description: string | null, keywords: Array<string> }
        | { __typename: 'SearchNamespace', slug: string }
        | { __typename: 'Workflow', id: string, name: string, command: string, project: { namespace: string, slug: string } }
       }> } };

export type UserPageQueryVariables = Exact<{
  username: string;
}>;


export type UserPageQuery = { userByUsername: { id: string, username: string, displayName: string, email: string | null, projects: { totalCount: number, edges: Array<{ node: (
          { id: string }
          & { ' $fragmentRefs'?: { 'ProjectCardFragment': ProjectCardFragment } }
        ) }> } } | null };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const LineagePictureFragmentDoc = new TypedDocumentString(`
    fragment LineagePicture on Project {
  activities {
    id
    command
    used
    generated
  }
}
    `, {"fragmentName":"LineagePicture"}) as unknown as TypedDocumentString<LineagePictureFragment, unknown>;
export const ProjectCardFragmentDoc = new TypedDocumentString(`
    fragment ProjectCard on Project {
  id
  name
  slug
  namespace
  visibility
  description
  keywords
}
    `, {"fragmentName":"ProjectCard"}) as unknown as TypedDocumentString<ProjectCardFragment, unknown>;
export const SessionRowFragmentDoc = new TypedDocumentString(`
    fragment SessionRow on Session {
  id
  name
  state
  message
  url
  startedAt
}
    `, {"fragmentName":"SessionRow"}) as unknown as TypedDocumentString<SessionRowFragment, unknown>;
export const HibernateSessionDocument = new TypedDocumentString(`
    mutation HibernateSession($id: ID!) {
  hibernateSession(id: $id) {
    session {
      id
      state
    }
    errors {
      code
      message
      field
    }
  }
}
    `) as unknown as TypedDocumentString<HibernateSessionMutation, HibernateSessionMutationVariables>;
export const ResumeSessionDocument = new TypedDocumentString(`
    mutation ResumeSession($id: ID!) {
  resumeSession(id: $id) {
    session {
      id
      state
    }
    errors {
      code
      message
      field
    }
  }
}
    `) as unknown as TypedDocumentString<ResumeSessionMutation, ResumeSessionMutationVariables>;
export const DeleteSessionDocument = new TypedDocumentString(`
    mutation DeleteSession($id: ID!) {
  deleteSession(id: $id) {
    id
    errors {
      code
      message
      field
    }
  }
}
    `) as unknown as TypedDocumentString<DeleteSessionMutation, DeleteSessionMutationVariables>;
export const SessionChangedDocument = new TypedDocumentString(`
    subscription SessionChanged($id: ID!) {
  sessionChanged(id: $id) {
    id
    state
  }
}
    `) as unknown as TypedDocumentString<SessionChangedSubscription, SessionChangedSubscriptionVariables>;
export const DashboardPageDocument = new TypedDocumentString(`
    query DashboardPage {
  me {
    username
    displayName
    namespaceNotice
    projects(first: 20, sort: UPDATED_AT_DESC) {
      totalCount
      edges {
        node {
          id
          ...ProjectCard
        }
      }
    }
    sessions {
      id
      state
      ...SessionRow
    }
    activity {
      id
      command
      startedAt
      project {
        namespace
        slug
      }
    }
  }
  projects(first: 10, visibility: PUBLIC, sort: UPDATED_AT_DESC) {
    edges {
      node {
        id
        ...ProjectCard
      }
    }
  }
}
    fragment ProjectCard on Project {
  id
  name
  slug
  namespace
  visibility
  description
  keywords
}
fragment SessionRow on Session {
  id
  name
  state
  message
  url
  startedAt
}`) as unknown as TypedDocumentString<DashboardPageQuery, DashboardPageQueryVariables>;
export const DatasetPageDocument = new TypedDocumentString(`
    query DatasetPage($id: ID!) {
  dataset(id: $id) {
    id
    name
    title
    description
    keywords
    dateCreated
    sameAs
    creators {
      name
      affiliation
      user {
        username
      }
    }
    files {
      location
    }
    project {
      name
      namespace
      slug
    }
    usedIn {
      id
      namespace
      slug
    }
  }
}
    `) as unknown as TypedDocumentString<DatasetPageQuery, DatasetPageQueryVariables>;
export const GroupPageDocument = new TypedDocumentString(`
    query GroupPage($slug: String!) {
  group(slug: $slug) {
    id
    slug
    name
    description
    members {
      role
      user {
        id
        username
        displayName
      }
    }
    projects(first: 30) {
      edges {
        node {
          id
          ...ProjectCard
        }
      }
    }
  }
}
    fragment ProjectCard on Project {
  id
  name
  slug
  namespace
  visibility
  description
  keywords
}`) as unknown as TypedDocumentString<GroupPageQuery, GroupPageQueryVariables>;
export const MembersPageDocument = new TypedDocumentString(`
    query MembersPage($namespace: String!, $slug: String!) {
  projectBySlug(namespace: $namespace, slug: $slug) {
    id
    namespace
    slug
    name
    permissions {
      changeMembership
    }
    members {
      role
      user {
        id
        username
        displayName
      }
    }
  }
}
    `) as unknown as TypedDocumentString<MembersPageQuery, MembersPageQueryVariables>;
export const FindMemberDocument = new TypedDocumentString(`
    query FindMember($username: String!) {
  userByUsername(username: $username) {
    id
  }
}
    `) as unknown as TypedDocumentString<FindMemberQuery, FindMemberQueryVariables>;
export const SetProjectMembersDocument = new TypedDocumentString(`
    mutation SetProjectMembers($id: ID!, $members: [ProjectMemberInput!]!) {
  setProjectMembers(id: $id, members: $members) {
    errors {
      code
      message
      field
    }
  }
}
    `) as unknown as TypedDocumentString<SetProjectMembersMutation, SetProjectMembersMutationVariables>;
export const RemoveProjectMemberDocument = new TypedDocumentString(`
    mutation RemoveProjectMember($id: ID!, $userId: ID!) {
  removeProjectMember(id: $id, userId: $userId) {
    errors {
      code
      message
      field
    }
  }
}
    `) as unknown as TypedDocumentString<RemoveProjectMemberMutation, RemoveProjectMemberMutationVariables>;
export const ProjectPageDocument = new TypedDocumentString(`
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
    createdBy {
      username
      displayName
    }
    permissions {
      write
      changeMembership
    }
    members {
      role
      user {
        id
        username
        displayName
      }
    }
    datasets(first: 50) {
      edges {
        node {
          id
          name
          title
          keywords
        }
      }
    }
    sessions {
      id
      state
      ...SessionRow
    }
    launchers {
      id
      name
    }
    ...LineagePicture
  }
}
    fragment LineagePicture on Project {
  activities {
    id
    command
    used
    generated
  }
}
fragment SessionRow on Session {
  id
  name
  state
  message
  url
  startedAt
}`) as unknown as TypedDocumentString<ProjectPageQuery, ProjectPageQueryVariables>;
export const LaunchSessionDocument = new TypedDocumentString(`
    mutation LaunchSession($input: LaunchSessionInput!) {
  launchSession(input: $input) {
    session {
      id
      state
    }
    errors {
      code
      message
      field
    }
  }
}
    `) as unknown as TypedDocumentString<LaunchSessionMutation, LaunchSessionMutationVariables>;
export const ProjectFormPageDocument = new TypedDocumentString(`
    query ProjectFormPage($namespace: String!, $slug: String!, $editing: Boolean!) {
  namespaces(minimumRole: EDITOR, first: 100) {
    edges {
      node {
        slug
        kind
      }
    }
  }
  projectBySlug(namespace: $namespace, slug: $slug) @include(if: $editing) {
    id
    name
    slug
    namespace
    visibility
    description
    keywords
    etag
  }
}
    `) as unknown as TypedDocumentString<ProjectFormPageQuery, ProjectFormPageQueryVariables>;
export const CreateProjectDocument = new TypedDocumentString(`
    mutation CreateProject($input: CreateProjectInput!) {
  createProject(input: $input) {
    project {
      namespace
      slug
    }
    errors {
      code
      message
      field
    }
  }
}
    `) as unknown as TypedDocumentString<CreateProjectMutation, CreateProjectMutationVariables>;
export const UpdateProjectDocument = new TypedDocumentString(`
    mutation UpdateProject($id: ID!, $ifMatch: String!, $input: UpdateProjectInput!) {
  updateProject(id: $id, ifMatch: $ifMatch, input: $input) {
    project {
      namespace
      slug
    }
    errors {
      code
      message
      field
    }
  }
}
    `) as unknown as TypedDocumentString<UpdateProjectMutation, UpdateProjectMutationVariables>;
export const SearchPageDocument = new TypedDocumentString(`
    query SearchPage($query: String, $types: [EntityType!], $keywords: [String!], $creators: [String!], $since: DateTime, $until: DateTime) {
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
    byType {
      type
      count
    }
    byKeyword {
      keyword
      count
    }
    edges {
      node {
        __typename
        ... on Project {
          id
          name
          namespace
          slug
          description
          keywords
        }
        ... on Dataset {
          id
          name
          title
          description
          keywords
          project {
            namespace
            slug
          }
        }
        ... on Workflow {
          id
          name
          command
          project {
            namespace
            slug
          }
        }
        ... on Person {
          name
          user {
            username
          }
        }
        ... on SearchNamespace {
          slug
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<SearchPageQuery, SearchPageQueryVariables>;
export const UserPageDocument = new TypedDocumentString(`
    query UserPage($username: String!) {
  userByUsername(username: $username) {
    id
    username
    displayName
    email
    projects(first: 30) {
      totalCount
      edges {
        node {
          id
          ...ProjectCard
        }
      }
    }
  }
}
    fragment ProjectCard on Project {
  id
  name
  slug
  namespace
  visibility
  description
  keywords
}`) as unknown as TypedDocumentString<UserPageQuery, UserPageQueryVariables>;