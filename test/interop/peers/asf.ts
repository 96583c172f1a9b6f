// The little of an ASF file the harness needs to know: where the data packets start and their size.
import { readFileSync } from 'node:fs';

/** Where the data packets start in an ASF file (header and Data Object prefix) and their size. */
export function asfLayout(file: string): { headerBytes: number; packetSize: number } {
  const buf = readFileSync(file);
  if (buf.length < 30) throw new Error(`${file}: too short for an ASF header`);
  const headerObject = Number(buf.readBigUInt64LE(16));
  // File Properties Object, 8CABDCA1-A947-11CF-8EE4-00C00C205365: minimum packet size at offset 92
  const guid = Buffer.from('a1dcab8c47a9cf118ee400c00c205365', 'hex');
  const at = buf.subarray(0, headerObject).indexOf(guid);
  if (at < 0 || at + 96 > buf.length) throw new Error(`${file}: no File Properties Object`);
  return { headerBytes: headerObject + 50, packetSize: buf.readUInt32LE(at + 92) };
}
