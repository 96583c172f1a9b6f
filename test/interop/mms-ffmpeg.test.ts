// ffmpeg: the whole of files a, b, c-mbr and d over mmst:// (MMS over TCP) from netshow, frame for frame
// (vod-suite.ts). FFmpeg's mmst:// never ends by itself, so each run stops just before the last frame
// and may lack that one frame per stream (peers/ffmpeg.ts).
import { defineVodSuite } from './vod-suite.js';

defineVodSuite('ffmpeg', 'mmst');
