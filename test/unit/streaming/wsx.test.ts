// Server-side playlists: the media a .wsx names, in order; a file that is not one is a one-line error.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NetshowError } from '../../../src/core/errors.js';
import { parseWsx } from '../../../src/streaming/live/wsx.js';

describe('parseWsx', () => {
  it('every <media src> in document order, nested <seq> flattened, entities decoded, comments ignored', () => {
    const text = `<?wsx version="1.0"?>
<smil>
  <seq id="main" repeatCount="indefinite">
    <media src="intro.wmv"/>
    <!-- <media src="skipped.wmv"/> -->
    <seq><media id="m2" src='show &amp; tell.wmv' clipBegin="0"/></seq>
    <media src="file:///srv/media/outro.wma"></media>
  </seq>
</smil>`;
    assert.deepEqual(parseWsx(text, 'x.wsx'), [
      'intro.wmv',
      'show & tell.wmv',
      'file:///srv/media/outro.wma',
    ]);
  });
  for (const [name, text, why] of [
    ['not smil', '<asx version="3.0"><entry><ref href="a.wmv"/></entry></asx>', /not a \.wsx playlist/],
    ['no media', '<smil><seq></seq></smil>', /names no <media/],
  ] as const) {
    it(`${name}: a NetshowError naming the file`, () => {
      assert.throws(
        () => parseWsx(text, 'chan.wsx'),
        (e: unknown) =>
          e instanceof NetshowError &&
          e.code === 'E_PLAYLIST' &&
          /^chan\.wsx: /.test(e.message) &&
          why.test(e.message),
      );
    });
  }
});
