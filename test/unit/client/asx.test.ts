// ASX metafiles as players meet them (rollover.md §4.1): both forms, every text encoding, sloppy markup,
// and broken input that must end in a one-line ProtocolError, never anything else.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ProtocolError } from '../../../src/core/errors.js';
import {
  METAFILE_MAX_BYTES,
  decodeMetafileText,
  looksLikeAsx,
  parseAsx,
  type Asx,
} from '../../../src/client/playlist/asx.js';
import { BUDGET, onlyProtocolErrors } from '../../../fuzz/helpers.js';

const RADIO = `<ASX VERSION="3.0">
  <TITLE>Radio</TITLE>
  <ENTRY>
    <TITLE>Radio live</TITLE>
    <REF HREF="mms://media.example/live/radio" />
    <REF HREF="http://media.example:8080/live/radio" />
  </ENTRY>
</ASX>`;

const cases: { name: string; text: string; base?: string; value: Asx }[] = [
  {
    name: "rollover.md's example: one entry, two REFs as alternatives in order",
    text: RADIO,
    value: {
      title: 'Radio',
      entries: [
        {
          title: 'Radio live',
          refs: ['mms://media.example/live/radio', 'http://media.example:8080/live/radio'],
        },
      ],
    },
  },
  {
    name: 'lower-case and mixed-case tags and attributes, no prolog, unclosed REF',
    text: '<asx version=3.0><Entry><ref Href="mms://h/a.wmv"><Ref hReF=\'mmsh://h/a.wmv\'></entry></Asx>',
    value: { entries: [{ refs: ['mms://h/a.wmv', 'mmsh://h/a.wmv'] }] },
  },
  {
    name: 'an unescaped & stays as written; &amp; decodes; both in one URL',
    text: '<ASX><ENTRY><REF HREF="http://h/s?a=1&b=2&amp;c=3&x" /></ENTRY></ASX>',
    value: { entries: [{ refs: ['http://h/s?a=1&b=2&c=3&x'] }] },
  },
  {
    name: 'XML prolog, comments (one holding a fake REF) and CDATA in a title',
    text:
      '<?xml version="1.0"?>\n<!-- <REF HREF="mms://wrong/"> -->\n<ASX VERSION="3.0"><TITLE><![CDATA[A & B]]></TITLE>' +
      '<ENTRY><!-- note --><REF HREF="mms://right/x"/></ENTRY></ASX>',
    value: { title: 'A & B', entries: [{ refs: ['mms://right/x'] }] },
  },
  {
    name: 'ASX BASE resolves relative HREFs; an entry BASE wins inside its entry; absolute HREFs untouched',
    text:
      '<ASX><BASE HREF="http://media.example/dir/"/>' +
      '<ENTRY><REF HREF="a.wmv"/><REF HREF="mms://other/%41b.wmv"/></ENTRY>' +
      '<ENTRY><BASE HREF="mms://live.example/pub/"/><REF HREF="b.wmv"/></ENTRY></ASX>',
    value: {
      entries: [
        { refs: ['http://media.example/dir/a.wmv', 'mms://other/%41b.wmv'] },
        { refs: ['mms://live.example/pub/b.wmv'] },
      ],
    },
  },
  {
    name: 'without BASE a relative HREF resolves against the metafile location',
    text: '<asx><entry><ref href="../media/c.wmv"/></entry><entryref href="more.asx"/></asx>',
    base: 'http://web.example/lists/top.asx',
    value: {
      entries: [
        { refs: ['http://web.example/media/c.wmv'] },
        { refs: [], entryRef: 'http://web.example/lists/more.asx' },
      ],
    },
  },
  {
    name: 'metadata on ASX and ENTRY; entities in text; whitespace folded',
    text:
      '<ASX><TITLE> Morning\n  Show </TITLE><AUTHOR>Me &amp; You</AUTHOR><COPYRIGHT>&#169; 2003</COPYRIGHT>' +
      '<ENTRY><TITLE>Part 1</TITLE><ABSTRACT>First &lt;half&gt;</ABSTRACT><REF HREF="mms://h/1"/></ENTRY></ASX>',
    value: {
      title: 'Morning Show',
      author: 'Me & You',
      copyright: '© 2003',
      entries: [{ title: 'Part 1', abstract: 'First <half>', refs: ['mms://h/1'] }],
    },
  },
  {
    name: 'REPEAT wraps entries; an ENTRY without REF is dropped; a bare REF under ASX is an entry',
    text:
      '<ASX><REPEAT COUNT="2"><ENTRY><REF HREF="mms://h/a"/></ENTRY></REPEAT><ENTRY><TITLE>x</TITLE></ENTRY>' +
      '<REF HREF="mms://h/stray"/></ASX>',
    value: { entries: [{ refs: ['mms://h/a'] }, { refs: ['mms://h/stray'] }] },
  },
  {
    name: 'the same REF twice in an entry is tried once; REFs with an empty HREF are skipped',
    text: '<ASX><ENTRY><REF HREF="mms://h/a"/><REF HREF=""/><REF HREF="mms://h/a"/></ENTRY></ASX>',
    value: { entries: [{ refs: ['mms://h/a'] }] },
  },
  {
    name: 'a quoted > inside an attribute does not end the tag',
    text: '<ASX><ENTRY><REF HREF="http://h/q?x=>y"/></ENTRY></ASX>',
    value: { entries: [{ refs: ['http://h/q?x=>y'] }] },
  },
  {
    name: 'the [Reference] form: Ref1, Ref2 become one entry, ordered by number',
    text: '[Reference]\r\nRef2=http://media.example:80/live/radio?MSWMExt=.asf\r\nRef1=http://media.example/live/radio?MSWMExt=.asf\r\n',
    value: {
      entries: [
        {
          refs: [
            'http://media.example/live/radio?MSWMExt=.asf',
            'http://media.example:80/live/radio?MSWMExt=.asf',
          ],
        },
      ],
    },
  },
  {
    name: 'the [Reference] form in lower case, with blank lines and other keys ignored',
    text: '\n[reference]\nBandwidth=56000\nref1 = mms://h/a.asf\n\n',
    value: { entries: [{ refs: ['mms://h/a.asf'] }] },
  },
];

