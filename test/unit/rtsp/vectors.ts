// The golden FFmpeg 5.1.9 exchanges of rtsp.md §9 (requests as FFmpeg sent them, replies as the mock that FFmpeg
// accepted sent them), one message per entry with LF line ends; `crlf()` gives the wire form.

export const GOLDEN_TCP = [
  'OPTIONS rtsp://127.0.0.1:18554/a.wmv RTSP/1.0\nCSeq: 1\nUser-Agent: Lavf59.27.100',
  'RTSP/1.0 200 OK\nCSeq: 1\nServer: WMServer/9.1.1.5000\nPublic: OPTIONS, DESCRIBE, SETUP, PLAY, PAUSE, TEARDOWN, GET_PARAMETER, SET_PARAMETER\nSupported: com.microsoft.wm.srvppair, com.microsoft.wm.sswitch, com.microsoft.wm.eosmsg',
  'DESCRIBE rtsp://127.0.0.1:18554/a.wmv RTSP/1.0\nAccept: application/sdp\nCSeq: 2\nUser-Agent: Lavf59.27.100',
  'RTSP/1.0 200 OK\nCSeq: 2\nServer: WMServer/9.1.1.5000\nContent-Type: application/sdp\nCache-Control: no-cache\nX-Playlist-Gen-Id: 1\nX-Broadcast-Id: 0\nSupported: com.microsoft.wm.srvppair, com.microsoft.wm.sswitch, com.microsoft.wm.eosmsg\nContent-Length: 1755',
  'v=0\no=- 20240101120000000 20240101120000000 IN IP4 127.0.0.1\ns=netshow test A\nc=IN IP4 0.0.0.0\nb=AS:400\na=maxps:3200\nt=0 0\na=control:rtsp://127.0.0.1:18554/a.wmv/\na=etag:{6B1C0B7A-2F0E-4C55-9A2D-3C1B0E7D5A11}\na=range:npt=3.100-13.146\na=recvonly\na=pgmpu:data:application/vnd.ms.wms-hdr.asfv1;base64,MCaydY5mzxGm2QCqAGLObB0DAAAAAAAABwAAAAECodyrjEepzxGO5ADADCBTZWgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAGFpBgAAAAAAAIA+1d6xnQGDAAAAAAAAAKDr1QcAAAAA4OX8BQAAAAAcDAAAAAAAAAIAAACADAAAgAwAAOCNBQC1A79fLqnPEY7jAMAMIFNlnAAAAAAAAAAR0tOruqnPEY7mAMAMIFNlBgBuAAAA6sv4xa9bd0iEZ6qMRPpMym4AAAAAAAAAAgAAAAEAGgADAAQAAABBAHMAcABlAGMAdABSAGEAdABpAG8AWAAAAAEAAAAAAAEAGgADAAQAAABBAHMAcABlAGMAdABSAGEAdABpAG8AWQAAAAEAAAAzJrJ1jmbPEabZAKoAYs5sQAAAAAAAAAAeAAAAAAAAAAAAbgBlAHQAcwBoAG8AdwAgAHQAZQBzAHQAIABBAAAAQKTQ0gfj0hGX8ACgyV6oUEoAAAAAAAAAAQAMAHQAaQB0AGwAZQAAAAAAHgBuAGUAdABzAGgAbwB3ACAAdABlAHMAdAAgAEEAAACRB9y3t6nPEY7mAMAMIFNlhQAAAAAAAADA7xm8TVvPEaj9AIBfXEQrAFf7IFVbzxGo/QCAX1xEKwAAAAAAAAAANwAAAAAAAAABAAAAAABAAQAA8AAAAAIsACwAAABAAQAA8AAAAAEAGABXTVYyAIQDAAAAAAAAAAAAAAAAAAAAAADJJLSAkQfct7epzxGO5gDADCBTZXIAAAAAAAAAQJ5p+E1bzxGo/QCAX1xEK1DNw7+PYc8Ri7IAqgC04iAAAAAAAAAAABwAAAAIAAAAAgAAAAAAYQECAESsAABAHwAAcwEQAAoAAAAAAAEAAAAAAAFzAXMBAQAAQFLRhh0x0BGjpACgyQNI9noAAAAAAAAAQVLRhh0x0BGjpACgyQNI9gIAAAABAAUAdwBtAHYAMgAAAAAABABXTVYyAgAXAFcAaQBuAGQAbwB3AHMAIABNAGUAZABpAGEAIABBAHUAZABpAG8AIABWADgAAAAAAAIAYQE2JrJ1jmbPEabZAKoAYs5ssmUGAAAAAAAAAAAAAAAAAAAAAAAAAAAAgwAAAAAAAAABAQ==\nm=video 0 RTP/AVP 96\nb=AS:330\nb=RS:0\nb=RR:0\na=rtpmap:96 x-asf-pf/1000\na=control:video1\na=stream:1\nm=application 0 RTP/AVP 96\nb=RS:0\nb=RR:0\na=rtpmap:96 x-wms-rtx/1000\na=control:rtx\na=stream:65536\nm=audio 0 RTP/AVP 96\nb=AS:65\nb=RS:0\nb=RR:0\na=rtpmap:96 x-asf-pf/1000\na=control:audio2\na=stream:2',
  'SETUP rtsp://127.0.0.1:18554/a.wmv/video1 RTSP/1.0\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1;mode=play\nCSeq: 3\nUser-Agent: Lavf59.27.100',
  'RTSP/1.0 200 OK\nCSeq: 3\nServer: WMServer/9.1.1.5000\nSession: 8106423151295581017;timeout=60\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1;ssrc=2B7F1C3D;mode=PLAY\nX-Playlist-Gen-Id: 1',
  'SETUP rtsp://127.0.0.1:18554/a.wmv/audio2 RTSP/1.0\nTransport: RTP/AVP/TCP;unicast;interleaved=2-3;mode=play\nCSeq: 4\nUser-Agent: Lavf59.27.100\nSession: 8106423151295581017',
  'RTSP/1.0 200 OK\nCSeq: 4\nServer: WMServer/9.1.1.5000\nSession: 8106423151295581017;timeout=60\nTransport: RTP/AVP/TCP;unicast;interleaved=2-3;ssrc=2B7F1C3D;mode=PLAY\nX-Playlist-Gen-Id: 1',
  'PLAY rtsp://127.0.0.1:18554/a.wmv/ RTSP/1.0\nRange: npt=0.000-\nCSeq: 5\nUser-Agent: Lavf59.27.100\nSession: 8106423151295581017',
  'RTSP/1.0 200 OK\nCSeq: 5\nServer: WMServer/9.1.1.5000\nSession: 8106423151295581017\nRange: npt=3.100-13.146\nRTP-Info: url=rtsp://127.0.0.1:18554/a.wmv/video1;seq=19231;rtptime=0, url=rtsp://127.0.0.1:18554/a.wmv/audio2;seq=19231;rtptime=0',
  'TEARDOWN rtsp://127.0.0.1:18554/a.wmv/ RTSP/1.0\nCSeq: 6\nUser-Agent: Lavf59.27.100\nSession: 8106423151295581017',
  'RTSP/1.0 200 OK\nCSeq: 6\nServer: WMServer/9.1.1.5000\nSession: 8106423151295581017',
] as const;

