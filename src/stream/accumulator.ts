/**
 * `ChunkAccumulator`: folds the chunks of one streamed completion into a `ChatResponse`-shaped object and turns
 * each into typed events for a sink. It keeps only what the chunks said: no timers, no stream state.
 */
import { isOpenRouterError } from "../core/errors.js";
import { wireErrorOf, type WireError } from "../core/wire-error.js";
import { chatResultFromResponse, type Annotation, type ChatResult, type ReasoningDetail, type ResultContext, type Usage } from "../core/result.js";
import { plausibleCost } from "../core/plausible-cost.js";
import { type Json, isObject } from "../internal/json.js";
import type { ChatStreamEvent, ImageOutput } from "./events.js";
import { keepIdle, keepShape } from "./keep-alive.js";

/**
 * Where the events go. `delivering` false: nobody keeps them, so they are not built (`skip()` notes that one
 * was produced).
 */
export interface EventSink {
  readonly delivering: boolean;
  push(event: ChatStreamEvent): void;
  skip(): void;
}

interface Extras {
  details: ReasoningDetail[];
  detailSlots: Map<string, number>;
  calls: ToolAcc[];
  callByIndex: Map<number, ToolAcc>;
  annotations: Annotation[];
  images: ImageOutput[];
}

interface ToolAcc {
  index: number;
  id: string;
  type: string;
  name: string;
  arguments: string;
}

const EMPTY_DETAILS: ReasoningDetail[] = [];

/** Where a retired accumulator's events go: nowhere. */
const NO_SINK: EventSink = { delivering: false, push() {}, skip() {} };

/**
 * @example
 * const acc = new ChunkAccumulator({ delivering: true, push: (e) => console.log(e), skip() {} });
 * acc.fold({ choices: [{ index: 0, delta: { content: "Hi" } }] }); // logs { type: "content", text: "Hi" }
 */
export class ChunkAccumulator {
  /** Chunks folded in. */
  dataEvents = 0;
  /** Characters of text folded in (content, reasoning, refusal, tool arguments, audio), for `maxResponseBytes`. */
  textChars = 0;
  /** A piece of the answer (text, reasoning, a tool-call fragment) has arrived: the time to first token is due. */
  sawToken = false;
  id: string | undefined;
  finishReason: string | null = null;
  /** A choice's in-band error, kept for the assembled response. */
  choiceError: WireError | undefined;
  private out: EventSink;
  private created: unknown;
  private model: string | undefined;
  private provider: string | undefined;
  private systemFingerprint: unknown;
  private serviceTier: unknown;
  private usage: Usage | undefined;
  private openrouterMetadata: unknown;
  private role = "assistant";
  private content = "";
  private reasoning = "";
  private refusal: string | undefined;
  /** Reasoning details, tool calls, annotations, images: created on first use (see {@link more}). */
  private extras: Extras | undefined;
  private audio: Json | undefined;
  private logprobs: { content: unknown[]; refusal: unknown[] } | undefined;
  private nativeFinishReason: string | null = null;

  constructor(out: EventSink) {
    this.out = out;
  }

  /** Folds one chunk in; true when a choice reported an error (its `error`, or `finish_reason: "error"`). */
  fold(chunk: Json): boolean {
    // Kept once: a copy per stream would put a stringify and a parse on every stream for no gain.
    if (++this.dataEvents === 2) keepShape("text", chunk);
    const id = chunk["id"];
    if (this.id === undefined && typeof id === "string" && id !== "") this.id = id;
    const model = chunk["model"];
    if (typeof model === "string" && model !== "" && model !== this.model) this.model = model;
    const provider = chunk["provider"];
    if (typeof provider === "string" && provider !== "" && provider !== this.provider) this.provider = provider;
    if (this.created === undefined && chunk["created"] !== undefined) this.created = chunk["created"];
    if (chunk["system_fingerprint"] != null) this.systemFingerprint = chunk["system_fingerprint"];
    if (chunk["service_tier"] != null) this.serviceTier = chunk["service_tier"];
    if (chunk["openrouter_metadata"] !== undefined) this.openrouterMetadata = chunk["openrouter_metadata"];

    let choiceFailed = false;
    const choices = chunk["choices"];
    if (Array.isArray(choices)) {
      for (let i = 0; i < choices.length; i++) {
        const choice: unknown = choices[i];
        // One assembled answer: choice 0 (OpenRouter does not stream n > 1).
        if (isObject(choice) && (choice["index"] === undefined || choice["index"] === 0)) {
          if (this.applyChoice(choice)) choiceFailed = true;
        }
      }
    }

    const usage = chunk["usage"];
    if (isObject(usage)) {
      keepShape("usage", chunk);
      this.usage = usage as Usage;
      if (this.out.delivering) this.out.push({ type: "usage", usage: usage as Usage, cost: plausibleCost(usage["cost"]) });
      else this.out.skip();
    }
    return choiceFailed;
  }

