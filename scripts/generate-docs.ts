/**
 * `npm run docs`: writes the generated API documents under docs/api/ (OpenAPI 3.1, one JSON Schema
 * per schema, the entities' ER diagram and data dictionary, the realtime API's documentation) and
 * removes generated files that no longer have a source.
 */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DOCS_DIR, generateDocs } from './docs/generate.js';
import { ROOT } from './docs/schema-names.js';

const docs = await generateDocs();
const schemaDir = path.join(ROOT, DOCS_DIR, 'schemas');
await mkdir(schemaDir, { recursive: true });
for (const file of await readdir(schemaDir)) {
  if (!docs.files.has(`${DOCS_DIR}/schemas/${file}`)) await rm(path.join(schemaDir, file));
}
for (const [rel, content] of docs.files) await writeFile(path.join(ROOT, rel), content);
console.log(
  `Wrote ${docs.files.size} files under ${DOCS_DIR}/: ${docs.routes.length} routes, ${Object.keys(docs.api.components.schemas).length} schemas, ${docs.entities.length} entities.`,
);
