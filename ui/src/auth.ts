import { useEffect, useState } from "react";

export interface Me {
  authenticated: boolean;
  username?: string;
}

/** Who the router's session cookie signs in (README, "Browser login": GET /auth/me). */
export function useMe(): Me | null {
  const [me, setMe] = useState<Me | null>(null);
  useEffect(() => {
    fetch("/auth/me", { credentials: "same-origin" })
      .then((r) => (r.ok ? (r.json() as Promise<Me>) : { authenticated: false }))
      .then(setMe, () => setMe({ authenticated: false }));
  }, []);
  return me;
}

export function loginUrl(returnTo: string): string {
  return `/auth/login?redirect=${encodeURIComponent(returnTo)}`;
}
