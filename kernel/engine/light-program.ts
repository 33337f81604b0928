/**
 * The program tslab's converter rebuilds for every cell, without TypeScript's incremental
 * builder. By default a watch program wraps each Program in an "emit and semantic
 * diagnostics" builder, whose state (a version, a signature and the referenced files of
 * every source file, found through the type checker) serves incremental builds to disk.
 * tslab never uses it: it asks for one file's diagnostics and emit, and for the local
 * sources a cell depends on. Building that state visited every declaration file in the
 * program for each cell: with seqlab and TensorFlow.js imported (some 900 files) it was
 * about 40% of the import cell's type check. This wrapper hands tslab the plain Program,
 * which the watch program still rebuilds incrementally (unchanged files are reused).
 */
import type * as TS from "@tslab/typescript-for-tslab";

type TypeScript = typeof TS;

/** The part of a BuilderProgram that the watch program and tslab's converter call. */
export interface LightProgram {
  getProgram(): TS.Program;
  getProgramOrUndefined(): TS.Program | undefined;
  releaseProgram(): void;
  getCompilerOptions(): TS.CompilerOptions;
  getSourceFile(fileName: string): TS.SourceFile | undefined;
  getSourceFiles(): readonly TS.SourceFile[];
  getGlobalDiagnostics(cancellationToken?: TS.CancellationToken): readonly TS.Diagnostic[];
  getConfigFileParsingDiagnostics(): readonly TS.Diagnostic[];
  getSyntacticDiagnostics(sourceFile?: TS.SourceFile, cancellationToken?: TS.CancellationToken): readonly TS.Diagnostic[];
  getSemanticDiagnostics(sourceFile?: TS.SourceFile, cancellationToken?: TS.CancellationToken): readonly TS.Diagnostic[];
  getOptionsDiagnostics(cancellationToken?: TS.CancellationToken): readonly TS.Diagnostic[];
  getDeclarationDiagnostics(sourceFile?: TS.SourceFile, cancellationToken?: TS.CancellationToken): readonly TS.Diagnostic[];
  emit(
    targetSourceFile?: TS.SourceFile,
    writeFile?: TS.WriteFileCallback,
    cancellationToken?: TS.CancellationToken,
    emitOnlyDtsFiles?: boolean,
    customTransformers?: TS.CustomTransformers,
  ): TS.EmitResult;
  getAllDependencies(sourceFile: TS.SourceFile): readonly string[];
  getCurrentDirectory(): string;
}

/** What TypeScript 5.0 records on a source file while resolving its imports (internal). */
interface ResolvedImports {
  resolvedModules?: { forEach(cb: (resolution: { resolvedModule?: { resolvedFileName: string } } | undefined) => void): void };
}

/**
 * The files `sourceFile` depends on, itself first, following imports and `/// <reference
 * path>` through the program's own module resolution. Declaration files and packages are
 * not followed: the converter only wants the local .ts/.js sources a cell imports (to
 * compile and emit them with it), and those are never reached through a declaration file.
 */
export function localDependencies(ts: TypeScript, program: TS.Program, sourceFile: TS.SourceFile): string[] {
  const seen = new Set<string>([sourceFile.fileName]);
  const order: string[] = [];
  const queue: TS.SourceFile[] = [sourceFile];
  const visit = (fileName: string | undefined) => {
    if (!fileName || seen.has(fileName)) return;
    seen.add(fileName);
    const file = program.getSourceFile(fileName);
    if (!file) return;
    order.push(file.fileName);
    if (!file.isDeclarationFile && !program.isSourceFileFromExternalLibrary(file)) queue.push(file);
  };
  order.push(sourceFile.fileName);
  for (let file = queue.shift(); file; file = queue.shift()) {
    (file as unknown as ResolvedImports).resolvedModules?.forEach((resolution) => visit(resolution?.resolvedModule?.resolvedFileName));
    for (const ref of file.referencedFiles) visit(ts.resolveTripleslashReference(ref.fileName, file.fileName));
  }
  return order;
}

/** A `createProgram` for `ts.createWatchCompilerHost` that makes LightPrograms. */
export function createLightProgram(ts: TypeScript) {
  return (
    rootNames: readonly string[] | undefined,
    options: TS.CompilerOptions | undefined,
    host?: TS.CompilerHost,
    oldProgram?: LightProgram,
    configFileParsingDiagnostics?: readonly TS.Diagnostic[],
    projectReferences?: readonly TS.ProjectReference[],
  ): LightProgram => {
    // Called without root names, the watch program only refreshes its configuration errors.
    if (rootNames === undefined || options === undefined) {
      if (!oldProgram) throw new Error("createLightProgram: no program to reuse");
      return oldProgram;
    }
    const program = ts.createProgram({
      rootNames,
      options,
      host,
      oldProgram: oldProgram?.getProgramOrUndefined(),
      configFileParsingDiagnostics,
      projectReferences,
    });
    // Bind every file now, as the builder did: tslab then makes the cell file's parent the
    // declarations of earlier cells, and binding later would reset that parent. Binding
    // alone: the type checker (whose set-up merges every file's globals) comes when a
    // diagnostic or an emit first needs it, and the program tslab makes at start never does.
    const bind = (ts as unknown as { bindSourceFile(file: TS.SourceFile, options: TS.CompilerOptions): void }).bindSourceFile;
    for (const file of program.getSourceFiles()) bind(file, options);
    return {
      getProgram: () => program,
      getProgramOrUndefined: () => program,
      releaseProgram: () => undefined,
      getCompilerOptions: () => program.getCompilerOptions(),
      getSourceFile: (fileName) => program.getSourceFile(fileName),
      getSourceFiles: () => program.getSourceFiles(),
      getGlobalDiagnostics: (token) => program.getGlobalDiagnostics(token),
      getConfigFileParsingDiagnostics: () => program.getConfigFileParsingDiagnostics(),
      getSyntacticDiagnostics: (file, token) => program.getSyntacticDiagnostics(file, token),
      getSemanticDiagnostics: (file, token) => program.getSemanticDiagnostics(file, token),
      getOptionsDiagnostics: (token) => program.getOptionsDiagnostics(token),
      getDeclarationDiagnostics: (file, token) => program.getDeclarationDiagnostics(file, token),
      emit: (file, writeFile, token, dtsOnly, transformers) => program.emit(file, writeFile, token, dtsOnly, transformers),
      getAllDependencies: (file) => localDependencies(ts, program, file),
      getCurrentDirectory: () => program.getCurrentDirectory(),
    };
  };
}