  /** Folds one choice delta into the accumulator; true when it reports an error. */
  private applyChoice(choice: Json): boolean {
    const delta = choice["delta"];
    if (isObject(delta)) {
      const role = delta["role"];
      if (typeof role === "string" && role !== "" && role !== this.role) this.role = role;

      const reasoning = delta["reasoning"] ?? delta["reasoning_content"];
      const reasoningText = typeof reasoning === "string" ? reasoning : "";
      const details = delta["reasoning_details"];
      const hasDetails = Array.isArray(details) && details.length > 0;
      if (reasoningText !== "" || hasDetails) {
        this.reasoning += reasoningText;
        this.textChars += reasoningText.length;
        if (hasDetails) for (const d of details) if (isObject(d)) this.mergeDetail(d);
        this.sawToken = true;
        if (this.out.delivering) this.out.push({ type: "reasoning", text: reasoningText, details: hasDetails ? (details as ReasoningDetail[]) : EMPTY_DETAILS });
        else this.out.skip();
      }

      let content = delta["content"];
      if (Array.isArray(content)) content = textOfParts(content);
      if (typeof content === "string" && content !== "") {
        this.content += content;
        this.textChars += content.length;
        this.sawToken = true;
        if (this.out.delivering) this.out.push({ type: "content", text: content });
        else this.out.skip();
      }

      const refusal = delta["refusal"];
      if (typeof refusal === "string" && refusal !== "") {
        this.refusal = (this.refusal ?? "") + refusal;
        this.textChars += refusal.length;
        this.sawToken = true;
        if (this.out.delivering) this.out.push({ type: "refusal", text: refusal });
        else this.out.skip();
      }

      const toolCalls = delta["tool_calls"];
      if (Array.isArray(toolCalls)) {
        for (const fragment of toolCalls) if (isObject(fragment)) this.applyToolFragment(fragment);
      }

      const annotations = delta["annotations"];
      if (Array.isArray(annotations)) {
        for (const annotation of annotations) {
          this.more.annotations.push(annotation as Annotation);
          if (this.out.delivering) this.out.push({ type: "annotation", annotation: annotation as Annotation });
          else this.out.skip();
        }
      }

      const images = delta["images"];
      if (Array.isArray(images)) {
        for (const image of images) {
          this.more.images.push(image as ImageOutput);
          if (this.out.delivering) this.out.push({ type: "image", image: image as ImageOutput });
          else this.out.skip();
        }
      }

      const audio = delta["audio"];
      if (isObject(audio)) this.mergeAudio(audio);
    }

    const logprobs = choice["logprobs"];
    if (isObject(logprobs)) {
      const acc = (this.logprobs ??= { content: [], refusal: [] });
      if (Array.isArray(logprobs["content"])) for (const p of logprobs["content"]) acc.content.push(p);
      if (Array.isArray(logprobs["refusal"])) for (const p of logprobs["refusal"]) acc.refusal.push(p);
    }

    const nativeFinish = choice["native_finish_reason"];
    if (typeof nativeFinish === "string") this.nativeFinishReason = nativeFinish;
    const finish = choice["finish_reason"];
    if (typeof finish === "string" && finish !== "") {
      const first = this.finishReason === null;
      this.finishReason = finish;
      if (first) {
        if (this.out.delivering) this.out.push({ type: "finish", finishReason: finish, nativeFinishReason: this.nativeFinishReason });
        else this.out.skip();
      }
    }
    const choiceError = choice["error"] === undefined ? undefined : wireErrorOf(choice);
    if (choiceError !== undefined) this.choiceError = choiceError;
    return choiceError !== undefined || finish === "error";
  }

