// Apollo Gateway 2 behind @apollo/server's standalone HTTP server, for the gateway benchmark.
// Usage: node apollo_gateway.mjs SUPERGRAPH_FILE PORT (listens on 127.0.0.1 only).
import { readFileSync } from "node:fs";
import { ApolloGateway } from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";

const [supergraphPath, port] = process.argv.slice(2);
const gateway = new ApolloGateway({ supergraphSdl: readFileSync(supergraphPath, "utf8") });
const server = new ApolloServer({ gateway });
const { url } = await startStandaloneServer(server, {
  listen: { host: "127.0.0.1", port: Number(port) },
});
console.log(`Apollo Gateway ready at ${url}`);
