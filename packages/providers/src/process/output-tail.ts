/** Keeps the last `maxChars` characters of a stream of text. */
export class OutputTail {
  readonly #maxChars: number;
  #text = '';
  #droppedChars = 0;

  constructor(maxChars: number) {
    this.#maxChars = maxChars;
  }

  append(text: string): void {
    this.#text += text;
    if (this.#text.length > this.#maxChars * 2) {
      const cut = this.#text.length - this.#maxChars;
      this.#droppedChars += cut;
      this.#text = this.#text.slice(cut);
    }
  }

  /** The kept text, starting at a line boundary when some was dropped. */
  toString(): string {
    const overflow = this.#text.length - this.#maxChars;
    if (overflow <= 0 && this.#droppedChars === 0) return this.#text;
    let body = overflow > 0 ? this.#text.slice(overflow) : this.#text;
    const newline = body.indexOf('\n');
    if (newline >= 0 && newline < 200) body = body.slice(newline + 1);
    return `…(earlier output omitted)\n${body}`;
  }
}
