/**
 * Lenient date parsing for feeds: W3C/ISO 8601 in its many shapes, RFC 822/1123 with named zones
 * (EST, MET, CEST…), two-digit years, asctime, and month and weekday names in the common European
 * languages. A date that does not exist ("31 Feb", hour 25) gives undefined: nothing is rolled over
 * or invented, and the caller decides what an undated item gets.
 */

const MONTHS: Record<string, number> = {};
const addMonths = (names: string[]): void => names.forEach((n, i) => n.split('|').forEach((v) => (MONTHS[v] = i + 1)));
addMonths([
  'jan|january',
  'feb|february',
  'mar|march',
  'apr|april',
  'may',
  'jun|june',
  'jul|july',
  'aug|august',
  'sep|sept|september',
  'oct|october',
  'nov|november',
  'dec|december',
]);
// German, French, Spanish, Italian, Dutch, Portuguese, Swedish/Danish/Norwegian, Polish, Czech (genitive forms too).
// Greek (feedparser's suite has "Κυρ, 11 Ιούλ 2004 12:00:00 EST").
addMonths([
  'ιαν|ιανουαρίου',
  'φεβ|φεβρουαρίου',
  'μάρ|μαρ|μαρτίου',
  'απρ|απριλίου',
  'μάι|μαϊ|μαΐ|μαΐου',
  'ιούν|ιουν|ιουνίου',
  'ιούλ|ιουλ|ιουλίου',
  'αύγ|αυγ|αυγούστου',
  'σεπ|σεπτεμβρίου',
  'οκτ|οκτωβρίου',
  'νοέ|νοε|νοεμβρίου',
  'δεκ|δεκεμβρίου',
]);
// Hungarian (feedparser's suite: "2004-július-13T9:15-05:00").
addMonths([
  'január|jan',
  'február|feb',
  'március|márc',
  'április|ápr',
  'május|máj',
  'június|jún',
  'július|júl',
  'augusztus|aug',
  'szeptember|szept',
  'október|okt',
  'november|nov',
  'december|dec',
]);
addMonths([
  'januar|jän|jänner|janv|janvier|enero|ene|gennaio|gen|januari|janeiro|stycznia|styczeń|sty|ledna|leden',
  'februar|février|fevrier|févr|fevr|fév|febrero|febbraio|februari|fevereiro|fev|lutego|luty|lut|února|únor',
  'märz|mär|maerz|mars|marzo|maart|março|marco|marca|marzec|března|březen|mrt',
  'avril|avr|abril|abr|aprile|kwietnia|kwiecień|kwi|dubna|duben',
  'mai|mayo|maggio|mag|mei|maio|maja|maj|května|květen|mey',
  'juni|juin|junio|giugno|giu|junho|czerwca|czerwiec|cze|června|červen',
  'juli|juillet|juil|julio|luglio|lug|julho|lipca|lipiec|lip|července|červenec',
  'august|août|aout|agosto|ago|augustus|sierpnia|sierpień|sie|srpna|srpen|augusti',
  'september|septembre|sept|septiembre|settembre|set|setembro|września|wrzesień|wrz|září|sep',
  'oktober|octobre|octubre|ottobre|ott|outubro|out|października|październik|paź|okt|října|říjen',
  'november|novembre|noviembre|novembro|listopada|listopad|lis|listopadu',
  'dezember|dez|décembre|decembre|déc|diciembre|dic|dicembre|december|dezembro|grudnia|grudzień|gru|prosince|prosinec|des',
]);

const WEEKDAY =
  /^(mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun|monday|tuesday|wednesday|thursday|friday|saturday|sunday|mo|di|mi|do|fr|sa|so|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonnabend|sonntag|lun|mar|mer|jeu|ven|sam|dim|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|lunes|martes|miércoles|miercoles|jueves|viernes|sábado|sabado|domingo|mié|jue|vie|sáb|dom|lunedì|martedì|mercoledì|giovedì|venerdì|sabato|maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag|ma|wo|vr|za|zo|segunda|terça|quarta|quinta|sexta|κυρ|δευ|τρι|τετ|πεμ|παρ|σαβ)$/;

