// Runs the graphql-http audit suite (the GraphQL-over-HTTP spec's conformance checks) against
// a running server and prints one JSON array of results: {id, name, level, status, reason}.
// Usage: node graphql_http_audit.mjs <graphql url> <folder holding node_modules/graphql-http>
import { createRequire } from 'node:module';
import { join } from 'node:path';

const [url, prefix] = process.argv.slice(2);
if (!url || !prefix) {
  console.error('usage: node graphql_http_audit.mjs <url> <node prefix>');
  process.exit(2);
}
const require = createRequire(join(prefix, 'package.json'));
const { serverAudits } = require('graphql-http');

const results = [];
for (const audit of serverAudits({ url })) {
  const result = await audit.fn();
  results.push({
    id: result.id,
    name: result.name,
    level: result.name.split(' ')[0],
    status: result.status,
    reason: result.reason ?? null,
    httpStatus: result.response ? result.response.status : null,
  });
}
process.stdout.write(JSON.stringify(results));
