/**
 * The demo phone page's language choice and its sentence tables: `?lang=` wins, then the
 * browser's preferred languages (any `zh-*` is Simplified Chinese), else English; both tables
 * have every sentence, and the Chinese one is not the English one left untranslated.
 */
import { pickLang } from '../../client/demo/phone/lang';
import { PHONE_STRINGS, fill } from '../../client/demo/phone/strings';

test.each([
  ['', ['en-US', 'en'], 'en'],
  ['', ['zh-CN', 'zh'], 'zh-CN'],
  ['', ['zh-TW'], 'zh-CN'],
  ['', ['zh'], 'zh-CN'],
  ['', ['fr-FR', 'zh-CN', 'en'], 'zh-CN'],
  ['', ['fr-FR', 'en-GB', 'zh-CN'], 'en'],
  ['', ['fr-FR'], 'en'],
  ['', [], 'en'],
  ['?lang=zh-CN', ['en-US'], 'zh-CN'],
  ['?lang=zh-cn', ['en-US'], 'zh-CN'],
  ['?lang=en', ['zh-CN'], 'en'],
  ['?lang=klingon', ['zh-CN'], 'zh-CN'],
  ['?lang=', ['zh-CN'], 'zh-CN'],
] as const)('search %p, languages %p → %s', (search, languages, expected) => {
  expect(pickLang(search, languages)).toBe(expected);
});

test('both languages have every sentence, none empty, and Chinese is translated', () => {
  const en = PHONE_STRINGS.en;
  const zh = PHONE_STRINGS['zh-CN'];
  expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
  for (const key of Object.keys(en) as (keyof typeof en)[]) {
    expect(en[key].trim()).not.toBe('');
    expect(zh[key].trim()).not.toBe('');
    if (!['brand', 'title'].includes(key)) expect(zh[key]).not.toBe(en[key]);
  }
  expect(en.signInAgain).toBe('Please sign in again');
  expect(zh.signInAgain).toBe('请重新登录');
});

test('fill puts values in their {places} and leaves unknown places alone', () => {
  expect(fill(PHONE_STRINGS.en.warning, { origin: 'https://a.example' })).toContain('signing in to https://a.example on a screen');
  expect(fill(PHONE_STRINGS['zh-CN'].warning, { origin: 'https://a.example' })).toContain('https://a.example');
  expect(fill('{a} and {b}', { a: '1' })).toBe('1 and {b}');
});