export const GOLDEN_UDP = [
  'SETUP rtsp://127.0.0.1:18554/a.wmv/rtx RTSP/1.0\nTransport: RTP/AVP/UDP;unicast;client_port=18518-18519;mode=play\nCSeq: 3\nUser-Agent: Lavf59.27.100',
  'RTSP/1.0 200 OK\nCSeq: 3\nServer: WMServer/9.1.1.5000\nSession: 8106423151295581017;timeout=60\nTransport: RTP/AVP/UDP;unicast;client_port=18518-18519;server_port=51122-51123;ssrc=2B7F1C3D;mode=PLAY\nX-Playlist-Gen-Id: 1',
  'SETUP rtsp://127.0.0.1:18554/a.wmv/video1 RTSP/1.0\nTransport: RTP/AVP/UDP;unicast;client_port=18520;mode=play\nCSeq: 4\nUser-Agent: Lavf59.27.100\nSession: 8106423151295581017',
  'RTSP/1.0 200 OK\nCSeq: 4\nServer: WMServer/9.1.1.5000\nSession: 8106423151295581017;timeout=60\nTransport: RTP/AVP/UDP;unicast;client_port=18520;server_port=51122-51123;ssrc=2B7F1C3D;mode=PLAY\nX-Playlist-Gen-Id: 1',
  'SETUP rtsp://127.0.0.1:18554/a.wmv/audio2 RTSP/1.0\nTransport: RTP/AVP/UDP;unicast;client_port=18520;mode=play\nCSeq: 5\nUser-Agent: Lavf59.27.100\nSession: 8106423151295581017',
  'RTSP/1.0 200 OK\nCSeq: 5\nServer: WMServer/9.1.1.5000\nSession: 8106423151295581017;timeout=60\nTransport: RTP/AVP/UDP;unicast;client_port=18520;server_port=51122-51123;ssrc=2B7F1C3D;mode=PLAY\nX-Playlist-Gen-Id: 1',
  'PLAY rtsp://127.0.0.1:18554/a.wmv/ RTSP/1.0\nRange: npt=0.000-\nCSeq: 6\nUser-Agent: Lavf59.27.100\nSession: 8106423151295581017',
  'RTSP/1.0 200 OK\nCSeq: 6\nServer: WMServer/9.1.1.5000\nSession: 8106423151295581017\nRange: npt=3.100-13.146\nRTP-Info: url=rtsp://127.0.0.1:18554/a.wmv/video1;seq=19231;rtptime=0, url=rtsp://127.0.0.1:18554/a.wmv/audio2;seq=19231;rtptime=0',
  'TEARDOWN rtsp://127.0.0.1:18554/a.wmv/ RTSP/1.0\nCSeq: 7\nUser-Agent: Lavf59.27.100\nSession: 8106423151295581017',
] as const;

/** LF to CRLF, and the blank line that ends a head. */
export function crlf(text: string, withBody = false): Buffer {
  return Buffer.from(
    withBody ? text.replace(/\n/g, '\r\n') : `${text.replace(/\n/g, '\r\n')}\r\n\r\n`,
    'latin1',
  );
}

export function hex(s: string): Buffer {
  return Buffer.from(s.replace(/[^0-9a-f]/gi, ''), 'hex');
}
