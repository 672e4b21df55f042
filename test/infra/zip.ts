// Reads the entries of a zip archive (the deployment artifact) without a dependency: the central
// directory lists every entry; stored and deflated entries can be read back. No ZIP64, which an
// artifact of a few megabytes never needs.
import { inflateRawSync } from 'node:zlib';

export interface ZipEntry {
  name: string;
  read(): Buffer;
}

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_DIRECTORY_HEADER = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;

export function readZip(archive: Buffer): ZipEntry[] {
  let end = -1;
  // The end record is 22 bytes plus a comment of at most 65535 bytes, at the very end.
  for (
    let offset = archive.length - 22;
    offset >= Math.max(0, archive.length - 22 - 0xffff);
    offset--
  ) {
    if (archive.readUInt32LE(offset) === END_OF_CENTRAL_DIRECTORY) {
      end = offset;
      break;
    }
  }
  if (end < 0) throw new Error('not a zip archive: no end of central directory record');
  const count = archive.readUInt16LE(end + 10);
  let offset = archive.readUInt32LE(end + 16);
  const entries: ZipEntry[] = [];
  for (let index = 0; index < count; index++) {
    if (archive.readUInt32LE(offset) !== CENTRAL_DIRECTORY_HEADER) {
      throw new Error(`corrupt zip archive: no central directory header at ${offset}`);
    }
    const method = archive.readUInt16LE(offset + 10);
    const compressedSize = archive.readUInt32LE(offset + 20);
    const nameLength = archive.readUInt16LE(offset + 28);
    const extraLength = archive.readUInt16LE(offset + 30);
    const commentLength = archive.readUInt16LE(offset + 32);
    const localHeader = archive.readUInt32LE(offset + 42);
    const name = archive.toString('utf8', offset + 46, offset + 46 + nameLength);
    entries.push({
      name,
      read: () => {
        if (archive.readUInt32LE(localHeader) !== LOCAL_FILE_HEADER) {
          throw new Error(`corrupt zip archive: no local header for ${name}`);
        }
        const start =
          localHeader +
          30 +
          archive.readUInt16LE(localHeader + 26) +
          archive.readUInt16LE(localHeader + 28);
        const data = archive.subarray(start, start + compressedSize);
        if (method === 0) return Buffer.from(data);
        if (method === 8) return inflateRawSync(data);
        throw new Error(`${name}: unsupported compression method ${method}`);
      },
    });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}
