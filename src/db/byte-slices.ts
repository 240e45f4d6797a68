/** How much of a stored file one query reads when it is streamed. */
export const SLICE_BYTES = 256 * 1024;

/** Reads `length` bytes from byte `offset` of one stored value: fewer at its end, undefined when it is gone. */
export type ReadSlice = (offset: number, length: number) => Promise<Buffer | undefined>;

/**
 * The `size` bytes of a stored bytea value, read a slice at a time, each slice by a query of its
 * own: a download holds a pool connection only while one slice is read, never while the client
 * is slow to take it, and keeps about one slice in memory. Nothing is read until iteration starts,
 * and nothing more once it stops (a client that goes away). Meant for values that never change
 * (uploaded documents, archived letters), so slices read apart still belong together.
 *
 * @throws Error when the value is gone or shorter than `size` (the response is then cut off).
 */
export async function* storedBytes(size: number, readSlice: ReadSlice, sliceBytes = SLICE_BYTES): AsyncGenerator<Buffer> {
  for (let offset = 0; offset < size;) {
    const slice = await readSlice(offset, Math.min(sliceBytes, size - offset));
    if (!slice || slice.length === 0) throw new Error(`stored value ended after ${offset} of ${size} bytes`);
    offset += slice.length;
    yield slice;
  }
}
