/**
 * Builds the client package into `dist/`: `index.js`, `index.d.ts` and `api-schema.d.ts`, which
 * spells out every route's input and answers as plain object types. A frontend then compiles
 * against `hono`'s own types and these files only: no Bun, drizzle or node types, and none of the
 * server's compiler settings (JSX, lib, paths).
 *
 * Why print the type rather than emit the server's declarations: `tsc --declaration` keeps
 * `AppType` as a reference into the server's modules (their env, database and runtime types),
 * which a frontend cannot resolve. The compiler API resolves `ExtractSchema<AppType>` once and
 * this file writes the result out structurally; `hc` needs nothing more than that schema.
 *
 * Run: `npm run build -w client` (or `bun client/scripts/build.ts [outDir]`).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import ts from 'typescript'

const clientDir = path.resolve(import.meta.dir, '..')
const repoDir = path.resolve(clientDir, '..')

/** Globals a browser has as well: printed by name rather than spelled out. */
const GLOBAL_TYPES = new Set([
  'Date',
  'Response',
  'ReadableStream',
  'Blob',
  'File',
  'FormData',
  'Uint8Array',
  'ArrayBuffer',
])

function serverProgram(entry: string): ts.Program {
  const config = ts.readConfigFile(path.join(repoDir, 'tsconfig.json'), ts.sys.readFile)
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, repoDir)
  return ts.createProgram([entry], { ...parsed.options, noEmit: true })
}

const identifier = /^[A-Za-z_$][\w$]*$/
const key = (name: string) => (identifier.test(name) ? name : JSON.stringify(name))

/**
 * Writes a resolved type as TypeScript source. Object types met more than once (a booking in
 * every booking route) become one named alias, which keeps the file small and fast to check.
 */
class SchemaPrinter {
  private readonly uses = new Map<number, number>()
  private readonly names = new Map<number, string>()
  /** Types that contain themselves (a JSON value): printable only as a named alias. */
  private readonly recursive = new Set<number>()
  private readonly aliases: string[] = []
  /** The property names down to the type being written, for an error that says where. */
  private readonly trail: string[] = []

  constructor(private readonly checker: ts.TypeChecker) {}

  print(root: ts.Type, name: string): string {
    this.count(root, new Set())
    const body = this.write(root)
    return [...this.aliases, `export type ${name} = ${body}`, ''].join('\n')
  }

  private id(type: ts.Type): number {
    return (type as unknown as { id: number }).id
  }

  private isPlainObject(type: ts.Type): boolean {
    return (
      (type.flags & ts.TypeFlags.Object) !== 0 &&
      !this.checker.isArrayType(type) &&
      !this.checker.isTupleType(type) &&
      !this.isGlobal(type)
    )
  }

  private isGlobal(type: ts.Type): boolean {
    const symbol = type.getSymbol()
    return !!symbol && GLOBAL_TYPES.has(symbol.name) && !this.checker.isArrayType(type)
  }

  private children(type: ts.Type): ts.Type[] {
    if (type.isUnion() || type.isIntersection()) return type.types
    if (this.checker.isArrayType(type) || this.checker.isTupleType(type)) {
      return [...this.checker.getTypeArguments(type as ts.TypeReference)]
    }
    if (!this.isPlainObject(type)) return []
    return [
      ...this.checker.getPropertiesOfType(type).map((p) => this.checker.getTypeOfSymbol(p)),
      ...this.checker.getIndexInfosOfType(type).map((info) => info.type),
      ...this.checker
        .getSignaturesOfType(type, ts.SignatureKind.Call)
        .flatMap((sig) => [
          ...sig.getParameters().map((p) => this.checker.getTypeOfSymbol(p)),
          sig.getReturnType(),
        ]),
    ]
  }

  private count(type: ts.Type, path: Set<number>): void {
    const id = this.id(type)
    if (path.has(id)) {
      this.recursive.add(id)
      return
    }
    if (this.isPlainObject(type)) {
      const seen = this.uses.get(id) ?? 0
      this.uses.set(id, seen + 1)
      if (seen > 0) return
    }
    path.add(id)
    for (const child of this.children(type)) this.count(child, path)
    path.delete(id)
  }

