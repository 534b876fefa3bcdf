import { paragraphs, splitSentences } from '../../src/summarize';

describe('splitSentences: ICU repaired for news text', () => {
  test('titles, initials and dotted acronyms do not end sentences', () => {
    expect(splitSentences('Mr. Smith went to Washington. He met Dr. J. R. Jones of the U.S. Army there.', 'en')).toEqual([
      'Mr. Smith went to Washington.',
      'He met Dr. J. R. Jones of the U.S. Army there.',
    ]);
    expect(splitSentences('The meeting ended at 5 p.m. Monday in Geneva. Talks resume next week.', 'en')).toEqual([
      'The meeting ended at 5 p.m. Monday in Geneva.',
      'Talks resume next week.',
    ]);
  });

  test('an abbreviation before a function word still ends the sentence', () => {
    expect(splitSentences('He moved to the U.S. He never came back.', 'en')).toEqual([
      'He moved to the U.S.',
      'He never came back.',
    ]);
    expect(splitSentences('They sold shoes, hats, etc. The shop closed in May.', 'en')).toEqual([
      'They sold shoes, hats, etc.',
      'The shop closed in May.',
    ]);
  });

  test('numbers and decimals stay whole', () => {
    expect(splitSentences('Profits rose 3.5% to $1.2 billion in 2023. No. 5 Downing St. was quiet.', 'en')).toEqual([
      'Profits rose 3.5% to $1.2 billion in 2023.',
      'No. 5 Downing St. was quiet.',
    ]);
    expect(splitSentences('Die Sitzung findet am 3. Oktober in Berlin statt. Der Minister kommt.', 'de')).toEqual([
      'Die Sitzung findet am 3. Oktober in Berlin statt.',
      'Der Minister kommt.',
    ]);
  });

  test('a quotation running over several sentences stays with its attribution', () => {
    expect(splitSentences('“We are ready. We will not wait any longer,” the minister said. Talks begin today.', 'en')).toEqual([
      '“We are ready. We will not wait any longer,” the minister said.',
      'Talks begin today.',
    ]);
    expect(
      splitSentences('« Nous sommes prêts. Nous irons jusqu’au bout », a déclaré le ministre. La séance est levée.', 'fr'),
    ).toEqual(['« Nous sommes prêts. Nous irons jusqu’au bout », a déclaré le ministre.', 'La séance est levée.']);
    // “Why?” he asked. — ICU breaks after "?" even when the sentence goes on in lower case.
    expect(splitSentences('“Why now?” he asked. Nobody answered.', 'en')).toEqual(['“Why now?” he asked.', 'Nobody answered.']);
  });

  test('an unclosed quotation does not swallow the paragraph', () => {
    const out = splitSentences('“One. Two. Three. Four. Five. Six. Seven.', 'en');
    expect(out.length).toBeGreaterThan(3);
  });

  test('Arabic: ؟ ends a sentence, ، and ؛ do not, one-letter abbreviations do not', () => {
    expect(
      splitSentences('قال د. محمد علي إن الوضع مستقر، وإن الحكومة تتابع الأمر؛ ثم غادر. هل انتهت الأزمة؟ لا أحد يعرف.', 'ar'),
    ).toEqual(['قال د. محمد علي إن الوضع مستقر، وإن الحكومة تتابع الأمر؛ ثم غادر.', 'هل انتهت الأزمة؟', 'لا أحد يعرف.']);
  });

  test('Arabic quotation across sentences stays with “…”، قال', () => {
    const out = splitSentences('“ستسمح لنا الاتفاقية بالتعاون. لدينا تحالف استراتيجي”، قال بالتي. وانتهت الزيارة.', 'ar');
    expect(out).toEqual(['“ستسمح لنا الاتفاقية بالتعاون. لدينا تحالف استراتيجي”، قال بالتي.', 'وانتهت الزيارة.']);
  });

  test('very long Arabic sentences chained with ؛ are split into clauses', () => {
    const clause = 'وقالت الوزارة إن الاتفاق يشمل تبادل المعلومات والتدريبات المشتركة بين الجيشين في المنطقة كلها';
    const long = `${clause}؛ ${clause}؛ ${clause}؛ ${clause}؛ ${clause}.`;
    const out = splitSentences(long, 'ar');
    expect(out.length).toBeGreaterThan(1);
    expect(out.every((s) => s.split(' ').length <= 60)).toBe(true);
    expect(out.join(' ')).toBe(long);
  });

  test('sentences glued without a space by HTML extraction are separated', () => {
    expect(splitSentences('Drilling was suspended as a precaution.A spokesman said data would be examined.', 'en')).toEqual([
      'Drilling was suspended as a precaution.',
      'A spokesman said data would be examined.',
    ]);
    expect(splitSentences('He visited the U.S.Army base and Node.js meetups.', 'en')).toHaveLength(1);
  });

  test('newlines break sentences; hard-wrapped blocks are joined first', () => {
    expect(splitSentences('Headline without a full stop\nFirst sentence of the body. Second one.', 'en')).toEqual([
      'Headline without a full stop',
      'First sentence of the body.',
      'Second one.',
    ]);
    const wrapped = [
      'اعتقل إندونيسي من قبل الشرطة بعد أن أثار جدلا بقوله إنه يمكن تلاوة القرآن',
      'بغير اللغة العربية. فقد قرر محمد يوسمان روي المسؤول عن مدرسة قرآنية في مدينة',
      'مالانغ أن يؤم الصلاة في مدرسته بالعربية مع ترجمة بالإندونيسية مشددا على أن قلة',
      'من الإندونيسيين قادرون على فهم العربية. وأصدر المجلس فتوى ضد هذه الممارسة.',
    ].join('\n');
    expect(paragraphs(wrapped)).toHaveLength(1);
    const out = splitSentences(wrapped, 'ar');
    expect(out[0]).toBe('اعتقل إندونيسي من قبل الشرطة بعد أن أثار جدلا بقوله إنه يمكن تلاوة القرآن بغير اللغة العربية.');
    expect(out).toHaveLength(3);
  });

  test('deterministic and lossless for ordinary prose', () => {
    const text = 'One two three. Four five six! Seven eight nine? Ten.';
    expect(splitSentences(text, 'en')).toEqual(splitSentences(text, 'en'));
    expect(splitSentences(text, 'en').join(' ')).toBe(text);
  });
});
