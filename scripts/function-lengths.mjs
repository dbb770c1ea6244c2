// Lists the functions (declarations, methods, arrow functions, class bodies'
// constructors) longer than a limit in the given folders, with their lines:
//   node scripts/function-lengths.mjs [--max 60] src/plan src/nn
// Exits 1 if there is one. A long function usually does several jobs; the
// planner and the layer API keep theirs short (test/architecture.test.ts).
import ts from 'typescript';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const at = args.indexOf('--max');
const max = at >= 0 ? Number(args[at + 1]) : 60;
const dirs = args.filter((a, i) => at < 0 || (i !== at && i !== at + 1));

const files = (dir) => readdirSync(dir).flatMap((f) => {
  const p = join(dir, f);
  return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
});

const long = [];
for (const file of dirs.flatMap(files)) {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const visit = (node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const first = source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line + 1;
      if (last - first + 1 > max) {
        const name = node.name?.getText() ?? (ts.isVariableDeclaration(node.parent) ? node.parent.name.getText() : '(anonymous)');
        long.push(`${file}:${first}-${last} ${name}: ${last - first + 1} lines`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
}
for (const l of long) console.log(l);
console.log(long.length ? `\n${long.length} function(s) over ${max} lines` : `no function over ${max} lines in ${dirs.join(', ')}`);
process.exit(long.length ? 1 : 0);
