import { readdirSync, readFileSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { definitionOf, PROBLEM_TYPE_SLUGS, PROBLEM_TYPES, problemTitle, problemTypeOfStatus, type ProblemTypeSlug } from './problem-types';

const SRC = join(__dirname, '../..');

function sourceFiles(): ts.SourceFile[] {
  return readdirSync(SRC, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.spec.ts'))
    .map((file) => ts.createSourceFile(file, readFileSync(join(SRC, file), 'utf8'), ts.ScriptTarget.Latest, true));
}

function walk(node: ts.Node, visit: (node: ts.Node) => void): void {
  visit(node);
  node.forEachChild((child) => walk(child, visit));
}

/** What a class body says its problem is: the literal initializers of `type`, `status` and `title`. */
interface DeclaredProblem {
  where: string;
  type: string;
  status?: number;
  title?: string;
}

function declaredProblems(): DeclaredProblem[] {
  const declared: DeclaredProblem[] = [];
  for (const file of sourceFiles()) {
    walk(file, (node) => {
      if (!ts.isClassLike(node)) return;
      const literals = new Map<string, ts.Expression>();
      for (const member of node.members) {
        if (ts.isPropertyDeclaration(member) && ts.isIdentifier(member.name) && member.initializer) literals.set(member.name.text, member.initializer);
      }
      const type = literals.get('type');
      if (!type || !ts.isStringLiteral(type)) return;
      const status = literals.get('status');
      const title = literals.get('title');
      declared.push({
        where: `${relative(SRC, file.fileName)} ${node.name?.text ?? '(anonymous class)'}`,
        type: type.text,
        status: status && ts.isNumericLiteral(status) ? Number(status.text) : undefined,
        title: title && ts.isStringLiteral(title) ? title.text : undefined,
      });
    });
  }
  return declared;
}

describe('problem type registry', () => {
  it('has every problem type an error class declares, with the status and title the class sends', () => {
    const declared = declaredProblems();
    expect(declared.length).toBeGreaterThan(20);
    for (const { where, type, status, title } of declared) {
      expect(Object.keys(PROBLEM_TYPES), `${where}: type '${type}' is not in problem-types.ts`).toContain(type);
      const definition = definitionOf(type as ProblemTypeSlug);
      expect({ where, status, title }).toEqual({ where, status: definition.status, title: definition.title });
    }
  });

  it('has a type for every status a problem can be made of (HTTP exceptions, Fastify and connection errors)', () => {
    const statuses = Object.keys(STATUS_CODES).map(Number).filter((status) => status >= 400);
    for (const status of statuses) {
      const slug = problemTypeOfStatus(status);
      const definition = definitionOf(slug);
      const fits = definition.status === status || (definition.coversUnlistedStatuses && Math.floor(definition.status / 100) === Math.floor(status / 100));
      expect(fits, `${status} is answered as ${slug} (${definition.status})`).toBe(true);
      expect(problemTitle(slug, status)).toBe(definition.status === status ? definition.title : STATUS_CODES[status]);
    }
  });

  it('is consistent: one default type per status, one stand-in per status class, required members among the members', () => {
    const defaults = PROBLEM_TYPE_SLUGS.filter((slug) => definitionOf(slug).statusDefault).map((slug) => definitionOf(slug).status);
    expect(new Set(defaults).size).toBe(defaults.length);
    const standIns = PROBLEM_TYPE_SLUGS.filter((slug) => definitionOf(slug).coversUnlistedStatuses).map((slug) => Math.floor(definitionOf(slug).status / 100));
    expect(standIns.sort()).toEqual([4, 5]);
    for (const slug of PROBLEM_TYPE_SLUGS) {
      const { members = [], requiredMembers = [] } = definitionOf(slug);
      expect(members, slug).toEqual(expect.arrayContaining([...requiredMembers]));
      expect(slug).toMatch(/^[a-z]+(-[a-z]+)*$/);
    }
  });
});
