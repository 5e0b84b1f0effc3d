"""Subscriptions through real servers: uvicorn on free ports, graphql-ws's client in Node."""
