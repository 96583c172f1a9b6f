// The HRESULTs netshow's MMS server answers with (MS-ERREF values) [MS-MMSP 1.8; mmsp.md §5.11].
export const HRESULT = {
  S_OK: 0x00000000,
  /** ReportEndOfStream: the entry ended and a ReportStreamChange follows [MS-MMSP 2.2.4.5]. */
  S_FALSE: 0x00000001,
  NS_E_FILE_NOT_FOUND: 0xc00d001a,
  E_ACCESSDENIED: 0x80070005,
  NS_E_FILE_OPEN_FAILED: 0xc00d001d,
  NS_E_INVALID_NAME: 0xc00d001c,
  NS_E_PUBLISHING_POINT_STOPPED: 0xc00d145e,
  NS_E_TOO_MANY_SESS: 0xc00d000f,
  NS_E_NETWORK_BUSY: 0xc00d000e,
  NS_E_FILE_BANDWIDTH_LIMIT: 0xc00d0030,
  NS_E_NOFUNNEL: 0xc00d000c,
  NS_E_INVALID_REQUEST: 0xc00d002b,
  NS_E_OPEN_FILE_LIMIT: 0xc00d0031,
  NS_E_STRIDE_REFUSED: 0xc00d0045,
  NS_E_FILE_READ: 0xc00d0019,
  NS_E_NO_STREAM: 0xc00d0033,
} as const;

/** Incarnation values of the packet-pair negotiation [MS-MMSP 2.2.4.17, 2.2.4.19; mmsp.md §1.6]. */
export const PACKET_PAIR_INCARNATION = {
  none: 0xf0f0f0ef,
  requested: 0xf0f0f0f0,
  tcpHighEntropy: 0xf0f0f0f1,
  udp: 0xf0f0f901,
} as const;

/** Protocol revisions both sides send [MS-MMSP 2.2.4.2, 2.2.4.17]. */
export const PROTOCOL_REVISION = { macToViewer: 0x0004000b, viewerToMac: 0x0003001c } as const;
