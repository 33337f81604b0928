/**
 * Declaration files are read with plain comments for doc comments (doc-comments.ts): the
 * same declarations at the same positions, and inspection still shows the docs.
 */
import { expect } from "chai";
import fs from "fs";
import path from "path";
import { readingPlainComments, withPlainComments } from "../../kernel/engine/doc-comments";
import { disposeEngineAfterSuite, engine, resultText, run } from "./harness";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const ts = require("@tslab/typescript-for-tslab") as typeof import("@tslab/typescript-for-tslab");
const libDir = path.dirname(ts.getDefaultLibFilePath({}));

function declarationFiles(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".d.ts")).map((f) => path.join(dir, f));
}

/** Every node's kind and span, and whether the parse had errors or JSDoc nodes. */
function tree(name: string, text: string): { nodes: string[]; errors: number; jsDocs: number } {
  const file = ts.createSourceFile(name, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const nodes: string[] = [];
  let jsDocs = 0;
  const visit = (node: import("@tslab/typescript-for-tslab").Node): void => {
    nodes.push(`${node.kind}:${node.pos}-${node.end}`);
    jsDocs += (node as { jsDoc?: unknown[] }).jsDoc?.length ?? 0;
    ts.forEachChild(node, visit);
  };
  visit(file);
  return { nodes, errors: (file as unknown as { parseDiagnostics: unknown[] }).parseDiagnostics.length, jsDocs };
}

describe("declaration files with plain comments", function () {
  this.timeout(120000);

  it("keep every node at its position in the standard library, @types/node and TensorFlow.js, without JSDoc", () => {
    const files = [
      ...fs.readdirSync(libDir).filter((f) => /^lib\..*\.d\.ts$/.test(f)).map((f) => path.join(libDir, f)),
      ...declarationFiles(path.dirname(require.resolve("@types/node/package.json"))),
      ...declarationFiles(path.join(path.dirname(require.resolve("@tensorflow/tfjs-core/package.json")), "dist")),
    ];
    expect(files.length).to.be.greaterThan(500);
    let docsBefore = 0;
    for (const file of files) {
      const text = fs.readFileSync(file, "utf8");
      const plain = withPlainComments(text);
      expect(plain.length, file).to.equal(text.length);
      const written = tree(file, text);
      const read = tree(file, plain);
      expect(read.nodes, file).to.deep.equal(written.nodes);
      expect(read.errors, file).to.equal(written.errors);
      expect(read.jsDocs, file).to.equal(0);
      docsBefore += written.jsDocs;
    }
    expect(docsBefore).to.be.greaterThan(5000);
  });

  it("changes only doc comments that open a line", () => {
    expect(withPlainComments("  /** Doc. */\n  f(): void;\n")).to.equal("  /*  Doc. */\n  f(): void;\n");
    expect(withPlainComments('type T = "a /** b";\n/**/\n')).to.equal('type T = "a /** b";\n/**/\n');
  });

  it("are read so from installed packages and TypeScript's lib only, and each is recorded", () => {
    const reader = readingPlainComments(ts.sys, libDir);
    const es5 = path.join(libDir, "lib.es5.d.ts");
    const globals = require.resolve("@types/node/globals.d.ts");
    expect(reader.system.readFile(es5)).to.not.match(/^\s*\/\*\*/m);
    expect(reader.system.readFile(globals)).to.not.match(/^\s*\/\*\*/m);
    const own = path.resolve(__dirname, "..", "..", "lib", "index.d.ts");
    expect(fs.existsSync(own), own).to.equal(true);
    expect(reader.system.readFile(own)).to.equal(fs.readFileSync(own, "utf8"));
    const packageJson = path.join(libDir, "..", "package.json");
    expect(reader.system.readFile(packageJson)).to.equal(fs.readFileSync(packageJson, "utf8"));
    expect([...reader.changed].sort()).to.deep.equal([es5, globals].sort());
    expect(reader.written(es5)).to.equal(fs.readFileSync(es5, "utf8"));
  });

  describe("inspection", () => {
    disposeEngineAfterSuite();

    const inspected = async (code: string, cursor = code.length): Promise<string> => {
      const info = await engine().inspect(code, cursor, 0);
      expect(info.found, code).to.equal(true);
      return String(info.data["text/plain"]);
    };

    it("shows the docs of the standard library, @types/node and TensorFlow.js", async () => {
      expect(await inspected("Math.max")).to.include("Returns the larger of a set of supplied numeric expressions.");
      expect(await inspected("process.cwd")).to.include("current working directory");
      expect(resultText(await run('import * as tf from "@tensorflow/tfjs";\ntypeof tf.tensor'))).to.equal("'function'");
      const tensor = await inspected("tf.tensor");
      expect(tensor).to.include("function tensor");
      expect(tensor).to.include("Creates a `tf.Tensor` with the provided values, shape and dtype.");
      // Again, from the same (now restored) files.
      expect(await inspected("Math.max")).to.include("Returns the larger of a set of supplied numeric expressions.");
    });

    it("and of a cell's own declarations", async () => {
      await run("/** Half of it. */\nconst halfOfIt = 21;");
      expect(await inspected("halfOfIt")).to.include("Half of it.");
    });
  });
});
