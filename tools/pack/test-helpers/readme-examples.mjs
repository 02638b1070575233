// A lib README's usage example, as the pack test runs it. The convention (tools/pack/README.md): the README's
// `## Usage` section holds a ```sh block with the `npm install` line a user runs, and ```ts or ```js blocks that
// run as written once those packages are installed. A `// → text` comment documents what that line prints; `…` in
// the text stands for anything.
import { builtinModules } from 'node:module';
import ts from 'typescript';

const BUILTIN = new Set(builtinModules);
const FENCE = /^```(\w*)[^\n]*\n([\s\S]*?)^```[ \t]*$/gm;
const IMPORT = /(?:\bfrom|^import|\bimport\()\s*['"]([^'"]+)['"]/gm;

/** The text of the `## Usage…` section (up to the next level-2 heading), or undefined. */
export function usageSection(markdown) {
  const start = markdown.search(/^## Usage\b/m);
  if (start < 0) return undefined;
  const rest = markdown.slice(start + 1);
  const end = rest.search(/^## /m);
  return end < 0 ? rest : rest.slice(0, end);
}

/** Fenced code blocks: `{ lang, code }`. */
export function codeBlocks(markdown) {
  return [...markdown.matchAll(FENCE)].map(([, lang, code]) => ({ lang, code }));
}

/** `npm install a b@1.2.3 --flag # comment` lines (`\` continues one) of the sh blocks → `[{ name, version? }]` (flags left out). */
export function installedPackages(section) {
  return codeBlocks(section)
    .filter((block) => block.lang === 'sh')
    .flatMap((block) => block.code.replace(/\\\n/g, ' ').split('\n'))
    .map(
      (line) =>
        line
          .replace(/#.*$/, '')
          .trim()
          .match(/^npm (?:install|i) (.*)$/)?.[1] ?? '',
    )
    .flatMap((args) => args.split(/\s+/).filter((arg) => arg && !arg.startsWith('-')))
    .map((spec) => {
      const at = spec.lastIndexOf('@');
      return at > 0 ? { name: spec.slice(0, at), version: spec.slice(at + 1) } : { name: spec };
    });
}

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
function packageOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** The packages (not Node built-ins, not relative files) an example imports. */
export function importedPackages(code) {
  const specifiers = [...code.matchAll(IMPORT)].map((match) => match[1]);
  const bare = specifiers.filter((s) => !s.startsWith('.') && !s.startsWith('/') && !s.startsWith('node:'));
  return [...new Set(bare.filter((s) => !BUILTIN.has(s)).map(packageOf))];
}

/** The `// → text` comments of an example, in order. */
export function documentedOutput(code) {
  return [...code.matchAll(/\/\/ → (.+)$/gm)].map((match) => match[1].trim());
}

/** The documented outputs `stdout` lacks (each looked for after the previous one; `…` matches anything). */
export function missingOutput(expected, stdout) {
  let from = 0;
  const missing = [];
  for (const text of expected) {
    const pattern = text
      .split('…')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*?');
    const match = new RegExp(pattern).exec(stdout.slice(from));
    if (match) from += match.index + match[0].length;
    else missing.push(text);
  }
  return missing;
}

/** The example as an ES module Node runs: TypeScript loses its types, JavaScript stays as written. */
export function runnableModule({ lang, code }) {
  if (lang === 'js') return code;
  const options = { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false };
  return ts.transpileModule(code, { compilerOptions: options, reportDiagnostics: false }).outputText;
}

/** Type errors of `.ts` files inside an installed project (strict, NodeNext: what a user's tsconfig would say). */
export function typeErrors(files) {
  const program = ts.createProgram(files, {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: ['node'],
  });
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (!d.file) return message;
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
    return `${d.file.fileName}:${line + 1}:${character + 1}: ${message}`;
  });
}
