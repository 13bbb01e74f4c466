// spm_stress.mjs: the lines of the SentencePiece-specific stress corpus
// tests/golden/spm/stress_spm.jsonl (spm_corpora.mjs writes the file).
//
// The lines are listed by hand, section by section, for what SentencePiece does
// differently from byte-level BPE: whitespace removal and escaping (U+2581),
// the dummy prefix, NFKC-family normalization, user-defined and control symbol
// text of the models in tests/golden/spm/models, byte fallback, unknown runs,
// NUL and other controls, long words, combining marks. A last section adds
// random concatenations of those ingredients (PRNG mulberry32, fixed seed).
// Deterministic: no input but this file.

const S = (n, s) => s.repeat(n);

const SECTIONS = [
  ['basic', [
    '', 'a', 'Hello world', 'hello world', 'Hello, world!', 'The quick brown fox jumps over the lazy dog.',
    'I', 'x y z', 'it\'s', 'don\'t', 'e.g.', 'U.S.A.', 'C++', 'a-b', 'foo_bar', 'snake_case_name', 'CamelCaseName',
    'http://example.com/a?b=c&d=e', 'user@example.com', '#include <stdio.h>', 'def f(x):\n    return x', '$HOME/.bashrc',
  ]],
  ['spaces', [
    ' ', '  ', '   ', S(8, ' '), S(64, ' '), ' a', '  a', '   a', 'a ', 'a  ', 'a   ', ' a ', '  a  ',
    'a b', 'a  b', 'a   b', 'a    b', S(16, ' ') + 'a' + S(16, ' ') + 'b' + S(16, ' '), ' Hello   world ',
    '  Hello  ,  world  !  ', 'a . b', ' . ', '. ', ' .', 'end of sentence.  Next one.',
  ]],
  ['tabs and newlines', [
    '\t', '\t\t', '\n', '\n\n', '\r', '\r\n', '\n\r', 'a\tb', 'a\nb', 'a\r\nb', 'a\rb', '\ta', 'a\t', '\na', 'a\n',
    ' \n ', ' \t ', '\t \t', 'a \n b', 'a\n\nb', 'line one\nline two\nline three', 'col1\tcol2\tcol3',
    '    indented\n        more\n    back', '\tdef f():\n\t\treturn 1\n', 'trailing\n\n\n', '\n\n\nleading',
    'a\u000bb', 'a\u000cb', 'a\u0085b', 'a\u2028b', 'a\u2029b', 'a\u00a0b', 'a\u3000b', 'a\u2002b', 'a\u2009b',
    'a\u200bb', 'a\u180eb', 'a\u202fb', 'a\u205fb', '\u3000', '\u00a0', '\u3000\u3000a\u3000\u3000',
  ]],
  ['U+2581', [
    '\u2581', '\u2581\u2581', S(10, '\u2581'), '\u2581a', 'a\u2581', 'a\u2581b', '\u2581 ', ' \u2581', ' \u2581 ',
    'a \u2581 b', '\u2581hello\u2581world', 'hello\u2581 world', '\u2581\u2581hello', '\u2581<tag>', '\u2581the',
    '_a_b_', '\u2582', '\u2580',
  ]],
  ['NFKC and case', [
    '\uff21\uff22\uff23', '\uff11\uff12\uff13', '\uff48\uff45\uff4c\uff4c\uff4f', '\uff01\uff1f', '\uff76\uff80\uff76\uff85',
    '\uff8a\uff9e\uff8a\uff9f', '\ufb01', '\ufb01ne', '\ufb00', '\ufb03', '\ufb05', '\u337f', '\u2460', '\u2122', '\u216b',
    '\u210c', '\u3231', '\u00bc', '\u00b2', 'x\u00b2+y\u00b2', '\u212b', 'A\u030a', '\u01c5', '\u017f', '\u1e9e',
    '\u00df', 'STRASSE stra\u00dfe', '\u0130stanbul', '\u03a3\u0391\u03a3 \u03c3\u03b1\u03c2', 'HELLO Hello hello',
    '\u01c4\u01c5\u01c6', '\uff47\uff4f\uff4f\uff44\u3000\uff4d\uff4f\uff52\uff4e\uff49\uff4e\uff47', '\u2026', '...', '....',
    '......', '\u2019quote\u2019', '\u201cdouble\u201d', 'soft\u00adhyphen', '\u00ad', 'ABCDEF abcdef', '\ufb01fi',
    '\ud835\udc00\ud835\udfd8', '\u2161\u2162', '\u24b6', '\u3000\u3000', '\u309b', '\u30ac', '\u30ab\u3099',
    '\u00c5', '\u0041\u0301', '\u2000\u2001', '\u037e', '\u1fbf', '\u1d40', '\u2126', '\u00b5', '\u03bc',
  ]],
  ['digits', [
    '0', '12', '123', '0123456789', '3.14159', '1,000,000', '2024-06-11', '10:30pm', 'x86_64', 'v0.1.97', 'sha256',
    '\u0661\u0662\u0663', '\u0967\u0968\u0969', '\uff11\uff12', '\uff11\uff12\uff13\uff14', '123abc456', 'a1b2c3',
    '1 2 3', '1\t2', '-1', '+1e-10', '0x1F', S(40, '9'), S(20, '12'), '\u00bd', '\u2155', '\u2080\u2081',
  ]],
  ['symbols and specials', [
    '<tag>', '<tag/>', '<tag>x', 'x<tag>', '<tag><tag/>', '<tag/>>', '<<tag>>', '<', '<<', '<ta', '<tag',
    '==', '===', '====', '=====', 'a==b', 'a===b', '!=', '!==', '->', '->>', '-->', '@@', '@@@', '@@@@',
    'abc', 'ab', 'abcd', 'ababc', 'aabc', 'xabcx', 'the', 'The', 'THE', 'other', 'the the', 'xthex', 'bathe',
    '\uff11\uff12', '\uff11\uff12\uff13', '\u210c', '\u210c\u210c', '\ud83d\ude00', '\ud83d\ude00\ud83d\ude00',
    '<sep>', '<sep2>', '<sep><sep2><sep>', '<sep>2', '<se', '>>', '>>>', '>>>>', '>>>>>', '>>> print(1)',
    '[EOS]', '[EOS][EOS]', 'text[EOS]', '[PAD]', '[UNK]', '[CTL]', '<mask>', '<s>', '</s>', '<unk>', '<pad>',
    '<s>hello</s>', '<ctl>', '<cls>', 'GPL', 'GPLv3', 'LGPL', 'the GPL and the LGPL', ' <tag> ', ' == ', 'a <sep> b',
    '\u2581<sep>', '<tag>\u0000', '\u0000<tag>',
  ]],
  ['unknown and byte fallback', [
    '\ud83d\ude00', '\ud83d\udc68\u200d\ud83d\udc69\u200d\ud83d\udc67\u200d\ud83d\udc66', '\ud83c\uddef\ud83c\uddf5',
    '\ud842\udfb7', '\ud869\ude25', '\u9b31', '\u9f98', '\ud835\udd4f', '\ue000', '\udbff\udfff', '\ufffd', '\ufffd\ufffd',
    'a\ud83d\ude00b', '\ud83d\ude00 \ud83d\ude00', 'x\ud842\udfb7\ud842\udfb7y', '\u2603\u2764\ufe0f', '\u0f00', '\ua000',
    '\u1200\u1201', '\u13a0', '\ud800\udf00', 'caf\u00e9', 'na\u00efve', '\u00ff', '\u0100', '\u07c0', '\u0800',
    '\uffef', '\ud800\udc00', S(5, '\ud83d\ude00'), 'I \u2764\ufe0f \u65e5\u672c', '\u0416\u0416\u0416',
  ]],
  ['NUL and controls', [
    '\u0000', '\u0000\u0000', 'a\u0000b', ' \u0000 ', '\u0000a', 'a\u0000', '\u0000 \u0000', 'hello\u0000world',
    '\u0001', '\u0008', '\u001b[0m', '\u001f', '\u007f', '\u0080', '\u009f', 'a\u0001b', 'a\u007fb', '\u200c', '\u200d',
    'a\u200db', '\u2060', '\ufeff', '\ufeffhello', 'hello\ufeff', '\u202eabc', '\u00ad\u00ad', '\u034f', '\ufe0f',
  ]],
  ['combining marks', [
    'e\u0301', '\u00e9', 'e\u0301\u0301', 'a\u0300\u0301\u0302\u0303', '\u0301', '\u0301a', ' \u0301', '\u1100\u1161',
    '\u1100\u1161\u11a8', '\ud55c\uad6d\uc5b4', '\u0915\u094d\u0937\u093f', '\u0e01\u0e48', '\u0645\u064e\u0631\u0652',
    '\u05e9\u05c1\u05b8', 'Z\u0337\u0322\u0353\u0344a\u0338l\u0336g\u0335o\u0336', '\u0345', '\u1fb3', '\u0390',
    'o\u0308\u0304', '\u01ed', '\ufb01\u0301', '\u0041\u030a\u0301', '\u0f73', '\u0344', '\u0958', '\u2adc',
  ]],
  ['scripts', [
    'Hello\u4e16\u754c', '\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8', '\u3053\u3093\u306b\u3061\u306f\u3001\u4e16\u754c\uff01',
    '\u4e2d\u6587\u6587\u672c\uff0c\u6ca1\u6709\u7a7a\u683c\u3002', '\u041f\u0440\u0438\u0432\u0435\u0442, \u043c\u0438\u0440!',
    'mixed\u65e5\u672c\u8a9etext123', '\u0627\u0644\u0633\u0644\u0627\u0645 \u0639\u0644\u064a\u0643\u0645',
    '\u05e9\u05dc\u05d5\u05dd', '\u0928\u092e\u0938\u094d\u0924\u0947', '\u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35',
    '\uc548\ub155\ud558\uc138\uc694', '\u0393\u03b5\u03b9\u03ac \u03c3\u03bf\u03c5', 'abc\u0430\u0431\u0432abc',
    '\u30ab\u30bf\u30ab\u30ca\u3072\u3089\u304c\u306a\u6f22\u5b57', '\u3000\u65e5\u672c\u3000', '1\u65e52\u6708',
  ]],
  ['long', [
    S(1000, 'a'), S(50, 'supercalifragilistic'), S(500, 'ab'), S(300, 'the'), S(2000, ' '), S(300, '\u2581'),
    S(400, '\u65e5\u672c\u8a9e'), S(1000, '\u4e00'), S(200, '\ud83d\ude00'), S(200, '\u0000'), S(100, 'e\u0301'),
    S(500, 'a ') + 'end', S(300, 'x\t'), S(200, '\n'), S(200, '<tag>'), S(100, '==='), S(300, '1'), S(200, '\uff21'),
    S(150, '\u041f\u0440\u0438\u0432\u0435\u0442'), S(2, 'Pneumonoultramicroscopicsilicovolcanoconiosis'),
    'https://example.com/' + S(100, 'abc/'), S(250, '\ufb01'),
  ]],
];

