import { useEffect, useRef } from "react";
import { loginUrl, useMe, type Me } from "./auth";
import { DashboardPage } from "./pages/Dashboard";
import { DatasetPage } from "./pages/Dataset";
import { GroupPage } from "./pages/Group";
import { MembersPage } from "./pages/Members";
import { ProjectPage } from "./pages/Project";
import { ProjectFormPage } from "./pages/ProjectForm";
import { SearchPage } from "./pages/Search";
import { UserPage } from "./pages/User";
import { Link, match, useLocation } from "./router";

function Page(props: { path: string; params: URLSearchParams }) {
  const { path, params } = props;
  let m: Record<string, string> | null;
  if (path === "/") return <DashboardPage />;
  if (path === "/search") return <SearchPage params={params} />;
  if (path === "/projects/new") return <ProjectFormPage />;
  if ((m = match("/p/:namespace/:slug/edit", path))) return <ProjectFormPage {...m} />;
  if ((m = match("/p/:namespace/:slug/members", path)))
    return <MembersPage namespace={m.namespace} slug={m.slug} />;
  if ((m = match("/p/:namespace/:slug", path)))
    return <ProjectPage key={path} namespace={m.namespace} slug={m.slug} />;
  if ((m = match("/datasets/:id", path))) return <DatasetPage id={m.id} />;
  if ((m = match("/u/:username", path))) return <UserPage username={m.username} />;
  if ((m = match("/g/:slug", path))) return <GroupPage slug={m.slug} />;
  return (
    <>
      <h1>Page not found</h1>
      <p>
        <Link to="/">Go to the dashboard</Link>
      </p>
    </>
  );
}

function Account(props: { me: Me | null; path: string }) {
  if (props.me === null) return null;
  if (!props.me.authenticated) {
    return (
      <a className="button" href={loginUrl(props.path)}>
        Sign in
      </a>
    );
  }
  return (
    <form method="post" action="/auth/logout?redirect=/" className="account">
      <span>
        Signed in as <Link to={`/u/${props.me.username}`}>{props.me.username}</Link>
      </span>{" "}
      <button type="submit">Sign out</button>
    </form>
  );
}

export function App() {
  const { path, params } = useLocation();
  const me = useMe();
  const main = useRef<HTMLElement>(null);
  useEffect(() => {
    main.current?.focus({ preventScroll: true });
  }, [path]);
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header>
        <nav aria-label="Main">
          <Link to="/" className="brand">
            Renku
          </Link>
          <Link to="/">Dashboard</Link>
          <Link to="/search">Search</Link>
          {me?.authenticated ? <Link to="/projects/new">New project</Link> : null}
          <a href="/graphql">API</a>
        </nav>
        <Account me={me} path={path} />
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        <Page path={path} params={params} />
      </main>
    </>
  );
}
