"""The composition oracle (`@apollo/composition` under Node) and the subgraph sets it checks."""