  /**
   * Joins tool-call fragments. With `index`: per index (a fragment with a different id at a taken index starts
   * a new call). Without `index`: a new id starts a new call, a known id continues that call, no id continues
   * the last call.
   */
  private applyToolFragment(fragment: Json): void {
    const fn = isObject(fragment["function"]) ? fragment["function"] : undefined;
    const rawId = fragment["id"];
    const id = typeof rawId === "string" && rawId !== "" ? rawId : undefined;
    const index = fragment["index"];
    let call: ToolAcc | undefined;
    if (typeof index === "number") {
      call = this.more.callByIndex.get(index);
      if (call === undefined) call = this.newCall(index);
      else if (id !== undefined && call.id !== "" && call.id !== id) call = this.newCall(this.nextCallIndex());
    } else if (id !== undefined) {
      call = this.more.calls.find((c) => c.id === id) ?? this.newCall(this.nextCallIndex());
    } else {
      call = this.more.calls[this.more.calls.length - 1] ?? this.newCall(this.nextCallIndex());
    }
    if (id !== undefined && call.id === "") call.id = id;
    const type = fragment["type"];
    if (typeof type === "string" && type !== "") call.type = type;
    const rawName = fn?.["name"];
    const name = typeof rawName === "string" && rawName !== "" ? rawName : undefined;
    if (name !== undefined && call.name === "") call.name = name;
    const rawArgs = fn?.["arguments"];
    const args = typeof rawArgs === "string" ? rawArgs : rawArgs == null ? "" : JSON.stringify(rawArgs);
    call.arguments += args;
    this.textChars += args.length;
    this.sawToken = true;
    if (this.out.delivering) this.out.push({ type: "tool_call", index: call.index, id, name, argumentsDelta: args });
    else this.out.skip();
  }

  private newCall(index: number): ToolAcc {
    const call: ToolAcc = { index, id: "", type: "function", name: "", arguments: "" };
    this.more.calls.push(call);
    this.more.callByIndex.set(index, call);
    return call;
  }

  private nextCallIndex(): number {
    let next = 0;
    for (const c of this.more.calls) if (c.index >= next) next = c.index + 1;
    return next;
  }

  /**
   * Merges reasoning_details deltas into whole entries, one per (type, index) (or per id when there is no
   * index): `text` and `summary` pieces are concatenated; other fields (signature, data, id, format) keep
   * the latest non-empty value.
   */
  private mergeDetail(delta: Json): void {
    const type = typeof delta["type"] === "string" ? delta["type"] : "";
    const index = delta["index"];
    const key = typeof index === "number" ? `${type}#${index}` : typeof delta["id"] === "string" ? `${type}@${delta["id"]}` : type;
    const { details, detailSlots } = this.more;
    const slot = detailSlots.get(key);
    if (slot === undefined) {
      detailSlots.set(key, details.length);
      details.push({ ...delta } as ReasoningDetail);
      return;
    }
    const entry = details[slot] as unknown as Json;
    for (const field of Object.keys(delta)) {
      const value = delta[field];
      if (field === "text" || field === "summary") {
        if (typeof value === "string") {
          entry[field] = typeof entry[field] === "string" ? (entry[field] as string) + value : value;
          this.textChars += value.length;
        }
      } else if (value === null || value === undefined || value === "") {
        if (!(field in entry)) entry[field] = value;
      } else {
        entry[field] = value;
      }
    }
  }

