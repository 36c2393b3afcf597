/**
 * A multi-turn conversation: system prompt, model and history, with usage and cost per conversation,
 * persistence (`toJSON()` / `Conversation.fromJSON()`) and a history budget.
 *
 * The budget trims what is *sent*, not what is kept: the oldest turns are left out of a request until the
 * estimated prompt fits. A turn is a user message with every assistant and tool message after it, so a tool
 * call is never separated from its result, and the system prompt and the current turn are never dropped.
 * `messages` always holds the full history (persist it, show it); `window()` shows what the next request
 * will carry. Estimates come from `estimateTokens` (src/accounting/tokens.ts), a character heuristic; leave head-room.
 *
 * Tool runs are delegated to `src/agents/agent.ts` with a dynamic import, so a bundle that only chats never
 * includes the agent (nor ajv).
 */
import type { CallOptions, ChatCaller, ChatParams } from "./caller.js";
import type { ContentPart } from "../core/content.js";
import { InvalidArgumentError } from "../core/errors.js";
import { validateConversationSnapshot } from "../generated/validators/index.js";
import type { ChatMessage, ChatResult, Usage } from "../core/result.js";
import type { RunToolsParams, RunToolsResult } from "./agent.js";
import type { ChatStreamEvent } from "../stream/chat-stream.js";
import { estimateTokens } from "../accounting/tokens.js";
import { sumUsage } from "../core/usage-sum.js";

/** The client methods a conversation needs (an `OpenRouter`, or anything shaped like it). */
export type ConversationClient = ChatCaller;

/** Chat parameters applied to every request of the conversation (temperature, provider, plugins…). */
export type ConversationParams = Omit<ChatParams, "model" | "messages">;

export interface ConversationOptions {
  model: string;
  /** The system prompt, sent first on every request and never trimmed. */
  system?: string;
  /** Earlier history (without the system prompt). */
  messages?: ChatMessage[];
  /** Defaults for every request. */
  params?: ConversationParams;
  /** Most estimated prompt tokens to send; older turns are left out beyond it. Default: no limit. */
  historyBudget?: number;
  /** Token estimate of a message list; default `estimateTokens` from src/accounting/tokens.ts. */
  estimate?: (messages: readonly ChatMessage[]) => number;
}

/** The persisted form; validated by `Conversation.fromJSON()` with a precompiled validator. */
export interface ConversationSnapshot {
  version: 1;
  model: string;
  system?: string;
  messages: ChatMessage[];
  params?: ConversationParams;
  historyBudget?: number;
  usage?: Usage;
  cost?: number;
}

/** A streamed turn: the chat stream's events, and `final()`; the reply joins the history when it completes. */
export interface ConversationStream extends AsyncIterable<ChatStreamEvent> {
  final(): Promise<ChatResult>;
}

type Content = string | ContentPart[];

function checkContent(content: unknown, verb: string): asserts content is Content {
  if (typeof content === "string") return;
  if (Array.isArray(content) && content.every((p) => typeof p === "object" && p !== null && typeof (p as { type?: unknown }).type === "string")) return;
  throw new InvalidArgumentError(`Conversation.${verb}(): content must be a string or an array of content parts (text(), image(), …)`);
}

/** Splits history into turns: each starts at a user message and runs to the next one. */
function turnsOf(messages: readonly ChatMessage[]): ChatMessage[][] {
  const turns: ChatMessage[][] = [];
  for (const m of messages) {
    if (m.role === "user" || turns.length === 0) turns.push([m]);
    else (turns.at(-1) as ChatMessage[]).push(m);
  }
  return turns;
}

/**
 * A conversation with one model.
 *
 * @example
 * const chat = new Conversation(client, { model: "openai/gpt-4o-mini", system: "Be brief.", historyBudget: 8000 });
 * await chat.send("Hi, I'm Ada.");
 * const { text } = await chat.send("What's my name?");
 * localStorage.setItem("chat", JSON.stringify(chat));
 * const again = Conversation.fromJSON(client, JSON.parse(localStorage.getItem("chat")!));
 */
