/**
 * Whisper's language table, in whisper.cpp's order (the bundled commit's g_lang). OpenAI's
 * verbose_json reports the full lowercase English name ("english"), while requests carry
 * ISO 639-1 codes; both directions live here so schemas and renderers agree.
 */
export const LANGUAGES: Readonly<Record<string, string>> = Object.freeze({
  en: 'english', zh: 'chinese', de: 'german', es: 'spanish', ru: 'russian', ko: 'korean', fr: 'french',
  ja: 'japanese', pt: 'portuguese', tr: 'turkish', pl: 'polish', ca: 'catalan', nl: 'dutch', ar: 'arabic',
  sv: 'swedish', it: 'italian', id: 'indonesian', hi: 'hindi', fi: 'finnish', vi: 'vietnamese', he: 'hebrew',
  uk: 'ukrainian', el: 'greek', ms: 'malay', cs: 'czech', ro: 'romanian', da: 'danish', hu: 'hungarian',
  ta: 'tamil', no: 'norwegian', th: 'thai', ur: 'urdu', hr: 'croatian', bg: 'bulgarian', lt: 'lithuanian',
  la: 'latin', mi: 'maori', ml: 'malayalam', cy: 'welsh', sk: 'slovak', te: 'telugu', fa: 'persian',
  lv: 'latvian', bn: 'bengali', sr: 'serbian', az: 'azerbaijani', sl: 'slovenian', kn: 'kannada',
  et: 'estonian', mk: 'macedonian', br: 'breton', eu: 'basque', is: 'icelandic', hy: 'armenian',
  ne: 'nepali', mn: 'mongolian', bs: 'bosnian', kk: 'kazakh', sq: 'albanian', sw: 'swahili', gl: 'galician',
  mr: 'marathi', pa: 'punjabi', si: 'sinhala', km: 'khmer', sn: 'shona', yo: 'yoruba', so: 'somali',
  af: 'afrikaans', oc: 'occitan', ka: 'georgian', be: 'belarusian', tg: 'tajik', sd: 'sindhi',
  gu: 'gujarati', am: 'amharic', yi: 'yiddish', lo: 'lao', uz: 'uzbek', fo: 'faroese', ht: 'haitian creole',
  ps: 'pashto', tk: 'turkmen', nn: 'nynorsk', mt: 'maltese', sa: 'sanskrit', lb: 'luxembourgish',
  my: 'myanmar', bo: 'tibetan', tl: 'tagalog', mg: 'malagasy', as: 'assamese', tt: 'tatar', haw: 'hawaiian',
  ln: 'lingala', ha: 'hausa', ba: 'bashkir', jw: 'javanese', su: 'sundanese', yue: 'cantonese',
});

/** Other spellings users send, as in openai/whisper's tokenizer, plus the ISO code for Javanese. */
const NAME_ALIASES: Readonly<Record<string, string>> = {
  burmese: 'my', valencian: 'ca', flemish: 'nl', haitian: 'ht', letzeburgesch: 'lb', pushto: 'ps',
  panjabi: 'pa', moldavian: 'ro', moldovan: 'ro', sinhalese: 'si', castilian: 'es', mandarin: 'zh',
  jv: 'jw',
};

const BY_NAME: ReadonlyMap<string, string> = new Map([
  ...Object.entries(LANGUAGES).map(([code, name]) => [name, code] as const),
  ...Object.entries(NAME_ALIASES),
]);

/** Maps a code or an English name, any case, to whisper's code; undefined when unknown. */
export function toLanguageCode(input: string): string | undefined {
  const key = input.trim().toLowerCase();
  if (Object.hasOwn(LANGUAGES, key)) return key;
  return BY_NAME.get(key);
}

/** The name verbose_json reports; falls back to the code for anything whisper.cpp invents. */
export function languageName(code: string): string {
  return Object.hasOwn(LANGUAGES, code) ? LANGUAGES[code] : code;
}
