"""Federated subscriptions: planned like queries, streamed from a subgraph over WebSocket, served
to clients over graphql-transport-ws and Apollo's HTTP multipart protocol."""