export class Conversation {
  readonly #client: ConversationClient;
  readonly #history: ChatMessage[];
  readonly #estimate: (messages: readonly ChatMessage[]) => number;
  #usage: Usage | undefined;
  #cost: number | undefined;
  model: string;
  system: string | undefined;
  params: ConversationParams;
  historyBudget: number | undefined;

  constructor(client: ConversationClient, options: ConversationOptions) {
    if (typeof client !== "object" || client === null || typeof client.chat !== "function") {
      throw new InvalidArgumentError("new Conversation(client, options): client must be an OpenRouter client");
    }
    if (typeof options !== "object" || options === null) throw new InvalidArgumentError("new Conversation(): options with a model are required");
    if (typeof options.model !== "string" || options.model.trim() === "") throw new InvalidArgumentError("new Conversation(): options.model must be a non-empty string");
    if (options.system !== undefined && typeof options.system !== "string") throw new InvalidArgumentError("new Conversation(): options.system must be a string");
    if (options.messages !== undefined && !Array.isArray(options.messages)) throw new InvalidArgumentError("new Conversation(): options.messages must be an array");
    if (options.historyBudget !== undefined && !(Number.isInteger(options.historyBudget) && options.historyBudget > 0)) {
      throw new InvalidArgumentError("new Conversation(): options.historyBudget must be a positive integer (tokens)");
    }
    this.#client = client;
    this.model = options.model;
    this.system = options.system;
    this.params = { ...options.params };
    this.historyBudget = options.historyBudget;
    this.#history = (options.messages ?? []).filter((m) => m.role !== "system");
    this.#estimate = options.estimate ?? ((messages) => estimateTokens(messages));
  }

