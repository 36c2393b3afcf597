/**
 * The public types of `client.images` (the facade is images.ts, the code images-impl.ts).
 */
import type { components } from "../generated/openrouter.js";
import type { CallOptions } from "../core/types.js";

type Schemas = components["schemas"];

/** The request body of `POST /images`. */
export type ImageParams = Schemas["ImageGenerationRequest"];
/** The answer of `GET /images/models`. */
export type ImageModelList = Schemas["ImageModelListResponse"];

/** One image, decoded. */
export interface Image {
  /** Its position among the images of the call (0-based). */
  index: number;
  /** The image file's bytes (decoded from base64). */
  bytes: Uint8Array;
  /** Its media type, e.g. `image/png`. */
  contentType: string;
}

/** Options of `images.generate`: the usual call options, and a callback for partial images. */
export interface ImageCallOptions extends CallOptions {
  /**
   * Called with each partial image as it arrives; setting it streams the call (`stream: true`), as does
   * `stream: true` in the parameters.
   */
  onPartialImage?: ((image: Image) => void) | undefined;
}

/** What `images.generate` returns. */
export interface ImageResult {
  /** The final images, in order. */
  images: Image[];
  /** Unix seconds, as the answer gave them. */
  created: number | undefined;
  usage: Schemas["ImageGenerationResponse"]["usage"];
  /** USD, from `usage.cost`. */
  cost: number | undefined;
  /** From `X-Generation-Id` (look the generation up with `client.generation(id)`). */
  generationId: string | undefined;
  /** From `X-Provider-Name`. */
  provider: string | undefined;
  headers: Headers;
  /** The JSON answer as sent, or for a streamed call, every event's JSON in order. */
  raw: Schemas["ImageGenerationResponse"] | Record<string, unknown>[];
}

/** `client.images`. */
export interface Images {
  /**
   * Generates images and returns them decoded, with usage and cost.
   *
   * @example
   * const { images } = await client.images.generate({ model: "openai/gpt-image-1", prompt: "a red fox" });
   * images[0]?.bytes; // a PNG's bytes
   */
  generate(params: ImageParams, options?: ImageCallOptions): Promise<ImageResult>;
  /**
   * The image generation models.
   *
   * @example
   * const { data } = await client.images.models();
   */
  models(options?: CallOptions): Promise<ImageModelList>;
}
