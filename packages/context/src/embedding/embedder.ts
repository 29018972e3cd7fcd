/** Turns texts into L2-normalised vectors. Implement it to plug in any embedding model. */
export interface Embedder {
  /** Part of every embedding-cache key: vectors of different models never mix. */
  readonly modelName: string;
  /** One vector per text, in order, each of unit length. Throws when the model cannot be loaded. */
  embed(texts: readonly string[], options?: { abortSignal?: AbortSignal }): Promise<Float32Array[]>;
  /** Loads the model now rather than at the first `embed`. */
  load?(options?: { abortSignal?: AbortSignal }): Promise<void>;
  dispose?(): Promise<void>;
}
