/**
 * Saving and loading tf.layers models to a directory without tfjs-node: model.json plus
 * weights.bin, the same files tfjs-node's file:// handler writes, so either can read the
 * other's. Registered as the file:// handler only when no other handler claims file://
 * (tfjs-node brings its own), so `model.save("file://dir")` and
 * `tf.loadLayersModel("file://dir/model.json")` work on every backend.
 */
import * as tf from "@tensorflow/tfjs";
import * as fs from "fs";
import * as path from "path";
import { checkWeightData } from "./weight-data-check";

const MODEL_FILE = "model.json";
const WEIGHTS_FILE = "weights.bin";

function joinWeights(data: ArrayBuffer | ArrayBuffer[] | undefined): ArrayBuffer {
  if (data === undefined) return new ArrayBuffer(0);
  return Array.isArray(data) ? tf.io.CompositeArrayBuffer.join(data) : data;
}

/**
 * `mkdir -p` done one level at a time. Node's own recursive mkdir never returns under a
 * parent that refuses new entries (/proc): it retries forever on a thread-pool thread at
 * full CPU, which no interrupt can stop.
 */
async function makeDirectory(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let p = path.resolve(dir); ; p = path.dirname(p)) {
    const stat = await fs.promises.stat(p).catch((err: NodeJS.ErrnoException) => {
      // ENOTDIR: a file further up; the walk reaches it and says so.
      if (err.code !== "ENOENT" && err.code !== "ENOTDIR") throw cannotSave(dir, `cannot look at ${p}`, err);
      return undefined;
    });
    if (stat?.isDirectory()) break;
    if (stat) throw cannotSave(dir, `${p} is a file, not a directory`);
    missing.unshift(p);
    if (path.dirname(p) === p) break;
  }
  for (const p of missing) {
    await fs.promises.mkdir(p).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== "EEXIST") throw cannotSave(dir, `cannot create ${p}`, err);
    });
  }
}

function cannotSave(dir: string, what: string, err?: NodeJS.ErrnoException): Error {
  const why = err ? ` (${err.code ?? err.message})` : "";
  return new Error(`Cannot save the model to ${dir}: ${what}${why}. Choose a directory you can write to, e.g. model.save("file://./my-model").`);
}

/** A directory, or a path to its model.json. */
function modelDir(target: string): string {
  return target.endsWith(".json") ? path.dirname(target) : target;
}

/** An IOHandler that saves to and loads from `dir` (created when saving). */
export function fileModelHandler(target: string): tf.io.IOHandler {
  const dir = modelDir(target);
  const modelPath = target.endsWith(".json") ? target : path.join(dir, MODEL_FILE);
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new Error("fileModelHandler saves layers models (JSON topology); this model has a binary graph topology");
      }
      await makeDirectory(dir);
      const weights = joinWeights(artifacts.weightData);
      const manifest: tf.io.WeightsManifestConfig = [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }];
      const json: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology as {},
        weightsManifest: manifest,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
      };
      if (artifacts.trainingConfig != null) json.trainingConfig = artifacts.trainingConfig;
      if (artifacts.userDefinedMetadata != null) json.userDefinedMetadata = artifacts.userDefinedMetadata;
      // Write weights first so a model.json on disk always has its weights beside it.
      const write = (file: string, data: string | Buffer) =>
        fs.promises.writeFile(file, data).catch((err: NodeJS.ErrnoException) => {
          throw cannotSave(dir, `cannot write ${file}`, err);
        });
      await write(path.join(dir, WEIGHTS_FILE), Buffer.from(weights));
      await write(modelPath, JSON.stringify(json));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
    async load(): Promise<tf.io.ModelArtifacts> {
      let text: string;
      try {
        text = await fs.promises.readFile(modelPath, "utf8");
      } catch (err) {
        throw new Error(`No model at ${modelPath} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); save one with model.save("file://${dir}")`);
      }
      const json = JSON.parse(text) as tf.io.ModelJSON;
      if (json.modelTopology == null) throw new Error(`${modelPath} has no modelTopology; is it a tfjs layers model.json?`);
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs: tf.io.WeightsManifestEntry[] = [];
        const buffers: ArrayBuffer[] = [];
        const files: string[] = [];
        for (const group of manifest) {
          specs.push(...group.weights);
          for (const p of group.paths) {
            const file = path.join(path.dirname(modelPath), p);
            const bytes = await fs.promises.readFile(file).catch((err: NodeJS.ErrnoException) => {
              throw new Error(`Cannot read ${file}, the weights of ${modelPath} (${err.code ?? err.message}); save the model again.`);
            });
            files.push(file);
            buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
          }
        }
        const data = tf.io.CompositeArrayBuffer.join(buffers);
        checkWeightData(specs, data, files, modelPath);
        return [specs, data];
      });
    },
  };
}

const SCHEME = "file://";

// A router answers null for URLs that are not its own (tf.io's IORouter type omits that).
const fileRouter = ((url: string | string[]): tf.io.IOHandler | null => {
  if (Array.isArray(url) || !url.startsWith(SCHEME)) return null;
  return fileModelHandler(url.slice(SCHEME.length));
}) as unknown as Parameters<typeof tf.io.registerSaveRouter>[0];

let registered = false;

/** Make file:// work for model.save/tf.loadLayersModel unless another handler (tfjs-node) has it. */
export function registerFileModelHandler(): boolean {
  if (registered) return true;
  if (tf.io.getSaveHandlers(`${SCHEME}probe`).length > 0) return false;
  tf.io.registerSaveRouter(fileRouter);
  tf.io.registerLoadRouter(fileRouter);
  registered = true;
  return true;
}

registerFileModelHandler();
