// Type declarations of tokscope, libtokscope compiled to WebAssembly (an ES module; the module
// is ready when the import resolves).

/** An error of the library: status is its tok_status name. */
export class TokscopeError extends Error {
  readonly status: 'ENOMEM' | 'EINVAL' | 'ERANGE' | 'ENOENT' | 'EIO' | 'EFORMAT' | 'EUNSUPPORTED' |
    'EUTF8' | 'ESPECIAL' | 'EID';
}

/** Text, or UTF-8 bytes (for text that may not be valid UTF-8). */
export type Input = string | Uint8Array;
/** tiktoken's special-token arguments: "all" or a list of special-token texts. */
export type SpecialTokens = 'all' | readonly string[];

export interface EncodeOptions {
  /** Add the tokenizer's own BOS/EOS or template (tokenizer.json and .model files). */
  addSpecialTokens?: boolean;
  /** Read invalid UTF-8 in byte input as U+FFFD instead of throwing EUTF8. */
  lossy?: boolean;
}

export interface Estimate {
  encoding: string;
  factor: string | null;
  low: string | null;
  high: string | null;
  basis: string;
}

export interface ChatPart {
  tokens: number;
  exact: boolean;
  items: number;
  unknown: number;
  source: string | null;
}

export interface ChatCount {
  total: number;
  totalLow: number;
  totalHigh: number;
  exact: boolean;
  complete: boolean;
  api: 'openai' | 'responses' | 'anthropic' | 'gemini';
  convention: 'openai' | 'harmony' | 'llama3' | 'chatml' | 'gemini' | 'template' | 'anthropic';
  model: string;
  prefix: number;
  reply: number;
  tokensPerMessage: number;
  tokensPerName: number;
  note: string | null;
  parts: Partial<Record<'framing' | 'system' | 'text' | 'tool_definitions' | 'tool_calls' | 'images' | 'files' | 'reply', ChatPart>>;
  messages: { role: string; path: string; content: number; overhead: number; total: number; exact: boolean }[];
}

export class Tokenizer {
  private constructor();
  /** tokenizer.json, SentencePiece .model, .tiktoken (another than OpenAI's four needs
   * pattern: an encoding name or a regex) or a tokscope pack (.tkz); told from the content. */
  static fromBytes(bytes: Uint8Array | ArrayBuffer, options?: { name?: string; pattern?: string }): Tokenizer;
  readonly name: string;
  readonly format: 'tiktoken' | 'huggingface' | 'sentencepiece';
  readonly vocabSize: number;
  readonly pattern: string;
  readonly specialTokens: Map<string, number>;
  /** For getModelTokenizer: the model, and whether its counts are exact or estimates. */
  readonly model: string | null;
  readonly exact: boolean;
  readonly estimate: Estimate | null;
  isSpecial(id: number): boolean;
  tokenBytes(id: number): Uint8Array;
  /** tiktoken's rules: allowedSpecial (default none) become special tokens; disallowedSpecial
   * (default "all": every special token not allowed) found in the text throw. */
  encode(text: Input, allowedSpecial?: SpecialTokens, disallowedSpecial?: SpecialTokens, options?: EncodeOptions): Uint32Array;
  /** Special-token text as plain text (tiktoken's encode_ordinary). */
  encodeOrdinary(text: Input, options?: EncodeOptions): Uint32Array;
  /** Ids and byte offsets in the UTF-8 text: offsets[2i], offsets[2i+1] of token i. */
  encodeWithOffsets(text: Input, options?: EncodeOptions & { specialTokens?: 'all' | 'none' }): { ids: Uint32Array; offsets: Uint32Array };
  count(text: Input, allowedSpecial?: SpecialTokens, disallowedSpecial?: SpecialTokens, options?: EncodeOptions): number;
  decode(ids: ArrayLike<number>, options?: { skipSpecialTokens?: boolean }): string;
  decodeBytes(ids: ArrayLike<number>, options?: { skipSpecialTokens?: boolean }): Uint8Array;
  /** A conversation (messages, a request body, or its JSON) as the model sees it. */
  countChat(messages: unknown, options?: {
    model?: string;
    convention?: 'openai' | 'harmony' | 'llama3' | 'chatml' | 'gemini';
    api?: 'openai' | 'responses' | 'anthropic' | 'gemini';
    addGenerationPrompt?: boolean;
    templateVars?: Record<string, unknown>;
  }): ChatCount;
  /** Release the memory it holds in the module; using it afterwards throws. */
  free(): void;
}
export { Tokenizer as Encoding };

