"""The federation router: supergraph, composition, planning, execution, auth and HTTP."""