  private write(type: ts.Type): string {
    const id = this.id(type)
    const named = this.names.get(id)
    if (named) return named
    const shared = this.isPlainObject(type) && (this.uses.get(id) ?? 0) > 1
    if (!shared && !this.recursive.has(id)) return this.literal(type)
    const name = `T${this.names.size}`
    // Named before it is written, so a type that contains itself refers to its name.
    this.names.set(id, name)
    this.aliases.push(`type ${name} = ${this.literal(type)}`)
    return name
  }

  private literal(type: ts.Type): string {
    const { checker } = this
    const f = type.flags
    if (f & ts.TypeFlags.StringLiteral) return JSON.stringify((type as ts.StringLiteralType).value)
    if (f & ts.TypeFlags.NumberLiteral) return String((type as ts.NumberLiteralType).value)
    if (f & ts.TypeFlags.UniqueESSymbol) return 'symbol'
    if (
      f &
      (ts.TypeFlags.Any |
        ts.TypeFlags.Unknown |
        ts.TypeFlags.String |
        ts.TypeFlags.Number |
        ts.TypeFlags.Boolean |
        ts.TypeFlags.BooleanLiteral |
        ts.TypeFlags.BigInt |
        ts.TypeFlags.BigIntLiteral |
        ts.TypeFlags.Null |
        ts.TypeFlags.Undefined |
        ts.TypeFlags.Void |
        ts.TypeFlags.Never |
        ts.TypeFlags.ESSymbol |
        ts.TypeFlags.NonPrimitive |
        ts.TypeFlags.TemplateLiteral)
    ) {
      return checker.typeToString(type)
    }
    if (type.isUnion()) return type.types.map((t) => this.wrap(t)).join(' | ')
    if (type.isIntersection()) return type.types.map((t) => this.wrap(t)).join(' & ')
    if (checker.isArrayType(type)) {
      const [element] = checker.getTypeArguments(type as ts.TypeReference)
      return `${this.wrap(element!)}[]`
    }
    if (checker.isTupleType(type)) {
      return `[${checker
        .getTypeArguments(type as ts.TypeReference)
        .map((t) => this.write(t))
        .join(', ')}]`
    }
    if (this.isGlobal(type)) return type.getSymbol()!.name
    if (!this.isPlainObject(type)) {
      const where = this.trail.join('.')
      throw new Error(`cannot print ${checker.typeToString(type)} (at ${where}) for a frontend`)
    }
    return this.objectLiteral(type)
  }

  private wrap(type: ts.Type): string {
    const text = this.write(type)
    return /^T\d+$/.test(text) || !(type.isUnion() || type.isIntersection()) ? text : `(${text})`
  }

  private objectLiteral(type: ts.Type): string {
    const members = this.checker.getPropertiesOfType(type).map((p) => {
      const optional = p.flags & ts.SymbolFlags.Optional ? '?' : ''
      this.trail.push(p.name)
      const text = this.write(this.checker.getTypeOfSymbol(p))
      this.trail.pop()
      return `${key(p.name)}${optional}: ${text}`
    })
    for (const info of this.checker.getIndexInfosOfType(type)) {
      members.push(`[key: ${this.checker.typeToString(info.keyType)}]: ${this.write(info.type)}`)
    }
    for (const sig of this.checker.getSignaturesOfType(type, ts.SignatureKind.Call)) {
      members.push(this.signature(sig))
    }
    return members.length === 0 ? '{}' : `{ ${members.join('; ')} }`
  }

  private signature(sig: ts.Signature): string {
    if (sig.getTypeParameters()?.length) throw new Error(`cannot print a generic function`)
    const params = sig.getParameters().map((p) => {
      const decl = p.valueDeclaration
      const rest = decl && ts.isParameter(decl) && decl.dotDotDotToken ? '...' : ''
      const optional = decl && ts.isParameter(decl) && decl.questionToken ? '?' : ''
      return `${rest}${p.name}${optional}: ${this.write(this.checker.getTypeOfSymbol(p))}`
    })
    return `(${params.join(', ')}): ${this.write(sig.getReturnType())}`
  }
}