export function getEncoding(name: 'gpt2' | 'r50k_base' | 'p50k_base' | 'p50k_edit' | 'cl100k_base' | 'o200k_base' | 'o200k_harmony' | string): Tokenizer;
export function encodingForModel(model: string): Tokenizer;
export function listEncodings(): string[];
/** A registry model's (or OpenAI model's) tokenizer: exact when its vocabulary is at hand,
 * else its estimating encoding with exact false. */
export function getModelTokenizer(model: string): Tokenizer;
/** Make sure the vocabulary files a name needs are loaded (browsers: before the synchronous
 * openers). Resolves to the files that are not available. */
export function load(name: string): Promise<string[]>;
export function setFileSource(source: (name: string) => Uint8Array | null | Promise<Uint8Array | null>): void;
export function init(options?: { wasmBinary?: Uint8Array; files?: (name: string) => Uint8Array | null | Promise<Uint8Array | null> }): Promise<void>;

export interface Model {
  id: string;
  provider: string;
  aliases: string[];
  tokenizer: string;
  tokenizerBuiltin: boolean;
  approxEncoding: string;
  approxFactor: string | null;
  approxLow: string | null;
  approxHigh: string | null;
  maxInput: number;
  context: number;
  maxOutput: number;
  /** Dollars per million tokens, exact decimals; null when not published. */
  pricesPerMillion: { input: string | null; output: string | null; cachedInput: string | null;
    cacheWrite: string | null; batchInput: string | null; batchOutput: string | null };
  source: string;
  date: string;
  notes: string;
  basis: string;
}
export function models(): Model[];
export function getModel(name: string): Model;

export interface ModelCount {
  count: number;
  exact: boolean;
  low: number;
  high: number;
  basis: string;
  tokenizer: string;
  factor?: string;
}
export function countForModel(model: string, text: Input, options?: { tokenizer?: Tokenizer; count?: number }): ModelCount;

export interface Cost {
  model: string;
  fit: { fits: boolean; why: string | null; window: number; usedBasisPoints: number; leftForOutput: number | null };
  /** Exact decimal dollars; null when a needed price is not published. */
  usd: { input: string | null; cachedInput: string | null; cacheWrite: string | null; output: string | null;
    total: string | null; callsTotal: string | null };
  calls: number;
  callsTotalNano: string | null;
  tierAbove: number;
}
export function cost(model: string, request?: { inputTokens?: number; cachedTokens?: number;
  cacheWriteTokens?: number; outputTokens?: number; calls?: number; batch?: boolean }): Cost;

export interface ExplainRecord {
  word: string;
  kind: 'word' | 'number';
  start: number;
  end: number;
  split: boolean;
  shown: string;
  tokenizers: { tokenizer: string; tokens: number; ids: number[]; pieces: (string | null)[]; shown: string;
    digits?: number[]; rule?: 'single' | 'one' | 'left3' | 'right3' | 'learned' }[];
}
export function explain(text: string, tokenizers: Tokenizer[], names: string[],
  options?: { limit?: number; encodings?: { ids: Uint32Array; offsets: Uint32Array }[] }): ExplainRecord[];

export function showHtml(tok: Tokenizer, enc: { ids: Uint32Array; offsets: Uint32Array }, from: number, unit: number,
  max: number, byId?: boolean): { html: string; next: number; nextUnit: number };
export function showChunks(tok: Tokenizer, ids: Uint32Array, max: number): number[];
export function showGroups(tok: Tokenizer, ids: Uint32Array): { groups: number; grouped: number };
export function showCss(): string;
export function memorySize(): number;
export function version(): string;
