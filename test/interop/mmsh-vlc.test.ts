// vlc: the whole of files a, b, c-mbr and d over mmsh:// from netshow, frame for frame (vod-suite.ts).
import { defineVodSuite } from './vod-suite.js';

defineVodSuite('vlc');
