/**
 * The one module the media and files facades load: every area's implementation behind a single `import()`,
 * so the lazy code forms one chunk (each separate chunk would make the core bundle export its shared names again).
 */
export * as images from "./images-impl.js";
export * as audio from "./audio-impl.js";
export * as videos from "./videos-impl.js";
export * as files from "./files-impl.js";