  /** The full history (without the system prompt), oldest first. A copy. */
  get messages(): ChatMessage[] {
    return [...this.#history];
  }

  /** Usage summed over every request of this conversation (including restored totals). */
  get usage(): Usage | undefined {
    return this.#usage;
  }

  /** Reported cost (USD) summed over every request of this conversation. */
  get cost(): number | undefined {
    return this.#cost;
  }

  /**
   * Appends a user message without sending it.
   *
   * @example
   * chat.user([text("What is this?"), imageUrl(url)]);
   */
  user(content: Content): this {
    checkContent(content, "user");
    this.#history.push({ role: "user", content } as ChatMessage);
    return this;
  }

  /**
   * The messages the next request will carry: the system prompt, then as many of the latest turns as fit
   * `historyBudget` (the latest turn always goes, even alone over budget).
   */
  window(): ChatMessage[] {
    const system: ChatMessage[] = this.system !== undefined ? [{ role: "system", content: this.system } as ChatMessage] : [];
    const turns = turnsOf(this.#history);
    if (this.historyBudget === undefined) return [...system, ...turns.flat()];
    let kept = turns;
    while (kept.length > 1 && this.#estimate([...system, ...kept.flat()]) > this.historyBudget) kept = kept.slice(1);
    return [...system, ...kept.flat()];
  }

  #record(result: { usage: Usage | undefined; cost: number | undefined }): void {
    this.#usage = sumUsage(this.#usage, result.usage);
    if (result.cost !== undefined) this.#cost = (this.#cost ?? 0) + result.cost;
  }

  #body(extra: ConversationParams | undefined): ChatParams {
    if (this.#history.length === 0) throw new InvalidArgumentError("Conversation: nothing to send; call user() or pass content");
    return { ...this.params, ...extra, model: this.model, messages: this.window() } as ChatParams;
  }

  /**
   * Sends the conversation (after appending `content` as a user message, when given) and appends the reply.
   * On failure the user message stays in the history: call `send()` again without content to retry.
   *
   * @example
   * const { text } = await chat.send("And in French?");
   */
  async send(content?: Content, options?: CallOptions & { params?: ConversationParams }): Promise<ChatResult> {
    if (content !== undefined) this.user(content);
    const { params, ...callOptions } = options ?? {};
    const result = await this.#client.chat(this.#body(params), callOptions);
    this.#history.push(result.message as ChatMessage);
    this.#record(result);
    return result;
  }

  /**
   * Streams the reply; it joins the history when the stream completes.
   *
   * @example
   * for await (const e of chat.stream("Tell me a story")) if (e.type === "content") write(e.text);
   */
  stream(content?: Content, options?: CallOptions & { params?: ConversationParams }): ConversationStream {
    if (content !== undefined) this.user(content);
    const { params, ...callOptions } = options ?? {};
    const inner = this.#client.chatStream(this.#body(params), callOptions);
    let recorded = false;
    const record = (result: ChatResult) => {
      if (recorded) return;
      recorded = true;
      this.#history.push(result.message as ChatMessage);
      this.#record(result);
    };
    return {
      async *[Symbol.asyncIterator]() {
        for await (const event of inner) {
          if (event.type === "done") record(event.result);
          yield event;
        }
      },
      async final() {
        const result = await inner.final();
        record(result);
        return result;
      },
    };
  }

  /**
   * Runs the tool loop on this conversation (appending `content` first, when given); every assistant and
   * tool message of the run joins the history, and its usage and cost are added.
   *
   * @example
   * const run = await chat.runTools({ tools: [weather], deps: { api } }, "Weather in Oslo?");
   */
  async runTools<Deps>(
    params: Omit<RunToolsParams<Deps>, "model" | "messages" | "stream">,
    content?: Content,
    options?: CallOptions,
  ): Promise<RunToolsResult> {
    if (content !== undefined) this.user(content);
    const { runTools } = await import("./agent.js");
    const messages = this.window();
    const run = await runTools(this.#client, { ...this.params, ...params, model: this.model, messages } as RunToolsParams<Deps> & { stream?: false }, options);
    this.#history.push(...run.newMessages);
    this.#record(run);
    return run;
  }

  /** The persisted form: JSON-safe, restored by `Conversation.fromJSON()`. */
  toJSON(): ConversationSnapshot {
    return {
      version: 1,
      model: this.model,
      ...(this.system !== undefined && { system: this.system }),
      messages: JSON.parse(JSON.stringify(this.#history)) as ChatMessage[],
      ...(Object.keys(this.params).length > 0 && { params: JSON.parse(JSON.stringify(this.params)) as ConversationParams }),
      ...(this.historyBudget !== undefined && { historyBudget: this.historyBudget }),
      ...(this.#usage !== undefined && { usage: this.#usage }),
      ...(this.#cost !== undefined && { cost: this.#cost }),
    };
  }

  /**
   * Restores a conversation saved with `toJSON()` (a parsed object or the JSON text). Throws
   * `InvalidArgumentError` naming the first problem when the snapshot is not one.
   *
   * @example
   * const chat = Conversation.fromJSON(client, await kv.get("chat:42"));
   */
  static fromJSON(client: ConversationClient, snapshot: unknown, options: Pick<ConversationOptions, "estimate"> = {}): Conversation {
    let data = snapshot;
    if (typeof snapshot === "string") {
      try {
        data = JSON.parse(snapshot);
      } catch (e) {
        throw new InvalidArgumentError(`Conversation.fromJSON(): not JSON (${e instanceof Error ? e.message : String(e)})`);
      }
    }
    const validate = validateConversationSnapshot as unknown as ((d: unknown) => boolean) & {
      errors?: Array<{ instancePath: string; message?: string }> | null;
    };
    if (!validate(data)) {
      const first = validate.errors?.[0];
      throw new InvalidArgumentError(
        `Conversation.fromJSON(): not a conversation snapshot: ${first ? `${first.instancePath || "(root)"} ${first.message ?? "is invalid"}` : "invalid"}`,
      );
    }
    const s = data as ConversationSnapshot;
    const conversation = new Conversation(client, {
      model: s.model,
      messages: s.messages,
      ...(s.system !== undefined && { system: s.system }),
      ...(s.params !== undefined && { params: s.params }),
      ...(s.historyBudget !== undefined && { historyBudget: s.historyBudget }),
      ...(options.estimate && { estimate: options.estimate }),
    });
    conversation.#usage = s.usage;
    conversation.#cost = s.cost;
    return conversation;
  }
}