/** Zone abbreviations seen in feeds, in minutes east of UTC. */
const ZONES: Record<string, number> = {
  z: 0,
  ut: 0,
  utc: 0,
  gmt: 0,
  wet: 0,
  bst: 60,
  ist: 330,
  west: 60,
  est: -300,
  edt: -240,
  cst: -360,
  cdt: -300,
  mst: -420,
  mdt: -360,
  pst: -480,
  pdt: -420,
  akst: -540,
  akdt: -480,
  hst: -600,
  ast: -240,
  adt: -180,
  nst: -210,
  ndt: -150,
  met: 60,
  mest: 120,
  cet: 60,
  cest: 120,
  mez: 60,
  mesz: 120,
  eet: 120,
  eest: 180,
  msk: 180,
  jst: 540,
  kst: 540,
  hkt: 480,
  sgt: 480,
  awst: 480,
  acst: 570,
  acdt: 630,
  aest: 600,
  aedt: 660,
  nzst: 720,
  nzdt: 780,
  // Two-letter North American zones (RFC 822 has none, feeds use them).
  at: -240,
  et: -300,
  ct: -360,
  mt: -420,
  pt: -480,
};
// Military zones: RFC 822 defined them with the wrong sign, so RFC 2822 reads every one but Z as UTC.
for (const letter of 'abcdefghiklmnopqrstuvwxy') ZONES[letter] = 0;

const daysIn = (y: number, m: number): number => new Date(Date.UTC(y, m, 0)).getUTCDate();

function build(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  ms: number,
  offsetMin: number,
): Date | undefined {
  if (!(mo >= 1 && mo <= 12) || !(d >= 1 && d <= daysIn(y, mo))) return undefined;
  // Every field comes from digits, so none is negative, and a year has at most four digits.
  // 24:00:00 is the end of the day (Date.UTC rolls it over to the next midnight); no other hour 24.
  const endOfDay = h === 24 && mi === 0 && s === 0 && ms === 0;
  if ((h > 23 && !endOfDay) || mi > 59 || s > 60 || y < 1900) return undefined;
  // A leap second (:60) is read as :59, the last second Date can hold.
  return new Date(Date.UTC(y, mo - 1, d, h, mi, Math.min(s, 59), ms) - offsetMin * 60_000);
}

