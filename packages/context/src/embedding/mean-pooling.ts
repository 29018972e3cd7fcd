/**
 * Mean pooling over the attention mask, then L2 normalisation, on a raw `last_hidden_state`
 * `[batch, sequence, hidden]` laid out row-major. Plain loops over typed arrays: transformers'
 * own `mean_pooling` goes through a Proxy and a BigInt per element and is far slower.
 *
 * @returns one contiguous `Float32Array` of `batch * hidden`; row `b` is sentence `b`.
 */
export function meanPoolAndNormalize(hiddenState: Float32Array, attentionMask: ArrayLike<number | bigint>, batch: number, sequence: number, hidden: number): Float32Array {
  const pooled = new Float32Array(batch * hidden);
  for (let row = 0; row < batch; row += 1) {
    const target = row * hidden;
    let count = 0;
    for (let position = 0; position < sequence; position += 1) {
      const tokenIndex = row * sequence + position;
      if (Number(attentionMask[tokenIndex]) === 0) continue;
      count += 1;
      const source = tokenIndex * hidden;
      for (let column = 0; column < hidden; column += 1) pooled[target + column] = (pooled[target + column] as number) + (hiddenState[source + column] as number);
    }
    let norm = 0;
    for (let column = 0; column < hidden; column += 1) {
      const mean = (pooled[target + column] as number) / Math.max(count, 1);
      pooled[target + column] = mean;
      norm += mean * mean;
    }
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let column = 0; column < hidden; column += 1) pooled[target + column] = (pooled[target + column] as number) * scale;
  }
  return pooled;
}

/** Scales a vector to unit length in place (a zero vector stays zero). */
export function normalizeInPlace(vector: Float32Array): Float32Array {
  let norm = 0;
  for (const value of vector) norm += value * value;
  if (norm > 0) {
    const scale = 1 / Math.sqrt(norm);
    for (let index = 0; index < vector.length; index += 1) vector[index] = (vector[index] as number) * scale;
  }
  return vector;
}
