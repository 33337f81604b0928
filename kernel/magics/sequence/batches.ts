/**
 * Turning what a user has at hand — an array of batches, a function returning one, or an
 * iterator/generator — into the batch source lib/train's loop takes.
 */
import type { BatchContext, BatchSource } from "../../../lib/train/loop";

type AnyIterator = { next(): IteratorResult<unknown> | Promise<IteratorResult<unknown>> };

export function isIterator(value: unknown): value is AnyIterator {
  return value !== null && typeof value === "object" && typeof (value as AnyIterator).next === "function";
}

function iteratorOf(value: unknown): AnyIterator | undefined {
  if (isIterator(value)) return value;
  if (value !== null && typeof value === "object") {
    const v = value as Record<symbol, unknown>;
    if (typeof v[Symbol.iterator] === "function") return (v[Symbol.iterator] as () => AnyIterator)();
    if (typeof v[Symbol.asyncIterator] === "function") return (v[Symbol.asyncIterator] as () => AnyIterator)();
  }
  return undefined;
}

/** Whether `value` can feed training (checked before anything runs). */
export function isBatchSourceLike(value: unknown): boolean {
  if (typeof value === "function") return true;
  if (Array.isArray(value)) return value.length > 0;
  return iteratorOf(value) !== undefined && typeof value !== "string";
}

/**
 * Arrays are cycled in order and their tensors are left alone; functions are called with
 * lib/train's { batchIndex, epoch, rng } (a function of no arguments works too); an
 * iterator is drawn from one batch per step and running out of batches is an error that
 * says how many it gave. Batches from functions and iterators are disposed after use.
 */
export function toBatchSource<B>(value: unknown): BatchSource<B> {
  if (Array.isArray(value)) return value as B[];
  if (typeof value === "function") return value as (ctx: BatchContext) => B | Promise<B>;
  const iterator = iteratorOf(value);
  if (!iterator) throw new TypeError("batches must be an array, a function returning a batch, or an iterator");
  let drawn = 0;
  return async () => {
    const next = await iterator.next();
    if (next.done) {
      throw new Error(`the batch iterator ran out after ${drawn} batches; ask for fewer --steps, or pass a function that makes a new batch each call`);
    }
    drawn++;
    return next.value as B;
  };
}
