// GStreamer: file a over rtsp:// from netshow through rtspsrc (Windows Media extension) and
// rtpasfdepay, one single-branch pipeline (peers/gst.ts), RTP over TCP and over UDP; the depayloaded ASF
// decoded frame for frame (rtsp-suite.ts).
import { defineRtspSuite } from './rtsp-suite.js';

defineRtspSuite('gst', ['a'], ['tcp', 'udp']);
