// SPDX-License-Identifier: MIT
// The pictures the demo's pipeline writes into pool segments: a synthetic NV12 frame per
// resolution, its 640x640 NV12 resize (nearest neighbour) and the model input made from it
// (640x640x3 planar RGB, BT.601). Each is computed once at start-up; every frame then writes
// the real bytes plus a 16-byte header (channel, frame number) that inference reads back.

/** A video resolution: a name for tags and its size in pixels (both even, as NV12 needs). */
export interface Resolution {
  readonly name: string;
  readonly width: number;
  readonly height: number;
}

export const RES_1080P: Resolution = { name: '1080p', width: 1920, height: 1080 };
export const RES_720P: Resolution = { name: '720p', width: 1280, height: 720 };
/** The resize output and model input side, as for a YOLO-class detector. */
export const MODEL_SIDE = 640;

/** Bytes of one NV12 picture: a full-size Y plane and a half-size interleaved UV plane. */
export function nv12Bytes(width: number, height: number): number {
  return (width * height * 3) / 2;
}

/** Bytes of the model input: 640 x 640 pixels, 3 planes of 8-bit R, G, B. */
export const MODEL_INPUT_BYTES = MODEL_SIDE * MODEL_SIDE * 3;
/** Bytes of the 640x640 NV12 resize output. */
export const RESIZED_BYTES = nv12Bytes(MODEL_SIDE, MODEL_SIDE);

/** "DVPF" as a little-endian u32: the first word of every frame header. */
const HEADER_MAGIC = 0x46505644;
/** Bytes of the header written at the start of every frame and model input. */
export const HEADER_BYTES = 16;

/** A test card: diagonal luma bands and a slow colour sweep, so a dump of a segment looks like a picture. */
export function syntheticNv12({ width, height }: Resolution): Uint8Array {
  const picture = new Uint8Array(nv12Bytes(width, height));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) picture[y * width + x] = (x + y) & 0xff;
  }
  const uv = width * height;
  for (let y = 0; y < height / 2; y++) {
    for (let x = 0; x < width / 2; x++) {
      picture[uv + y * width + 2 * x] = (64 + (x * 128) / (width / 2)) | 0;
      picture[uv + y * width + 2 * x + 1] = (64 + (y * 128) / (height / 2)) | 0;
    }
  }
  return picture;
}

/** Nearest-neighbour resize of an NV12 picture to `side` x `side` (what a VPC resize outputs). */
export function resizeNv12(src: Uint8Array, { width, height }: Resolution, side: number): Uint8Array {
  const out = new Uint8Array(nv12Bytes(side, side));
  for (let y = 0; y < side; y++) {
    const sy = ((y * height) / side) | 0;
    for (let x = 0; x < side; x++) out[y * side + x] = src[sy * width + (((x * width) / side) | 0)] ?? 0;
  }
  for (let y = 0; y < side / 2; y++) {
    const sy = ((y * height) / side) | 0;
    for (let x = 0; x < side / 2; x++) {
      const sx = ((x * width) / side) | 0;
      out[side * side + y * side + 2 * x] = src[width * height + sy * width + 2 * sx] ?? 128;
      out[side * side + y * side + 2 * x + 1] = src[width * height + sy * width + 2 * sx + 1] ?? 128;
    }
  }
  return out;
}

function clampByte(value: number): number {
  return value < 0 ? 0 : value > 255 ? 255 : value | 0;
}

/** Converts a `side` x `side` NV12 picture to planar RGB (BT.601 full range), the model's input. */
export function nv12ToRgbPlanar(src: Uint8Array, side: number): Uint8Array {
  const plane = side * side;
  const out = new Uint8Array(plane * 3);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const luma = src[y * side + x] ?? 0;
      const uvAt = plane + (y >> 1) * side + (x & ~1);
      const u = (src[uvAt] ?? 128) - 128;
      const v = (src[uvAt + 1] ?? 128) - 128;
      const i = y * side + x;
      out[i] = clampByte(luma + 1.402 * v);
      out[plane + i] = clampByte(luma - 0.344 * u - 0.714 * v);
      out[2 * plane + i] = clampByte(luma + 1.772 * u);
    }
  }
  return out;
}

/** The 16-byte header that tags a frame's bytes: magic, channel, frame number, reserved. */
export function frameHeader(channel: number, frame: number): Uint8Array {
  const header = new Uint8Array(HEADER_BYTES);
  const view = new DataView(header.buffer);
  view.setUint32(0, HEADER_MAGIC, true);
  view.setUint32(4, channel, true);
  view.setUint32(8, frame, true);
  return header;
}

/** True when `bytes` is the header of `channel`'s frame number `frame`. */
export function isFrameHeader(bytes: Uint8Array, channel: number, frame: number): boolean {
  if (bytes.byteLength < HEADER_BYTES) return false;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return view.getUint32(0, true) === HEADER_MAGIC && view.getUint32(4, true) === channel && view.getUint32(8, true) === frame;
}

/** Everything one resolution's channels write, computed once. */
export interface Pictures {
  readonly resolution: Resolution;
  readonly frame: Uint8Array;
  readonly resized: Uint8Array;
  readonly modelInput: Uint8Array;
}

/** Builds the frame, its resize and its model input for `resolution`. */
export function picturesFor(resolution: Resolution): Pictures {
  const frame = syntheticNv12(resolution);
  const resized = resizeNv12(frame, resolution, MODEL_SIDE);
  return { resolution, frame, resized, modelInput: nv12ToRgbPlanar(resized, MODEL_SIDE) };
}
