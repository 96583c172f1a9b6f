// mpv: files a and d over rtsp:// from netshow (mpv reaches RTSP through libavformat, RTP over TCP by
// default), the recorded packets decoded frame for frame (rtsp-suite.ts).
import { defineRtspSuite } from './rtsp-suite.js';

defineRtspSuite('mpv', ['a', 'indexed'], ['default']);
