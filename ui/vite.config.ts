/// <reference types="vitest/config" />
import { readFileSync } from "node:fs";
import { defineConfig, type Plugin } from "vite";
import react from "@vitejs/plugin-react";

// GraphiQL's page (router/http/graphiql.py) loads these prebuilt files from the router itself.
const GRAPHIQL_FILES: Record<string, string> = {
  "graphiql/react.production.min.js": "react/umd/react.production.min.js",
  "graphiql/react-dom.production.min.js": "react-dom/umd/react-dom.production.min.js",
  "graphiql/graphiql.min.js": "graphiql/graphiql.min.js",
  "graphiql/graphiql.min.css": "graphiql/graphiql.min.css",
};

function graphiqlFiles(): Plugin {
  return {
    name: "renku-graphiql-files",
    apply: "build",
    generateBundle() {
      for (const [fileName, module] of Object.entries(GRAPHIQL_FILES)) {
        const source = readFileSync(new URL(`./node_modules/${module}`, import.meta.url), "utf8").replace(
          /\n\/\/# sourceMappingURL=\S+\s*$/,
          "\n",
        );
        this.emitFile({ type: "asset", fileName, source });
      }
    },
  };
}

export default defineConfig({
  plugins: [react(), graphiqlFiles()],
  build: {
    outDir: "../router/http/web",
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
  server: {
    proxy: {
      "/graphql": "http://127.0.0.1:4000",
      "/auth": "http://127.0.0.1:4000",
    },
  },
  test: {
    environment: "jsdom",
    include: ["test/**/*.test.tsx", "test/**/*.test.ts"],
  },
});
