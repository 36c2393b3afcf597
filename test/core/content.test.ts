import { describe, expect, it } from "vitest";
import { audio, dataUrl, file, image, imageUrl, text, toBase64, video } from "../../src/core/content.js";
import { validateSchema } from "../helpers/spec.js";

const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe("content builders", () => {
  it("text()", () => {
    const part = text("Describe this");
    expect(part).toEqual({ type: "text", text: "Describe this" });
    expect(validateSchema("TextContentPart", part).errors).toBe("");
    expect(validateSchema("ContentPart", part).errors).toBe("");
  });

  it("imageUrl() with and without detail", () => {
    expect(imageUrl("https://example.com/a.png")).toEqual({ type: "image_url", image_url: { url: "https://example.com/a.png" } });
    const part = imageUrl("https://example.com/a.png", "low");
    expect(part.image_url.detail).toBe("low");
    expect(validateSchema("ImageUrlContentPart", part).errors).toBe("");
    expect(validateSchema("ContentPart", part).errors).toBe("");
  });

  it("image() makes a base64 data URL from Uint8Array, ArrayBuffer or a typed-array view", () => {
    const part = image(png, "image/png");
    expect(part.image_url.url).toBe(`data:image/png;base64,${Buffer.from(png).toString("base64")}`);
    expect(image(png.buffer, "image/png")).toEqual(part);
    const view = new DataView(new Uint8Array([0, ...png, 0]).buffer, 1, png.length);
    expect(image(view, "image/png")).toEqual(part);
    expect(image(Buffer.from(png), "image/png")).toEqual(part);
    expect(validateSchema("ContentPart", part).errors).toBe("");
  });

  it("toBase64() matches Buffer for every length and large inputs", () => {
    for (let len = 0; len < 8; len++) {
      const bytes = new Uint8Array(len).map((_, i) => (i * 97 + 13) & 0xff);
      expect(toBase64(bytes)).toBe(Buffer.from(bytes).toString("base64"));
    }
    const big = new Uint8Array(200_000).map((_, i) => (i * 31) & 0xff);
    expect(toBase64(big)).toBe(Buffer.from(big).toString("base64"));
  });

  it("file() from a URL or from PDF bytes", () => {
    const byUrl = file("https://example.com/r.pdf", "r.pdf");
    expect(byUrl).toEqual({ type: "file", file: { filename: "r.pdf", file_data: "https://example.com/r.pdf" } });
    const pdf = new TextEncoder().encode("%PDF-1.4");
    const byBytes = file(pdf, "r.pdf");
    expect(byBytes.file.file_data).toBe(`data:application/pdf;base64,${Buffer.from(pdf).toString("base64")}`);
    expect(validateSchema("FileContentPart", byBytes).errors).toBe("");
    expect(validateSchema("ContentPart", byUrl).errors).toBe("");
  });

  it("audio() base64-encodes the bytes with their format", () => {
    const part = audio(new Uint8Array([1, 2, 3]), "wav");
    expect(part).toEqual({ type: "input_audio", input_audio: { data: "AQID", format: "wav" } });
    expect(validateSchema("InputAudioContentPart", part).errors).toBe("");
    expect(validateSchema("ContentPart", part).errors).toBe("");
  });

  it("video()", () => {
    const part = video("https://www.youtube.com/watch?v=x");
    expect(part).toEqual({ type: "video_url", video_url: { url: "https://www.youtube.com/watch?v=x" } });
    expect(validateSchema("VideoUrlContentPart", part).errors).toBe("");
  });

  it("a user message built from parts is a valid UserMessage", () => {
    const message = { role: "user", content: [text("What is this?"), image(png, "image/png"), file("https://e.com/a.pdf", "a.pdf")] };
    expect(validateSchema("UserMessage", message).errors).toBe("");
    expect(validateSchema("ChatMessage", message).errors).toBe("");
  });

  it("rejects bad input with clear errors", () => {
    expect(() => text(5 as never)).toThrow(/text\(\) expects a string/);
    expect(() => imageUrl("")).toThrow(/url must be a non-empty string/);
    expect(() => image("abc" as never, "image/png")).toThrow(/expects bytes/);
    expect(() => image(png, "application/pdf")).toThrow(/must be an image type/);
    expect(() => file(png, "")).toThrow(/filename/);
    expect(() => audio(png, "")).toThrow(/format/);
    expect(() => video(undefined as never)).toThrow(/url/);
    expect(() => dataUrl(png, "nonsense")).toThrow(/type\/subtype/);
  });
});