describe('parseAsx cases', () => {
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(parseAsx(c.text, c.base === undefined ? {} : { base: c.base }), c.value);
    });
    it(`${c.name} (same result from UTF-8 bytes)`, () => {
      assert.deepEqual(
        parseAsx(Buffer.from(c.text, 'utf8'), c.base === undefined ? {} : { base: c.base }),
        c.value,
      );
    });
  }
});

describe('text encodings', () => {
  const text = '<ASX><TITLE>Café Müller</TITLE><ENTRY><REF HREF="mms://h/é"/></ENTRY></ASX>';
  const want = { title: 'Café Müller', entries: [{ refs: ['mms://h/é'] }] };
  const be = (s: string): Buffer => Buffer.from(s, 'utf16le').swap16();
  const table: { name: string; bytes: Buffer }[] = [
    { name: 'UTF-8 with BOM', bytes: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]) },
    { name: 'UTF-8 without BOM', bytes: Buffer.from(text) },
    {
      name: 'UTF-16LE with BOM',
      bytes: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]),
    },
    { name: 'UTF-16BE with BOM', bytes: Buffer.concat([Buffer.from([0xfe, 0xff]), be(text)]) },
    { name: 'UTF-16LE without BOM', bytes: Buffer.from(text, 'utf16le') },
    { name: 'UTF-16BE without BOM', bytes: be(text) },
    { name: 'ANSI (windows-1252)', bytes: Buffer.from(text, 'latin1') },
  ];
  for (const t of table) {
    it(t.name, () => {
      assert.equal(decodeMetafileText(t.bytes), text);
      assert.deepEqual(parseAsx(t.bytes), want);
    });
  }
  it('ANSI bytes 0x80-0x9F are the windows-1252 characters, not C1 controls', () => {
    assert.equal(decodeMetafileText(Buffer.from([0x3c, 0x80, 0x99, 0x3e])), '<€™>');
  });
});