/** "+05:30", "-0800", "+01", "EST", "GMT+2" → minutes east of UTC; undefined when unknown. */
function zoneOffset(zone: string | undefined): number | undefined {
  if (!zone) return 0;
  // The input is lower-cased already, and a zone is one token: only a comment's parentheses to strip.
  const z = zone.replace(/^\(|\)$/g, '');
  if (!z) return 0;
  const num = /^(?:gmt|utc|ut)?([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(z);
  if (num) {
    const h = Number(num[2]);
    const m = Number(num[3] ?? 0);
    if (h > 14 || m > 59) return undefined;
    return (num[1] === '-' ? -1 : 1) * (h * 60 + m);
  }
  return ZONES[z];
}

const ISO =
  /^(\d{4})(?:-?(\d{2})(?:-?(\d{2}))?)?(?:(?:t|\s+)(\d{1,2})(?::?(\d{2}))?(?::?(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(z|[+-]\d{2}(?::?\d{2})?|[a-z]{1,5})?$/;

function parseIso(s: string): Date | undefined {
  const m = ISO.exec(s);
  if (!m) return undefined;
  // Bare 8-digit numbers are dates (20031213); bare 5+ digit years are not.
  // A zone belongs to a time: "2013-01-27-01" is not 27 January at 01:00.
  if (m[8] && m[4] === undefined) return undefined;
  const offset = zoneOffset(m[8]);
  if (offset === undefined) return undefined;
  const ms = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
  return build(
    Number(m[1]),
    Number(m[2] ?? 1),
    Number(m[3] ?? 1),
    Number(m[4] ?? 0),
    Number(m[5] ?? 0),
    Number(m[6] ?? 0),
    ms,
    offset,
  );
}

const TIME = /^(\d{1,2})[:.h](\d{2})(?:[:.](\d{2})(?:[.,]\d+)?)?$/;

/** RFC 822 and the free-form shapes around it, tokenized: day, month name, year, time, zone in any order. */
function parseWords(s: string): Date | undefined {
  const tokens = s
    .replace(/,/g, ' ')
    .replace(/\b(\d{1,2})(st|nd|rd|th)\b/g, '$1')
    // "10:30:02-0800" → "10:30:02 -0800"; "6:30pm" → "6:30 pm".
    .replace(/(:\d{2})(?=[+-]\d|am\b|pm\b)/g, '$1 ')
    // Runs of separators leave empty strings, dropped below.
    .split(/[\s/]|-(?=[a-zà-ž])|(?<=[a-zà-ž])-/)
    .filter(Boolean);
  let day: number | undefined;
  let month: number | undefined;
  let year: number | undefined;
  let time: [number, number, number] | undefined;
  let offset: number | undefined;
  const numbers: string[] = [];
  let weekdayOrMonth: string | undefined; // "mar" is Tuesday in French and March in English
  for (const raw of tokens) {
    const tok = raw.replace(/\.$/, '');
    if (WEEKDAY.test(tok)) {
      if (tok in MONTHS) weekdayOrMonth ??= tok;
      continue;
    }
    if (tok in MONTHS) {
      if (month !== undefined) return undefined; // two month names: which one?
      month = MONTHS[tok];
      continue;
    }
    if (/^(am|pm)$/.test(tok) && time) {
      if (tok === 'pm' && time[0] < 12) time[0] += 12;
      if (tok === 'am' && time[0] === 12) time[0] = 0;
      continue;
    }
    const t = TIME.exec(tok);
    if (t && !time) {
      time = [Number(t[1]), Number(t[2]), Number(t[3] ?? 0)];
      continue;
    }
    // Stryker disable next-line Regex: a token of digits and more is refused either way: here as a word no zone names, or below as a number that is no day or year
    if (/^\d{1,4}$/.test(tok)) {
      numbers.push(tok);
      continue;
    }
    // "at 10:00" is a word; "10:00 AT" is Atlantic Time.
    const z = tok === 'at' && !time ? undefined : zoneOffset(tok);
    // A letter alone is a zone only after a time; "+01" and named zones are zones anywhere.
    if (z !== undefined && (time || tok.length > 1)) {
      offset ??= z; // "-0800 (PST)": the first zone wins
      continue;
    }
    if (/^(de|del|of|le|la|den|der|am|um|à|a|at|o|on|the)$/.test(tok)) continue;
    return undefined; // a word we cannot place: refuse rather than guess
  }
  if (month === undefined && weekdayOrMonth) month = MONTHS[weekdayOrMonth];
  for (const n of numbers) {
    // A year has four digits or two: three is no year we read.
    if (n.length === 4 && year === undefined) year = Number(n);
    else if (day === undefined && Number(n) >= 1 && Number(n) <= 31 && n.length <= 2) day = Number(n);
    else if (year === undefined && n.length === 2) year = Number(n) < 50 ? 2000 + Number(n) : 1900 + Number(n);
    else return undefined;
  }
  const [h, mi, sec] = time ?? [0, 0, 0];
  // No month 0, day 0 or year 0 exists: build() refuses a date that lacks one.
  return build(year ?? 0, month ?? 0, day ?? 0, h, mi, sec, 0, offset ?? 0);
}

/**
 * The canonical RFC 1123 shape most feeds use, parsed without the tokenizer: English month names and
 * offsets in range only. Its weekday can be any three letters: it is redundant, so one in another
 * language ("Sab") or a typo costs no date, where the tokenizer refuses a word it cannot place.
 */
const RFC1123 =
  /^(?:[a-z]{3}, )?(\d{1,2}) (jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec) (\d{4}) (\d{2}):(\d{2}):(\d{2}) (gmt|ut|utc|z|[+-](?:0\d|1[0-4])[0-5]\d)$/;

function parseRfc1123(s: string): Date | undefined {
  const m = RFC1123.exec(s);
  if (!m) return undefined;
  const offset = zoneOffset(m[7]) ?? 0; // always defined: the pattern admits known zones only
  return build(Number(m[3]), MONTHS[m[2]], Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]), 0, offset);
}

/** Korean blog platforms write local time (KST) without a zone: "2004년 05월 28일 01:31:15", "2004-05-25 오후 11:23:17". */
const KOREAN_YMD = /^(\d{4})년\s*(\d{1,2})월\s*(\d{1,2})일\s+(\d{1,2}):(\d{2})(?::(\d{2}))?$/;
const KOREAN_AMPM = /^(\d{4})-(\d{2})-(\d{2})\s+(오전|오후)\s+(\d{1,2}):(\d{2})(?::(\d{2}))?$/;

function parseKorean(s: string): Date | undefined {
  const ymd = KOREAN_YMD.exec(s);
  if (ymd) return build(+ymd[1], +ymd[2], +ymd[3], +ymd[4], +ymd[5], +(ymd[6] ?? 0), 0, ZONES.kst);
  const ampm = KOREAN_AMPM.exec(s);
  if (!ampm) return undefined;
  let h = +ampm[5];
  if (h > 12) return undefined;
  if (ampm[4] === '오후' && h < 12) h += 12;
  if (ampm[4] === '오전' && h === 12) h = 0;
  return build(+ampm[1], +ampm[2], +ampm[3], h, +ampm[6], +(ampm[7] ?? 0), 0, ZONES.kst);
}

/** Year-first numeric dates with a time (Perforce and others): "Fri, 2006/09/15 08:19:53 EDT". */
const SLASHED = /^(?:[a-z]+,?\s+)?(\d{4})\/(\d{1,2})\/(\d{1,2})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s+(\S+))?$/;

function parseSlashed(s: string): Date | undefined {
  const m = SLASHED.exec(s);
  if (!m) return undefined;
  const offset = zoneOffset(m[7]);
  return offset === undefined ? undefined : build(+m[1], +m[2], +m[3], +m[4], +m[5], +(m[6] ?? 0), 0, offset);
}

/** The instant a feed date names, or undefined when it names none. */
export function parseFeedDate(raw: string | undefined | null): Date | undefined {
  if (!raw) return undefined;
  const s = raw.trim().toLowerCase();
  if (s.length > 80) return undefined;
  return parseRfc1123(s) ?? parseLoose(s);
}

function parseLoose(raw: string): Date | undefined {
  const s = raw
    // "Etc/GMT" and "Etc/UTC" are plain UTC (Etc/GMT+5 inverts its sign, so only the bare names).
    .replace(/\betc\/(gmt|utc)$/, '$1')
    // "GMT-01:01", "UTC+2", "GMT -0800 (PST)", "(GMT-08:00)" → the numeric offset alone.
    .replace(/\b(?:gmt|utc|ut)\s*(?=[+-]\d)/, '')
    // ISO with a month name: "2004-július-13T9:15-05:00".
    .replace(/^(\d{4})-(\p{L}+)\.?-(\d{1,2})(?=t|\s|$)/u, (whole, y: string, name: string, d: string) =>
      name in MONTHS ? `${y}-${String(MONTHS[name]).padStart(2, '0')}-${d.padStart(2, '0')}` : whole,
    );
  return parseIso(s) ?? parseKorean(s) ?? parseSlashed(s) ?? parseWords(s);
}
