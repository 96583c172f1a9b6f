// The ASF GUID table [asf.md 1.4]: every GUID netshow recognises, as on-disk bytes, with a name for each.
import { guidBytes, guidEquals } from '../core/guid.js';

/** Canonical text of the GUIDs we act on; the bytes are derived once with the rule of asf.md 1.3. */
const TEXT = {
  header: '75B22630-668E-11CF-A6D9-00AA0062CE6C',
  data: '75B22636-668E-11CF-A6D9-00AA0062CE6C',
  simpleIndex: '33000890-E5B1-11CF-89F4-00A0C90349CB',
  index: 'D6E229D3-35DA-11D1-9034-00A0C90349BE',
  mediaObjectIndex: 'FEB103F8-12AD-4C64-840F-2A1D2F7AD48C',
  timecodeIndex: '3CB73FD0-0C4A-4803-953D-EDF7B6228F0C',

  fileProperties: '8CABDCA1-A947-11CF-8EE4-00C00C205365',
  streamProperties: 'B7DC0791-A9B7-11CF-8EE6-00C00C205365',
  headerExtension: '5FBF03B5-A92E-11CF-8EE3-00C00C205365',
  codecList: '86D15240-311D-11D0-A3A4-00A0C90348F6',
  scriptCommand: '1EFB1A30-0B62-11D0-A39B-00A0C90348F6',
  marker: 'F487CD01-A951-11CF-8EE6-00C00C205365',
  bitrateMutualExclusion: 'D6E229DC-35DA-11D1-9034-00A0C90349BE',
  errorCorrection: '75B22635-668E-11CF-A6D9-00AA0062CE6C',
  contentDescription: '75B22633-668E-11CF-A6D9-00AA0062CE6C',
  extendedContentDescription: 'D2D0A440-E307-11D2-97F0-00A0C95EA850',
  streamBitrateProperties: '7BF875CE-468D-11D1-8D82-006097C9A2B2',
  contentBranding: '2211B3FA-BD23-11D2-B4B7-00A0C955FC6E',
  contentEncryption: '2211B3FB-BD23-11D2-B4B7-00A0C955FC6E',
  extendedContentEncryption: '298AE614-2622-4C17-B935-DAE07EE9289C',
  digitalSignature: '2211B3FC-BD23-11D2-B4B7-00A0C955FC6E',
  padding: '1806D474-CADF-4509-A4BA-9AABCB96AAE8',

  extendedStreamProperties: '14E6A5CB-C672-4332-8399-A96952065B5A',
  advancedMutualExclusion: 'A08649CF-4775-4670-8A16-6E35357566CD',
  groupMutualExclusion: 'D1465A40-5A79-4338-B71B-E36B8FD6C249',
  streamPrioritization: 'D4FED15B-88D3-454F-81F0-ED5C45999E24',
  bandwidthSharing: 'A69609E6-517B-11D2-B6AF-00C04FD908E9',
  languageList: '7C4346A9-EFE0-4BFC-B229-393EDE415C85',
  metadata: 'C5F8CBEA-5BAF-4877-8467-AA8C44FA4CCA',
  metadataLibrary: '44231C94-9498-49D1-A141-1D134E457054',
  indexParameters: 'D6E229DF-35DA-11D1-9034-00A0C90349BE',
  mediaObjectIndexParameters: '6B203BAD-3F11-48E4-ACA8-D7613DE2CFA7',
  timecodeIndexParameters: 'F55E496D-9797-4B5D-8C8B-604DFE9BFB24',
  compatibility: '26F18B5D-4584-47EC-9F5F-0E651F0452C9',
  advancedContentEncryption: '43058533-6981-49E6-9B74-AD12CB86D58C',

  audioMedia: 'F8699E40-5B4D-11CF-A8FD-00805F5C442B',
  videoMedia: 'BC19EFC0-5B4D-11CF-A8FD-00805F5C442B',
  commandMedia: '59DACFC0-59E6-11D0-A3AC-00A0C90348F6',
  jfifMedia: 'B61BE100-5B4E-11CF-A8FD-00805F5C442B',
  degradableJpegMedia: '35907DE0-E415-11CF-A917-00805F5C442B',
  fileTransferMedia: '91BD222C-F21C-497A-8B6D-5AA86BFC0185',
  binaryMedia: '3AFB65E2-47EF-40F2-AC2C-70A90D71D343',

  noErrorCorrection: '20FB5700-5B55-11CF-A8FD-00805F5C442B',
  audioSpread: 'BFC3CD50-618F-11CF-8BB2-00AA00B4E220',

  reserved1: 'ABD3D211-A9BA-11CF-8EE6-00C00C205365',
  reserved2: '86D15241-311D-11D0-A3A4-00A0C90348F6',
  reserved3: '4B1ACBE3-100B-11D0-A39B-00A0C90348F6',
  reserved4: '4CFEDB20-75F6-11CF-9C0F-00A0C90349CB',
  mutexLanguage: 'D6E22A00-35DA-11D1-9034-00A0C90349BE',
  mutexBitrate: 'D6E22A01-35DA-11D1-9034-00A0C90349BE',
  mutexUnknown: 'D6E22A02-35DA-11D1-9034-00A0C90349BE',
  bandwidthSharingExclusive: 'AF6060AA-5197-11D2-B6AF-00C04FD908E9',
  bandwidthSharingPartial: 'AF6060AB-5197-11D2-B6AF-00C04FD908E9',
} as const;

export type GuidName = keyof typeof TEXT;

/** On-disk bytes of every named GUID. Treat as read-only. */
export const GUID = Object.fromEntries(
  Object.entries(TEXT).map(([name, text]) => [name, guidBytes(text)]),
) as Record<GuidName, Buffer>;

const byHex = new Map<string, GuidName>(
  Object.keys(TEXT).map((name) => [GUID[name as GuidName].toString('hex'), name as GuidName]),
);

/** The name of 16 GUID bytes, or undefined when netshow does not know it. */
export function guidName(bytes: Uint8Array): GuidName | undefined {
  return byHex.get(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex'));
}

export function isGuid(bytes: Uint8Array, name: GuidName): boolean {
  return bytes.length === 16 && guidEquals(bytes, GUID[name]);
}