describe('broken input gives a one-line ProtocolError', () => {
  const broken: { name: string; input: string | Buffer; code: string; message: RegExp }[] = [
    { name: 'empty', input: '', code: 'E_ASX_NOT_ASX', message: /no <ASX> element/ },
    {
      name: 'an HTML page',
      input: '<html><body>404</body></html>',
      code: 'E_ASX_NOT_ASX',
      message: /not an ASX/,
    },
    {
      name: 'ASF bytes',
      input: Buffer.from('3026b2758e66cf11a6d900aa0062ce6c', 'hex'),
      code: 'E_ASX_NOT_ASX',
      message: /ASX/,
    },
    {
      name: 'ASX with no entries',
      input: '<ASX VERSION="3.0"><TITLE>t</TITLE></ASX>',
      code: 'E_ASX_EMPTY',
      message: /no REF/,
    },
    {
      name: 'REF without HREF',
      input: '<ASX><ENTRY><REF /></ENTRY></ASX>',
      code: 'E_ASX_EMPTY',
      message: /no REF/,
    },
    {
      name: '[Reference] without RefN',
      input: '[Reference]\nfoo=bar\n',
      code: 'E_ASX_EMPTY',
      message: /no REF/,
    },
    {
      name: 'nesting deeper than any ASX',
      input: '<asx>' + '<a>'.repeat(100),
      code: 'E_ASX_NESTING',
      message: /deeper/,
    },
    {
      name: 'over the size cap',
      input: Buffer.alloc(METAFILE_MAX_BYTES + 1, 0x20),
      code: 'E_METAFILE_TOO_LARGE',
      message: /at most/,
    },
  ];
  for (const b of broken) {
    it(b.name, () => {
      assert.throws(
        () => parseAsx(b.input),
        (e: unknown) =>
          e instanceof ProtocolError &&
          e.code === b.code &&
          b.message.test(e.message) &&
          !e.message.includes('\n'),
      );
    });
  }
});

it('looksLikeAsx tells both forms from a stream or a page', () => {
  assert.equal(looksLikeAsx(RADIO), true);
  assert.equal(looksLikeAsx('  \r\n[REFERENCE]\r\nRef1=x'), true);
  assert.equal(looksLikeAsx('<?xml version="1.0"?><asx version="3.0">'), true);
  assert.equal(looksLikeAsx('<html><head><title>asx</title>'), false);
  assert.equal(looksLikeAsx('0&\u00b2u\u008ef\u00cf'), false);
});

describe('properties', () => {
  const fragments = fc.constantFrom(
    '<ASX>',
    '</ASX>',
    '<ENTRY>',
    '</ENTRY>',
    '<REF HREF="mms://h/a">',
    '<ref href=x/>',
    '<ENTRYREF HREF="b.asx"/>',
    '<BASE HREF="http://b/">',
    '<TITLE>',
    '</TITLE>',
    '<!--',
    '-->',
    '<![CDATA[',
    ']]>',
    '&amp;',
    '&#x110000;',
    '"',
    "'",
    '<',
    '>',
    '[Reference]\n',
    'Ref1=',
    '\n',
  );
  const asxish = fc
    .array(fc.oneof(fragments, fc.string({ maxLength: 8 })), { maxLength: 40 })
    .map((a) => a.join(''));

  it('arbitrary strings and ASX-shaped soup give a result or a ProtocolError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), asxish), (s) =>
        onlyProtocolErrors(() => void parseAsx(s)),
      ),
      BUDGET,
    );
  });

  it('arbitrary bytes give a result or a ProtocolError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (b) => onlyProtocolErrors(() => void parseAsx(b))),
      BUDGET,
    );
  });

  it('every REF written into an entry comes back, in order, whatever the tag case', () => {
    const url = fc.webUrl().filter((u) => !/["&<>]/.test(u));
    fc.assert(
      fc.property(fc.array(url, { minLength: 1, maxLength: 5 }), fc.boolean(), (urls, upper) => {
        const t = (s: string): string => (upper ? s.toUpperCase() : s.toLowerCase());
        const body = urls.map((u) => `<${t('ref')} ${t('href')}="${u}"/>`).join('');
        const got = parseAsx(`<${t('asx')}><${t('entry')}>${body}</${t('entry')}></${t('asx')}>`);
        assert.deepEqual(got.entries, [{ refs: [...new Set(urls)] }]);
      }),
      BUDGET,
    );
  });
});
