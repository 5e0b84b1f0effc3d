/* eslint-disable */
import * as types from './graphql';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  fragment LineagePicture on Project {\n    activities {\n      id\n      command\n      used\n      generated\n    }\n  }\n": typeof types.LineagePictureFragmentDoc,
    "\n  fragment ProjectCard on Project {\n    id\n    name\n    slug\n    namespace\n    visibility\n    description\n    keywords\n  }\n": typeof types.ProjectCardFragmentDoc,
    "\n  fragment SessionRow on Session {\n    id\n    name\n    state\n    message\n    url\n    startedAt\n  }\n": typeof types.SessionRowFragmentDoc,
    "\n  mutation HibernateSession($id: ID!) {\n    hibernateSession(id: $id) { session { id state } errors { code message field } }\n  }\n": typeof types.HibernateSessionDocument,
    "\n  mutation ResumeSession($id: ID!) {\n    resumeSession(id: $id) { session { id state } errors { code message field } }\n  }\n": typeof types.ResumeSessionDocument,
    "\n  mutation DeleteSession($id: ID!) {\n    deleteSession(id: $id) { id errors { code message field } }\n  }\n": typeof types.DeleteSessionDocument,
    "\n  subscription SessionChanged($id: ID!) {\n    sessionChanged(id: $id) { id state }\n  }\n": typeof types.SessionChangedDocument,
    "\n  query DashboardPage {\n    me {\n      username\n      displayName\n      namespaceNotice\n      projects(first: 20, sort: UPDATED_AT_DESC) {\n        totalCount\n        edges { node { id ...ProjectCard } }\n      }\n      sessions { id state ...SessionRow }\n      activity { id command startedAt project { namespace slug } }\n    }\n    projects(first: 10, visibility: PUBLIC, sort: UPDATED_AT_DESC) {\n      edges { node { id ...ProjectCard } }\n    }\n  }\n": typeof types.DashboardPageDocument,
    "\n  query DatasetPage($id: ID!) {\n    dataset(id: $id) {\n      id name title description keywords dateCreated sameAs\n      creators { name affiliation user { username } }\n      files { location }\n      project { name namespace slug }\n      usedIn { id namespace slug }\n    }\n  }\n": typeof types.DatasetPageDocument,
    "\n  query GroupPage($slug: String!) {\n    group(slug: $slug) {\n      id slug name description\n      members { role user { id username displayName } }\n      projects(first: 30) { edges { node { id ...ProjectCard } } }\n    }\n  }\n": typeof types.GroupPageDocument,
    "\n  query MembersPage($namespace: String!, $slug: String!) {\n    projectBySlug(namespace: $namespace, slug: $slug) {\n      id namespace slug name\n      permissions { changeMembership }\n      members { role user { id username displayName } }\n    }\n  }\n": typeof types.MembersPageDocument,
    "\n  query FindMember($username: String!) {\n    userByUsername(username: $username) { id }\n  }\n": typeof types.FindMemberDocument,
    "\n  mutation SetProjectMembers($id: ID!, $members: [ProjectMemberInput!]!) {\n    setProjectMembers(id: $id, members: $members) { errors { code message field } }\n  }\n": typeof types.SetProjectMembersDocument,
    "\n  mutation RemoveProjectMember($id: ID!, $userId: ID!) {\n    removeProjectMember(id: $id, userId: $userId) { errors { code message field } }\n  }\n": typeof types.RemoveProjectMemberDocument,
    "\n  query ProjectPage($namespace: String!, $slug: String!) {\n    projectBySlug(namespace: $namespace, slug: $slug) {\n      id\n      name\n      namespace\n      slug\n      visibility\n      description\n      documentation\n      keywords\n      createdBy { username displayName }\n      permissions { write changeMembership }\n      members { role user { id username displayName } }\n      datasets(first: 50) { edges { node { id name title keywords } } }\n      sessions { id state ...SessionRow }\n      launchers { id name }\n      ...LineagePicture\n    }\n  }\n": typeof types.ProjectPageDocument,
    "\n  mutation LaunchSession($input: LaunchSessionInput!) {\n    launchSession(input: $input) {\n      session { id state }\n      errors { code message field }\n    }\n  }\n": typeof types.LaunchSessionDocument,
    "\n  query ProjectFormPage($namespace: String!, $slug: String!, $editing: Boolean!) {\n    namespaces(minimumRole: EDITOR, first: 100) { edges { node { slug kind } } }\n    projectBySlug(namespace: $namespace, slug: $slug) @include(if: $editing) {\n      id name slug namespace visibility description keywords etag\n    }\n  }\n": typeof types.ProjectFormPageDocument,
    "\n  mutation CreateProject($input: CreateProjectInput!) {\n    createProject(input: $input) {\n      project { namespace slug }\n      errors { code message field }\n    }\n  }\n": typeof types.CreateProjectDocument,
    "\n  mutation UpdateProject($id: ID!, $ifMatch: String!, $input: UpdateProjectInput!) {\n    updateProject(id: $id, ifMatch: $ifMatch, input: $input) {\n      project { namespace slug }\n      errors { code message field }\n    }\n  }\n": typeof types.UpdateProjectDocument,
    "\n  query SearchPage(\n    $query: String\n    $types: [EntityType!]\n    $keywords: [String!]\n    $creators: [String!]\n    $since: DateTime\n    $until: DateTime\n  ) {\n    search(\n      query: $query\n      types: $types\n      keywords: $keywords\n      creators: $creators\n      since: $since\n      until: $until\n      first: 30\n    ) {\n      totalCount\n      byType { type count }\n      byKeyword { keyword count }\n      edges {\n        node {\n          __typename\n          ... on Project { id name namespace slug description keywords }\n          ... on Dataset { id name title description keywords project { namespace slug } }\n          ... on Workflow { id name command project { namespace slug } }\n          ... on Person { name user { username } }\n          ... on SearchNamespace { slug }\n        }\n      }\n    }\n  }\n": typeof types.SearchPageDocument,
    "\n  query UserPage($username: String!) {\n    userByUsername(username: $username) {\n      id username displayName email\n      projects(first: 30) { totalCount edges { node { id ...ProjectCard } } }\n    }\n  }\n": typeof types.UserPageDocument,
};
const documents: Documents = {
    "\n  fragment LineagePicture on Project {\n    activities {\n      id\n      command\n      used\n      generated\n    }\n  }\n": types.LineagePictureFragmentDoc,
    "\n  fragment ProjectCard on Project {\n    id\n    name\n    slug\n    namespace\n    visibility\n    description\n    keywords\n  }\n": types.ProjectCardFragmentDoc,
    "\n  fragment SessionRow on Session {\n    id\n    name\n    state\n    message\n    url\n    startedAt\n  }\n": types.SessionRowFragmentDoc,
    "\n  mutation HibernateSession($id: ID!) {\n    hibernateSession(id: $id) { session { id state } errors { code message field } }\n  }\n": types.HibernateSessionDocument,
    "\n  mutation ResumeSession($id: ID!) {\n    resumeSession(id: $id) { session { id state } errors { code message field } }\n  }\n": types.ResumeSessionDocument,
    "\n  mutation DeleteSession($id: ID!) {\n    deleteSession(id: $id) { id errors { code message field } }\n  }\n": types.DeleteSessionDocument,
    "\n  subscription SessionChanged($id: ID!) {\n    sessionChanged(id: $id) { id state }\n  }\n": types.SessionChangedDocument,
    "\n  query DashboardPage {\n    me {\n      username\n      displayName\n      namespaceNotice\n      projects(first: 20, sort: UPDATED_AT_DESC) {\n        totalCount\n        edges { node { id ...ProjectCard } }\n      }\n      sessions { id state ...SessionRow }\n      activity { id command startedAt project { namespace slug } }\n    }\n    projects(first: 10, visibility: PUBLIC, sort: UPDATED_AT_DESC) {\n      edges { node { id ...ProjectCard } }\n    }\n  }\n": types.DashboardPageDocument,
    "\n  query DatasetPage($id: ID!) {\n    dataset(id: $id) {\n      id name title description keywords dateCreated sameAs\n      creators { name affiliation user { username } }\n      files { location }\n      project { name namespace slug }\n      usedIn { id namespace slug }\n    }\n  }\n": types.DatasetPageDocument,
    "\n  query GroupPage($slug: String!) {\n    group(slug: $slug) {\n      id slug name description\n      members { role user { id username displayName } }\n      projects(first: 30) { edges { node { id ...ProjectCard } } }\n    }\n  }\n": types.GroupPageDocument,
    "\n  query MembersPage($namespace: String!, $slug: String!) {\n    projectBySlug(namespace: $namespace, slug: $slug) {\n      id namespace slug name\n      permissions { changeMembership }\n      members { role user { id username displayName } }\n    }\n  }\n": types.MembersPageDocument,
    "\n  query FindMember($username: String!) {\n    userByUsername(username: $username) { id }\n  }\n": types.FindMemberDocument,
    "\n  mutation SetProjectMembers($id: ID!, $members: [ProjectMemberInput!]!) {\n    setProjectMembers(id: $id, members: $members) { errors { code message field } }\n  }\n": types.SetProjectMembersDocument,
    "\n  mutation RemoveProjectMember($id: ID!, $userId: ID!) {\n    removeProjectMember(id: $id, userId: $userId) { errors { code message field } }\n  }\n": types.RemoveProjectMemberDocument,
    "\n  query ProjectPage($namespace: String!, $slug: String!) {\n    projectBySlug(namespace: $namespace, slug: $slug) {\n      id\n      name\n      namespace\n      slug\n      visibility\n      description\n      documentation\n      keywords\n      createdBy { username displayName }\n      permissions { write changeMembership }\n      members { role user { id username displayName } }\n      datasets(first: 50) { edges { node { id name title keywords } } }\n      sessions { id state ...SessionRow }\n      launchers { id name }\n      ...LineagePicture\n    }\n  }\n": types.ProjectPageDocument,
    "\n  mutation LaunchSession($input: LaunchSessionInput!) {\n    launchSession(input: $input) {\n      session { id state }\n      errors { code message field }\n    }\n  }\n": types.LaunchSessionDocument,
    "\n  query ProjectFormPage($namespace: String!, $slug: String!, $editing: Boolean!) {\n    namespaces(minimumRole: EDITOR, first: 100) { edges { node { slug kind } } }\n    projectBySlug(namespace: $namespace, slug: $slug) @include(if: $editing) {\n      id name slug namespace visibility description keywords etag\n    }\n  }\n": types.ProjectFormPageDocument,
    "\n  mutation CreateProject($input: CreateProjectInput!) {\n    createProject(input: $input) {\n      project { namespace slug }\n      errors { code message field }\n    }\n  }\n": types.CreateProjectDocument,
    "\n  mutation UpdateProject($id: ID!, $ifMatch: String!, $input: UpdateProjectInput!) {\n    updateProject(id: $id, ifMatch: $ifMatch, input: $input) {\n      project { namespace slug }\n      errors { code message field }\n    }\n  }\n": types.UpdateProjectDocument,
    "\n  query SearchPage(\n    $query: String\n    $types: [EntityType!]\n    $keywords: [String!]\n    $creators: [String!]\n    $since: DateTime\n    $until: DateTime\n  ) {\n    search(\n      query: $query\n      types: $types\n      keywords: $keywords\n      creators: $creators\n      since: $since\n      until: $until\n      first: 30\n    ) {\n      totalCount\n      byType { type count }\n      byKeyword { keyword count }\n      edges {\n        node {\n          __typename\n          ... on Project { id name namespace slug description keywords }\n          ... on Dataset { id name title description keywords project { namespace slug } }\n          ... on Workflow { id name command project { namespace slug } }\n          ... on Person { name user { username } }\n          ... on SearchNamespace { slug }\n        }\n      }\n    }\n  }\n": types.SearchPageDocument,
    "\n  query UserPage($username: String!) {\n    userByUsername(username: $username) {\n      id username displayName email\n      projects(first: 30) { totalCount edges { node { id ...ProjectCard } } }\n    }\n  }\n": types.UserPageDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment LineagePicture on Project {\n    activities {\n      id\n      command\n      used\n      generated\n    }\n  }\n"): typeof import('./graphql').LineagePictureFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ProjectCard on Project {\n    id\n    name\n    slug\n    namespace\n    visibility\n    description\n    keywords\n  }\n"): typeof import('./graphql').ProjectCardFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment SessionRow on Session {\n    id\n    name\n    state\n    message\n    url\n    startedAt\n  }\n"): typeof import('./graphql').SessionRowFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation HibernateSession($id: ID!) {\n    hibernateSession(id: $id) { session { id state } errors { code message field } }\n  }\n"): typeof import('./graphql').HibernateSessionDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResumeSession($id: ID!) {\n    resumeSession(id: $id) { session { id state } errors { code message field } }\n  }\n"): typeof import('./graphql').ResumeSessionDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteSession($id: ID!) {\n    deleteSession(id: $id) { id errors { code message field } }\n  }\n"): typeof import('./graphql').DeleteSessionDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription SessionChanged($id: ID!) {\n    sessionChanged(id: $id) { id state }\n  }\n"): typeof import('./graphql').SessionChangedDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DashboardPage {\n    me {\n      username\n      displayName\n      namespaceNotice\n      projects(first: 20, sort: UPDATED_AT_DESC) {\n        totalCount\n        edges { node { id ...ProjectCard } }\n      }\n      sessions { id state ...SessionRow }\n      activity { id command startedAt project { namespace slug } }\n    }\n    projects(first: 10, visibility: PUBLIC, sort: UPDATED_AT_DESC) {\n      edges { node { id ...ProjectCard } }\n    }\n  }\n"): typeof import('./graphql').DashboardPageDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DatasetPage($id: ID!) {\n    dataset(id: $id) {\n      id name title description keywords dateCreated sameAs\n      creators { name affiliation user { username } }\n      files { location }\n      project { name namespace slug }\n      usedIn { id namespace slug }\n    }\n  }\n"): typeof import('./graphql').DatasetPageDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query GroupPage($slug: String!) {\n    group(slug: $slug) {\n      id slug name description\n      members { role user { id username displayName } }\n      projects(first: 30) { edges { node { id ...ProjectCard } } }\n    }\n  }\n"): typeof import('./graphql').GroupPageDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MembersPage($namespace: String!, $slug: String!) {\n    projectBySlug(namespace: $namespace, slug: $slug) {\n      id namespace slug name\n      permissions { changeMembership }\n      members { role user { id username displayName } }\n    }\n  }\n"): typeof import('./graphql').MembersPageDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query FindMember($username: String!) {\n    userByUsername(username: $username) { id }\n  }\n"): typeof import('./graphql').FindMemberDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetProjectMembers($id: ID!, $members: [ProjectMemberInput!]!) {\n    setProjectMembers(id: $id, members: $members) { errors { code message field } }\n  }\n"): typeof import('./graphql').SetProjectMembersDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveProjectMember($id: ID!, $userId: ID!) {\n    removeProjectMember(id: $id, userId: $userId) { errors { code message field } }\n  }\n"): typeof import('./graphql').RemoveProjectMemberDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ProjectPage($namespace: String!, $slug: String!) {\n    projectBySlug(namespace: $namespace, slug: $slug) {\n      id\n      name\n      namespace\n      slug\n      visibility\n      description\n      documentation\n      keywords\n      createdBy { username displayName }\n      permissions { write changeMembership }\n      members { role user { id username displayName } }\n      datasets(first: 50) { edges { node { id name title keywords } } }\n      sessions { id state ...SessionRow }\n      launchers { id name }\n      ...LineagePicture\n    }\n  }\n"): typeof import('./graphql').ProjectPageDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation LaunchSession($input: LaunchSessionInput!) {\n    launchSession(input: $input) {\n      session { id state }\n      errors { code message field }\n    }\n  }\n"): typeof import('./graphql').LaunchSessionDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ProjectFormPage($namespace: String!, $slug: String!, $editing: Boolean!) {\n    namespaces(minimumRole: EDITOR, first: 100) { edges { node { slug kind } } }\n    projectBySlug(namespace: $namespace, slug: $slug) @include(if: $editing) {\n      id name slug namespace visibility description keywords etag\n    }\n  }\n"): typeof import('./graphql').ProjectFormPageDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateProject($input: CreateProjectInput!) {\n    createProject(input: $input) {\n      project { namespace slug }\n      errors { code message field }\n    }\n  }\n"): typeof import('./graphql').CreateProjectDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateProject($id: ID!, $ifMatch: String!, $input: UpdateProjectInput!) {\n    updateProject(id: $id, ifMatch: $ifMatch, input: $input) {\n      project { namespace slug }\n      errors { code message field }\n    }\n  }\n"): typeof import('./graphql').UpdateProjectDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SearchPage(\n    $query: String\n    $types: [EntityType!]\n    $keywords: [String!]\n    $creators: [String!]\n    $since: DateTime\n    $until: DateTime\n  ) {\n    search(\n      query: $query\n      types: $types\n      keywords: $keywords\n      creators: $creators\n      since: $since\n      until: $until\n      first: 30\n    ) {\n      totalCount\n      byType { type count }\n      byKeyword { keyword count }\n      edges {\n        node {\n          __typename\n          ... on Project { id name namespace slug description keywords }\n          ... on Dataset { id name title description keywords project { namespace slug } }\n          ... on Workflow { id name command project { namespace slug } }\n          ... on Person { name user { username } }\n          ... on SearchNamespace { slug }\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').SearchPageDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query UserPage($username: String!) {\n    userByUsername(username: $username) {\n      id username displayName email\n      projects(first: 30) { totalCount edges { node { id ...ProjectCard } } }\n    }\n  }\n"): typeof import('./graphql').UserPageDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
