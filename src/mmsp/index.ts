// The public API of the pure MS-MMSP layer: TCP framing, every message, Data packets, the server machine
// [MS-MMSP; mmsp.md].
export {
  MAX_MESSAGE_LENGTH,
  MIN_MESSAGE_LENGTH,
  SEAL,
  SESSION_ID,
  TCP_HEADER_SIZE,
  TcpMessageDecoder,
  decodeTcpMessage,
  frameMessage,
  sniffFirstBytes,
  type TcpFrame,
  type TcpMessage,
  type TcpMessageDecoderOptions,
  type TcpMessageHeader,
  type UnitStamp,
} from './tcp-message.js';
export {
  AF_FLAGS,
  DATA_PACKET_HEADER_SIZE,
  MAX_DATA_PAYLOAD,
  MAX_RESEND_PACKETS,
  PACKET_PAIR,
  RESEND_SIGNATURE,
  SERVER_INCARNATION,
  dataPacketHeader,
  decodeDataPacket,
  decodeRequestPacketListResend,
  encodeDataPacket,
  encodeRequestPacketListResend,
  headerPieces,
  packetPairPackets,
  type DataPacket,
  type RequestPacketListResend,
} from './data-packet.js';
export * from './messages/index.js';
export { HRESULT, PACKET_PAIR_INCARNATION, PROTOCOL_REVISION } from './hresult.js';
export {
  applyStreamSwitch,
  isPastEnd,
  parseRequestedName,
  playLimitOf,
  startPointOf,
  type OpenedFile,
  type PlayLimit,
  type RequestedName,
  type StartPoint,
  type ThinLevel,
} from './server-rules.js';
export { MmspServerMachine, allowedStates } from './server-machine.js';
export type {
  MmspServerEvent,
  MmspServerOptions,
  MmspServerOutput,
  MmspServerState,
} from './server-events.js';
export {
  OPEN_FILE_ID,
  refusal,
  reportConnectedEX,
  reportFunnelInfo,
  reportOpenFile,
  startedPlaying,
} from './server-replies.js';