/** The routes' schema as one self-contained declaration file. */
export function printApiSchema(): string {
  const entry = path.join(clientDir, 'src/api-schema.ts')
  const program = serverProgram(entry)
  const checker = program.getTypeChecker()
  const alias = program
    .getSourceFile(entry)!
    .statements.find((s) => ts.isTypeAliasDeclaration(s) && s.name.text === 'ApiSchema')!
  const schema = checker.getTypeAtLocation((alias as ts.TypeAliasDeclaration).name)
  const header =
    '// Generated by client/scripts/build.ts from the server routes: do not edit.\n' +
    '// The input and answers of every route, as `hono`\'s `hc` expects them.\n'
  return header + new SchemaPrinter(checker).print(schema, 'ApiSchema')
}

/** What a build wrote, and what a frontend compiles against. */
export interface ClientBuild {
  outDir: string
  files: string[]
}

/**
 * Compiles `src/index.ts` with the package's own settings (browser lib, no ambient types), its
 * `./api-schema` import pointed at the printed schema rather than at the server.
 */
function compileIndex(outDir: string, schemaFile: string): string[] {
  const config = ts.readConfigFile(path.join(clientDir, 'tsconfig.json'), ts.sys.readFile)
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, clientDir)
  const options = { ...parsed.options, outDir, rootDir: path.join(clientDir, 'src') }
  const host = ts.createCompilerHost(options)
  host.resolveModuleNameLiterals = (literals, containingFile, redirect, opts) =>
    literals.map((literal) =>
      literal.text === './api-schema'
        ? {
            resolvedModule: {
              resolvedFileName: schemaFile,
              extension: ts.Extension.Dts,
              isExternalLibraryImport: false,
            },
          }
        : ts.resolveModuleName(literal.text, containingFile, opts, host, undefined, redirect),
    )
  const program = ts.createProgram([path.join(clientDir, 'src/index.ts')], options, host)
  const written: string[] = []
  const result = program.emit(undefined, (file, text) => {
    writeFileSync(file, text)
    written.push(file)
  })
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...result.diagnostics]
  if (diagnostics.length > 0) {
    throw new Error(
      ts.formatDiagnosticsWithColorAndContext(diagnostics, {
        getCanonicalFileName: (f) => f,
        getCurrentDirectory: () => clientDir,
        getNewLine: () => '\n',
      }),
    )
  }
  return written
}

/**
 * What in the output would need the server's world to compile: a `/// <reference>`, or an import
 * of anything but `hono` and the package's own files.
 */
export function serverLeaks(text: string): string[] {
  const leaks = [...text.matchAll(/\/\/\/\s*<reference[^>]*>/g)].map((m) => m[0])
  for (const [, specifier] of text.matchAll(/(?:from\s+|import\s*\(\s*)['"]([^'"]+)['"]/g)) {
    if (!/^(hono(\/[\w/-]+)?|\.\/[\w-]+(\.js)?)$/.test(specifier!)) leaks.push(specifier!)
  }
  return leaks
}

export function buildClient(outDir = path.join(clientDir, 'dist')): ClientBuild {
  mkdirSync(outDir, { recursive: true })
  const schemaFile = path.join(outDir, 'api-schema.d.ts')
  writeFileSync(schemaFile, printApiSchema())
  const files = [schemaFile, ...compileIndex(outDir, schemaFile)]
  for (const file of files) {
    const leaks = serverLeaks(readFileSync(file, 'utf8'))
    if (leaks.length > 0) throw new Error(`${file} refers to the server: ${leaks.join(', ')}`)
  }
  return { outDir, files }
}

if (import.meta.main) {
  const started = performance.now()
  const { files } = buildClient(process.argv[2] ? path.resolve(process.argv[2]) : undefined)
  const seconds = ((performance.now() - started) / 1000).toFixed(1)
  const written = files.map((f) => path.relative(repoDir, f)).join(', ')
  console.log(`client built in ${seconds} s: ${written}`)
}