// mulberry32, as in make_stress.mjs.
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INGREDIENTS = [
  ' ', '  ', '\t', '\n', '\r\n', '\u3000', '\u00a0', '\u2581', 'a', 'the', 'Hello', 'world', '<tag>', '<tag/>', '==',
  '===', '>>', '<sep>', '[EOS]', '<s>', '\uff11', '\uff21', '\ufb01', '\u00e9', 'e\u0301', '\u0301', '\ud83d\ude00',
  '\ud842\udfb7', '\u0000', '\u007f', '\u200d', '\ufeff', '\u65e5\u672c', '\u8a9e', '\u0416', '\u0436\u0438\u0437\u043d\u044c',
  '0', '12', '3.5', '...', '\u2026', '\u00ad', '\u2019', '-', '_', '.', ',', 'x86', 'GPL', '\u210c', 'SS', '\u00df',
];

function randomLines(count, seed) {
  const rnd = mulberry32(seed);
  const out = [];
  for (let i = 0; i < count; i++) {
    const n = 1 + Math.floor(rnd() * 24);
    let s = '';
    for (let k = 0; k < n; k++) s += INGREDIENTS[Math.floor(rnd() * INGREDIENTS.length)];
    out.push(s);
  }
  return out;
}

export function stressSections() {
  return [...SECTIONS, ['random', randomLines(300, 0x5e17a9ce)]];
}
