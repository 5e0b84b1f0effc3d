/// <reference types="vitest/config" />
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
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

// What the build is made from; tests/ui/test_web_build.py hashes the same files the same way.
const SOURCES = [
  "codegen.ts", "index.html", "package-lock.json", "package.json", "public", "schema.graphql",
  "src", "tsconfig.json", "vite.config.ts",
];

function files(path: string): string[] {
  const full = new URL(`./${path}`, import.meta.url);
  if (!statSync(full).isDirectory()) return [path];
  return readdirSync(full).flatMap((name) => files(`${path}/${name}`));
}

/** sha256 over each source file's path and sha256, in sorted path order. */
function sourceHash(): string {
  const all = SOURCES.flatMap(files).sort();
  const digest = createHash("sha256");
  for (const path of all) {
    const content = readFileSync(new URL(`./${path}`, import.meta.url));
    digest.update(`${path}\0${createHash("sha256").update(content).digest("hex")}\n`);
  }
  return digest.digest("hex");
}

// The hash of the sources, so a test can tell a build that is older than ui/.
function sourceStamp(): Plugin {
  return {
    name: "renku-source-stamp",
    apply: "build",
    generateBundle() {
      this.emitFile({ type: "asset", fileName: "source-hash.txt", source: `${sourceHash()}\n` });
    },
  };
}

export default defineConfig({
  plugins: [react(), graphiqlFiles(), sourceStamp()],
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
