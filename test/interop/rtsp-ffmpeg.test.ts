// ffmpeg: the whole of files a, b, c-mbr and d over rtsp:// from netshow, with RTP over UDP and over
// TCP (interleaved), frame for frame (rtsp-suite.ts). FFmpeg reads the ASF header from the SDP's pgmpu
// and the one RTP flow on the first SETUP's port/channel (rtsp.md 5.1, 6.1).
import { defineRtspSuite } from './rtsp-suite.js';

defineRtspSuite('ffmpeg', ['a', 'b', 'mbr', 'indexed'], ['udp', 'tcp']);
