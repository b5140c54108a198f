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

const baseline = readJson(args.baseline);
const current = readJson(args.current);
const baseMajor = apiMajorOf(baseline);
const newMajor = apiMajorOf(current);
const { diffs } = apiCompare(structuredClone(baseline), structuredClone(current));
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
