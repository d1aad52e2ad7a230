// Validates every answer the HTTP test suite received against docs/openapi.json, so that the
// document cannot drift from the code. Usage: node validate-responses.mjs openapi.json rec...
// Each record file holds one JSON line per exchange, {method, target, status, content_type,
// body}, written by the test client (tests/support/http_client.cpp) under COFFEE_HTTP_RECORD.
//
// For an exchange whose path and method are a documented operation: the status must be one the
// operation documents, and a JSON body must match that response's schema. Answers that no
// operation covers (unknown routes, 405, HEAD/OPTIONS, the refusals before routing) must still
// be in the one error shape when they are errors. Exits 1 listing every mismatch.
import { existsSync, readFileSync } from "node:fs";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const [openapiPath, ...recordPaths] = process.argv.slice(2);
if (!openapiPath || recordPaths.length === 0) {
  console.error("usage: validate-responses.mjs openapi.json record.jsonl...");
  process.exit(2);
}
const doc = JSON.parse(readFileSync(openapiPath, "utf8"));
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
addFormats(ajv);
ajv.addSchema(doc, "openapi");

const pointer = (parts) =>
  "openapi#/" + parts.map((p) => String(p).replace(/~/g, "~0").replace(/\//g, "~1")).join("/");
const validators = new Map();
const validatorFor = (parts) => {
  const key = pointer(parts);
  if (!validators.has(key)) validators.set(key, ajv.getSchema(key) ?? ajv.compile({ $ref: key }));
  return validators.get(key);
};

// Path templates → regexes; literal paths are preferred over templates, as the router does.
const operations = Object.entries(doc.paths).map(([template, item]) => {
  const literal = !template.includes("{");
  const regex = new RegExp(
    "^" + template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{[^}]+\}/g, "[^/]+") + "$",
  );
  return { template, item, literal, regex };
});
const findOperation = (path) =>
  operations.filter((o) => o.regex.test(path)).sort((a, b) => Number(b.literal) - Number(a.literal))[0];

const resolve = (response) => {
  let r = response;
  const refs = [];
  while (r && r.$ref) {
    refs.push(r.$ref);
    r = r.$ref.replace(/^#\//, "").split("/").reduce((o, k) => o?.[k.replace(/~1/g, "/").replace(/~0/g, "~")], doc);
  }
  return { response: r, ref: refs.at(-1) };
};

const problems = [];
let checked = 0;
let covered = 0;
const seen = new Set();
for (const file of recordPaths) {
  if (!existsSync(file)) {
    console.log(`${file}: not recorded (that backend's HTTP tests did not run)`);
    continue;
  }
  const lines = readFileSync(file, "utf8").split("\n").filter(Boolean);
  for (const line of lines) {
    const x = JSON.parse(line);
    checked++;
    const path = x.target.split("?")[0];
    const method = x.method.toLowerCase();
    const where = `${x.method} ${x.target} → ${x.status}`;
    let body;
    const isJson = (x.content_type || "").startsWith("application/json") && x.body !== "";
    if (isJson) {
      try {
        body = JSON.parse(x.body);
      } catch {
        problems.push(`${where}: the body is not JSON`);
        continue;
      }
    }
    const op = findOperation(path);
    const operation = op?.item?.[method];
    if (!operation) {
      // Not a documented operation (unknown route, 405, HEAD, OPTIONS…): errors keep the shape.
      if (x.status >= 400 && isJson) {
        const validate = validatorFor(["components", "schemas", "Error"]);
        if (!validate(body)) problems.push(`${where}: not the Error shape: ${ajv.errorsText(validate.errors)}`);
      }
      continue;
    }
    covered++;
    const status = String(x.status);
    const raw = operation.responses[status] ?? operation.responses.default;
    if (!raw) {
      problems.push(`${where}: status ${status} is not documented for ${x.method} ${op.template}`);
      continue;
    }
    seen.add(`${method} ${op.template} ${status}`);
    const { response } = resolve(raw);
    const media = response?.content?.["application/json"];
    if (!media?.schema || !isJson) continue;
    const parts = raw.$ref
      ? raw.$ref.replace(/^#\//, "").split("/").map((k) => k.replace(/~1/g, "/").replace(/~0/g, "~"))
      : ["paths", op.template, method, "responses", status];
    const validate = validatorFor([...parts, "content", "application/json", "schema"]);
    if (!validate(body)) {
      problems.push(`${where}: does not match the documented schema: ${ajv.errorsText(validate.errors)}`);
    }
  }
}

const unique = [...new Set(problems)];
console.log(
  `${checked} exchanges, ${covered} on documented operations, ${seen.size} distinct operation/status pairs seen`,
);
if (unique.length > 0) {
  console.error(`${unique.length} answers do not match docs/openapi.json:`);
  for (const p of unique) console.error("  " + p.slice(0, 600));
  process.exit(1);
}
if (checked === 0) {
  console.error("no exchanges were recorded: did the HTTP tests run with COFFEE_HTTP_RECORD?");
  process.exit(1);
}
console.log("every recorded answer matches docs/openapi.json");
