import type { CodegenConfig } from "@graphql-codegen/cli";

// schema.graphql is the router's API schema, printed from schema/supergraph.graphql
// (tests/ui/test_schema.py keeps it equal; RENKU_FED_UPDATE_UI_SCHEMA=1 rewrites it).
const config: CodegenConfig = {
  schema: "schema.graphql",
  documents: ["src/**/*.tsx", "src/**/*.ts", "!src/gql/**/*"],
  ignoreNoDocuments: false,
  generates: {
    "src/gql/": {
      preset: "client",
      presetConfig: { fragmentMasking: { unmaskFunctionName: "useFragment" } },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTime: "string", ID: "string" },
        documentMode: "string",
      },
    },
  },
};

export default config;
