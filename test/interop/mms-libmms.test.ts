// libmms: the whole of files a, b, c-mbr and d through mms_connect (MMS over TCP; libmms spells the URL
// mms://, the driver maps mmst:// to it) from netshow, frame for frame (vod-suite.ts).
import { defineVodSuite } from './vod-suite.js';

defineVodSuite('libmms', 'mmst');
