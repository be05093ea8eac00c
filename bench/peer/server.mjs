// The "peer" contender: @neo4j/graphql v7 served by graphql-yoga on Node's http, one process.
//
//   NEO4J_URI=bolt://... NEO4J_USER=neo4j NEO4J_PASSWORD=... [NEO4J_DATABASE=neo4j] [PORT=4000] \
//     node bench/peer/server.mjs
//
// Serves POST /graphql on 127.0.0.1:PORT and prints "peer ready on http://127.0.0.1:PORT/graphql"
// once listening; SIGTERM (or SIGINT) stops accepting, closes the driver and exits 0.
// Production settings: no introspection (__typename still works), no GraphiQL or landing page,
// masked errors, the library's debug output off. Read-only: the type definitions generate no
// mutations, the library runs every query in a read transaction, and it is never asked to
// create or assert constraints or indexes (schema/migrations owns them).

import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { Neo4jGraphQL } from "@neo4j/graphql";
import { NoSchemaIntrospectionCustomRule } from "graphql";
import { createYoga } from "graphql-yoga";
import neo4j from "neo4j-driver";

const HOST = "127.0.0.1";

function setting(name, fallback) {
  const value = process.env[name];
  if (value === undefined || value === "") {
    if (fallback === undefined) {
      console.error(`peer: ${name} is not set`);
      process.exit(2);
    }
    return fallback;
  }
  return value;
}

const uri = setting("NEO4J_URI");
const user = setting("NEO4J_USER", "neo4j");
const password = setting("NEO4J_PASSWORD");
const database = setting("NEO4J_DATABASE", "neo4j");
const port = Number.parseInt(setting("PORT", "4000"), 10);

// Same pool size as the service's default (NEO4J_POOL_SIZE=50). Integers as JS numbers: the
// graph's 64-bit integers (parameter counts, depths, ranks) are all far below 2^53.
const driver = neo4j.driver(uri, neo4j.auth.basic(user, password), {
  maxConnectionPoolSize: 50,
  connectionAcquisitionTimeout: 5000,
  disableLosslessIntegers: true,
});
await driver.verifyConnectivity({ database });

const typeDefs = await readFile(new URL("./typeDefs.graphql", import.meta.url), "utf8");
const neoSchema = new Neo4jGraphQL({
  typeDefs,
  driver,
  debug: false,
  features: {
    // Only the v7 API: the deprecated filter spellings would just make the schema larger.
    excludeDeprecatedFields: {
      mutationOperations: true,
      aggregationFilters: true,
      aggregationFiltersOutsideConnection: true,
      relationshipFilters: true,
      attributeFilters: true,
    },
  },
});
const schema = await neoSchema.getSchema();

/** Refuses __schema and __type queries, as the service does in production. */
const disableIntrospection = {
  onValidate({ addValidationRule }) {
    addValidationRule(NoSchemaIntrospectionCustomRule);
  },
};

const sessionConfig = { database };
const yoga = createYoga({
  schema,
  graphqlEndpoint: "/graphql",
  graphiql: false,
  landingPage: false,
  maskedErrors: true,
  logging: "warn",
  plugins: [disableIntrospection],
  context: () => ({ sessionConfig }),
});

const server = createServer(yoga);
await new Promise((resolve, reject) => {
  server.once("error", reject);
  server.listen(port, HOST, resolve);
});

let stopping = false;
async function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  try {
    // In-flight requests may finish; keep-alive connections get 5 s before they are cut.
    const cut = setTimeout(() => server.closeAllConnections(), 5000);
    await new Promise((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
    clearTimeout(cut);
    await driver.close();
  } catch (error) {
    console.error(`peer: error while stopping on ${signal}:`, error);
    process.exit(1);
  }
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));

console.log(`peer ready on http://${HOST}:${server.address().port}/graphql`);
