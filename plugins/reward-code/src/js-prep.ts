import type { CodeLanguage } from './types.js';

export interface PreparedJs {
  program: string;
  setup: string;
  units: Array<{ code: string; test: boolean }>;
  /** Top-level names the program declares (functions, classes, variables): what the tests may call. */
  names: string[];
}

type Ts = typeof import('typescript');
let tsModule: Promise<Ts> | undefined;
/** TypeScript is loaded only when JS/TS code is run (it is ~10 MB of JavaScript). */
function loadTs(): Promise<Ts> {
  tsModule ??= import('typescript').then((m) => ((m as { default?: Ts }).default ?? m) as Ts);
  return tsModule;
}

/**
 * Transpiles JS/TS to scripts Node can run (types stripped, ESM import/export to CommonJS;
 * Node 20 has no --experimental-strip-types) and splits the tests into top-level statements:
 * declarations are setup, everything else is one test unit.
 */
export async function prepareJs(language: Exclude<CodeLanguage, 'python'>, program: string, tests: string, setup = ''): Promise<PreparedJs> {
  const ts = await loadTs();
  const transpile = (code: string): string =>
    ts.transpileModule(code, {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, removeComments: false },
      reportDiagnostics: false,
    }).outputText;
  const kind = language === 'typescript' ? ts.ScriptKind.TS : ts.ScriptKind.JS;
  const file = ts.createSourceFile(language === 'typescript' ? 'tests.ts' : 'tests.js', tests, ts.ScriptTarget.ES2022, true, kind);
  const units = file.statements.map((stmt) => {
    const text = stmt.getText(file);
    const declaration =
      ts.isFunctionDeclaration(stmt) || ts.isClassDeclaration(stmt) || ts.isImportDeclaration(stmt) || ts.isVariableStatement(stmt) ||
      ts.isInterfaceDeclaration(stmt) || ts.isTypeAliasDeclaration(stmt) || ts.isEnumDeclaration(stmt);
    // `const r = f(1); assert…` style tests: a variable statement that asserts is a test too
    const asserts = ts.isVariableStatement(stmt) && /\bassert\s*[.(]|\bexpect\s*\(/.test(text);
    return { code: transpile(text), test: !declaration || asserts };
  });
  const src = ts.createSourceFile(language === 'typescript' ? 'program.ts' : 'program.js', program, ts.ScriptTarget.ES2022, true, kind);
  const names = new Set<string>();
  for (const stmt of src.statements) {
    if ((ts.isFunctionDeclaration(stmt) || ts.isClassDeclaration(stmt) || ts.isEnumDeclaration(stmt)) && stmt.name) names.add(stmt.name.text);
    else if (ts.isVariableStatement(stmt)) for (const d of stmt.declarationList.declarations) if (ts.isIdentifier(d.name)) names.add(d.name.text);
  }
  return { program: transpile(program), setup: setup ? transpile(setup) : '', units, names: [...names] };
}
