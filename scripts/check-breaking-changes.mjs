#!/usr/bin/env node
// Breaking-change gate for the HTTP API: compares openapi.json with openapi.baseline.json (the
// document of the last release) using api-smart-diff, which classifies every change as breaking,
// non-breaking, deprecated or annotation.
//
// A breaking change passes only as part of a new API major version: the document must serve a
// higher /vN path prefix than the baseline, and CHANGELOG.md must have a section for it, headed
// `## [API vN]` (see README, "API contract"). Otherwise the gate lists the breaking changes and
// exits 1.
//
// Only what an operation uses is compared (a schema no operation refers to is not part of the
// contract), and problem bodies are compared per problem type: see comparable().
//
// Usage: node scripts/check-breaking-changes.mjs [--baseline FILE] [--current FILE] [--changelog FILE]
import { apiCompare } from 'api-smart-diff';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

const root = resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({
  options: {
    baseline: { type: 'string', default: resolve(root, 'openapi.baseline.json') },
    current: { type: 'string', default: resolve(root, 'openapi.json') },
    changelog: { type: 'string', default: resolve(root, 'CHANGELOG.md') },
  },
});

const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

/** The API major version a document serves: the highest `/vN/` path prefix (1 when none). */
function apiMajorOf(document) {
  const majors = Object.keys(document.paths ?? {}).map((path) => Number(/^\/v(\d+)(?:\/|$)/.exec(path)?.[1] ?? 0));
  return Math.max(1, ...majors);
}

/** API major versions that CHANGELOG.md has a section for: `## [API v2]` or `## API v2`. */
function changelogMajors(text) {
  return new Set([...text.matchAll(/^##\s+\[?API v(\d+)\]?/gm)].map((match) => Number(match[1])));
}

const PROBLEM_MEDIA_TYPE = 'application/problem+json';
const SCHEMAS = '#/components/schemas/';
const PROBLEM_BASE = `${SCHEMAS}ProblemDto`;

/** Every `$ref` in `node`, and in what those refer to, transitively. */
function referenced(document, node, found = new Set()) {
  if (Array.isArray(node)) node.forEach((item) => referenced(document, item, found));
  else if (node && typeof node === 'object') {
    if (typeof node.$ref === 'string' && !found.has(node.$ref)) {
      found.add(node.$ref);
      const target = node.$ref.slice(2).split('/').reduce((parent, key) => parent?.[key], document);
      referenced(document, target, found);
    }
    for (const [key, child] of Object.entries(node)) if (key !== '$ref') referenced(document, child, found);
  }
  return found;
}

/**
 * A copy of the document that api-smart-diff can judge:
 * - A problem response names the problem types of its status, as one type's schema (ProblemDto
 *   with its `type` pinned) or a union of them (`Status409Problem`); api-smart-diff reads ProblemDto
 *   replaced by such a union, or a union gaining a type, as breaking. Neither is: every problem is
 *   a ProblemDto, and clients take a type they do not know by its status (RFC 9457). So problem
 *   responses are compared as ProblemDto, and each problem type's schema, flattened into one
 *   object, as the answer of a stand-in operation `GET /problem-types/<Schema>`: a member removed
 *   or retyped is breaking as in any answer.
 * - Schemas no operation refers to are left out: they are no part of the contract (a renamed or
 *   replaced component, such as a per-feature problem schema, changes no request or answer).
 */
function comparable(document) {
  const copy = structuredClone(document);
  const schemas = copy.components?.schemas ?? {};
  const operations = Object.values(copy.paths ?? {}).flatMap((pathItem) => Object.values(pathItem));
  const responses = [...operations.flatMap((operation) => Object.values(operation.responses ?? {})), ...Object.values(copy.components?.responses ?? {})];
  for (const response of responses) {
    if (response.content?.[PROBLEM_MEDIA_TYPE]) response.content[PROBLEM_MEDIA_TYPE].schema = { $ref: PROBLEM_BASE };
  }
  for (const [name, schema] of Object.entries(schemas)) {
    const [base, own, ...others] = schema.allOf ?? [];
    if (base?.$ref !== PROBLEM_BASE || !own || others.length > 0) continue;
    const problem = schemas.ProblemDto;
    schemas[name] = {
      ...problem,
      description: schema.description,
      required: [...(problem.required ?? []), ...(own.required ?? [])],
      properties: { ...problem.properties, ...own.properties },
    };
    const answer = { description: name, content: { [PROBLEM_MEDIA_TYPE]: { schema: { $ref: `${SCHEMAS}${name}` } } } };
    copy.paths[`/problem-types/${name}`] = { get: { responses: { 200: answer } } };
  }
  const used = referenced(copy, copy.paths);
  for (const name of Object.keys(schemas)) if (!used.has(`${SCHEMAS}${name}`)) delete schemas[name];
  return copy;
}

const baseline = readJson(args.baseline);
const current = readJson(args.current);
const baseMajor = apiMajorOf(baseline);
const newMajor = apiMajorOf(current);
const { diffs } = apiCompare(comparable(baseline), comparable(current));
const breaking = diffs.filter((diff) => diff.type === 'breaking');
const describe = (diff) => diff.description || `${diff.action} ${diff.path.join('.')}`;

console.log(`${diffs.length} change(s) since the baseline, ${breaking.length} breaking.`);
for (const diff of diffs.filter((d) => d.type !== 'breaking')) console.log(`  ${diff.type}: ${describe(diff)}`);
if (breaking.length === 0) process.exit(0);

for (const diff of breaking) console.log(`  BREAKING: ${describe(diff)}`);
let changelog = '';
try {
  changelog = readFileSync(args.changelog, 'utf8');
} catch {
  // No changelog: treated as one without the section.
}
if (newMajor > baseMajor && changelogMajors(changelog).has(newMajor)) {
  console.log(`Allowed: they ship as API v${newMajor}, which CHANGELOG.md records.`);
  process.exit(0);
}
console.error(
  newMajor > baseMajor
    ? `Breaking changes for API v${newMajor}, but CHANGELOG.md has no "## [API v${newMajor}]" section recording them.`
    : `Breaking changes within API v${baseMajor}. Make the change backwards compatible, or ship it as API v${baseMajor + 1} ` +
        `(new /v${baseMajor + 1}/ paths) with a "## [API v${baseMajor + 1}]" section in CHANGELOG.md.`,
);
process.exit(1);
