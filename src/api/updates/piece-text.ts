import { createHash } from 'node:crypto';
import zlib from 'node:zlib';

/**
 * Marks the check kept with edits the server found itself (a full checkpoint's difference from
 * the previous one): they guard against the server's own mistakes, not a client's, so a CRC does.
 */
export const crc32Prefix = 'crc32:';

/** Past this many pieces an edit joins them, so walking them stays cheap. */
const maxPieces = 512;

/** One change to a text: bytes `start` to `end` of it become `text`. */
export interface ByteEdit {
  start: number;
  end: number;
  text: Buffer;
}

/**
 * A checkpoint text held as slices of earlier texts and the new bytes of edits. A delta
 * checkpoint changes a few KB of a state of several MB; building each new text as one Buffer
 * would copy (and fault in) the whole state on every save, while this copies only what changed.
 * The pieces are joined when the whole text is needed in one Buffer, at most once per text.
 */
export class PieceText {
  private constructor(
    private pieces: Buffer[],
    readonly length: number,
  ) {}

  static of(...pieces: Buffer[]): PieceText {
    return new PieceText(pieces, pieces.reduce((length, piece) => length + piece.length, 0));
  }

  /**
   * The text with `edits` made, which must be in order and not overlap (the caller checks that
   * against `length`); the new text shares every unchanged byte with this one.
   */
  edit(edits: readonly ByteEdit[]): PieceText {
    const out: Buffer[] = [];
    let piece = 0;
    let pieceStart = 0;
    // Appends this text's bytes from `from` to `to`, walking the pieces forward only.
    const copy = (from: number, to: number) => {
      while (from < to) {
        while (pieceStart + this.pieces[piece]!.length <= from) pieceStart += this.pieces[piece++]!.length;
        const bytes = this.pieces[piece]!;
        out.push(bytes.subarray(from - pieceStart, Math.min(bytes.length, to - pieceStart)));
        from = Math.min(to, pieceStart + bytes.length);
      }
    };
    let cursor = 0;
    let length = 0;
    for (const { start, end, text } of edits) {
      copy(cursor, start);
      if (text.length > 0) out.push(text);
      length += start - cursor + text.length;
      cursor = end;
    }
    copy(cursor, this.length);
    length += this.length - cursor;
    const result = new PieceText(out, length);
    if (out.length > maxPieces) result.bytes();
    return result;
  }

  sha256Hex(): string {
    const hash = createHash('sha256');
    for (const piece of this.pieces) hash.update(piece);
    return hash.digest('hex');
  }

  /** `crc32:` and the text's CRC-32 in hex, about 2.5 times as fast as SHA-256 here (see crc32Prefix). */
  crc32Check(): string {
    let crc = 0;
    for (const piece of this.pieces) crc = zlib.crc32(piece, crc);
    return `${crc32Prefix}${crc.toString(16).padStart(8, '0')}`;
  }

  /** Bytes `start` to `end`, joined from the pieces that hold them (shared, not copied, when one does). */
  slice(start: number, end: number): Buffer {
    const parts: Buffer[] = [];
    let pieceStart = 0;
    for (const piece of this.pieces) {
      const pieceEnd = pieceStart + piece.length;
      if (pieceEnd > start && pieceStart < end) parts.push(piece.subarray(Math.max(0, start - pieceStart), Math.min(piece.length, end - pieceStart)));
      if (pieceEnd >= end) break;
      pieceStart = pieceEnd;
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  /** The whole text in one Buffer; the pieces are joined once and the result kept. */
  bytes(): Buffer {
    if (this.pieces.length !== 1) this.pieces = [Buffer.concat(this.pieces, this.length)];
    return this.pieces[0]!;
  }

  toString(): string {
    return this.bytes().toString('utf8');
  }
}
