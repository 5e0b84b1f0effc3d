"""Who is calling: token verification, auth settings, bearer-auth middleware, dev issuer."""