  private mergeAudio(delta: Json): void {
    const acc = (this.audio ??= {});
    for (const field of Object.keys(delta)) {
      const value = delta[field];
      if ((field === "data" || field === "transcript") && typeof value === "string") {
        acc[field] = typeof acc[field] === "string" ? (acc[field] as string) + value : value;
        this.textChars += value.length;
      } else if (value != null) {
        acc[field] = value;
      }
    }
  }

  /** The rarely used accumulators, created on first use: a plain text stream never allocates them. */
  private get more(): Extras {
    return (this.extras ??= { details: [], detailSlots: new Map(), calls: [], callByIndex: new Map(), annotations: [], images: [] });
  }

  /** The accumulator as a `ChatResponse`-shaped object, for `chatResultFromResponse`. */
  toResponse(generationId: string | undefined): Json {
    const x = this.extras;
    const calls = x?.calls ?? [];
    const message: Json = {
      role: this.role,
      content: this.content === "" && calls.length > 0 ? null : this.content,
      reasoning: this.reasoning === "" ? null : this.reasoning,
      refusal: this.refusal ?? null,
    };
    if (x && x.details.length > 0) message["reasoning_details"] = x.details;
    if (calls.length > 0) {
      message["tool_calls"] = calls
        .slice()
        .sort((a, b) => a.index - b.index)
        .map((c) => ({ index: c.index, id: c.id, type: c.type, function: { name: c.name, arguments: c.arguments } }));
    }
    if (x && x.annotations.length > 0) message["annotations"] = x.annotations;
    if (x && x.images.length > 0) message["images"] = x.images;
    if (this.audio !== undefined) message["audio"] = this.audio;
    const choice: Json = {
      index: 0,
      finish_reason: this.finishReason,
      native_finish_reason: this.nativeFinishReason,
      message,
    };
    if (this.logprobs !== undefined) choice["logprobs"] = this.logprobs;
    if (this.choiceError !== undefined) choice["error"] = this.choiceError;
    const raw: Json = {};
    const id = this.id ?? generationId;
    if (id !== undefined) raw["id"] = id;
    raw["object"] = "chat.completion";
    if (this.created !== undefined) raw["created"] = this.created;
    if (this.model !== undefined) raw["model"] = this.model;
    if (this.provider !== undefined) raw["provider"] = this.provider;
    if (this.systemFingerprint !== undefined) raw["system_fingerprint"] = this.systemFingerprint;
    if (this.serviceTier !== undefined) raw["service_tier"] = this.serviceTier;
    raw["choices"] = this.dataEvents > 0 ? [choice] : [];
    if (this.usage !== undefined) raw["usage"] = this.usage;
    if (this.openrouterMetadata !== undefined) raw["openrouter_metadata"] = this.openrouterMetadata;
    return raw;
  }

  /**
   * The stream is over and its result built: every field goes back to a fresh accumulator's value (nothing of the
   * stream is kept, and no more events go anywhere) and this becomes the read path's idle instance (see keep-alive.ts).
   */
  retire(): void {
    // Copied from a fresh one, so a field added to the class is reset here too; its sink takes no events.
    Object.assign(this, new ChunkAccumulator(NO_SINK));
    keepIdle(this);
  }


  /** Everything received so far as a `ChatResult`, for `error.partial`; undefined before the first data event. */
  snapshot(generationId: string | undefined, context: ResultContext): ChatResult | undefined {
    if (this.dataEvents === 0) return undefined;
    try {
      return chatResultFromResponse(this.toResponse(generationId), context);
    } catch (e) {
      // A choice with finish_reason "error" makes the builder throw; the result is still on the error.
      return isOpenRouterError(e) ? e.partial : undefined;
    }
  }
}

/** Content sent as an array of parts (rare upstreams): its text. */
function textOfParts(parts: unknown[]): string {
  let text = "";
  for (const part of parts) if (isObject(part) && typeof part["text"] === "string") text += part["text"];
  return text;
}

/** The idle instance until the first accumulator retires (see keep-alive.ts). */
export const KEEP = new ChunkAccumulator(NO_SINK);
