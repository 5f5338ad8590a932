import {
  Decimal,
  allocateLargestRemainder,
  avroBytesToDecimal,
  avroBytesToDecimalText,
  decimalToAvroBytes,
  toDecimal,
} from './money';
import { seededRandom } from './random';

describe('money', () => {
  it.each(['0', '1', '-1', '127', '128', '-128', '-129', '12345.67', '-0.01', '99999999999999.99'])(
    'round-trips %s through Avro decimal bytes at scale 2',
    (text) => {
      const value = new Decimal(text);
      expect(avroBytesToDecimal(decimalToAvroBytes(value, 2), 2).toString()).toBe(value.toString());
    },
  );

  it.each([
    ['0', '00'],
    ['1.27', '7f'],
    ['1.28', '0080'],
    ['-1.28', '80'],
    ['-1.29', 'ff7f'],
    ['-0.01', 'ff'],
    ['9999999999999.99', '038d7ea4c67fff'],
    ['-17352139481182168301.94', 'a1ef11abbe7696930e'],
  ])('encodes %s at scale 2 as the minimal two’s complement %s (also past 15 digits)', (text, hex) => {
    expect(decimalToAvroBytes(new Decimal(text), 2).toString('hex')).toBe(hex);
  });

  it('encodes random decimals of every size at scales 0–6 as the minimal two’s complement of value × 10^scale', () => {
    const random = seededRandom(11);
    for (let n = 0; n < 20_000; n += 1) {
      const scale = Math.floor(random() * 7);
      const integerDigits = Math.floor(random() * 22);
      const places = Math.floor(random() * (scale + 1));
      const digit = () => String(Math.floor(random() * 10));
      const integer = Array.from({ length: integerDigits }, digit).join('') || '0';
      const fraction = Array.from({ length: places }, digit).join('');
      const text = `${random() < 0.5 ? '-' : ''}${integer}${fraction ? `.${fraction}` : ''}`;
      const value = new Decimal(text);
      const bytes = decimalToAvroBytes(value, scale);
      expect(avroBytesToDecimal(bytes, scale).eq(value)).toBe(true);
      // Minimal: no leading byte that only repeats the sign of the next one.
      if (bytes.length > 1)
        expect((bytes[0] === 0 && bytes[1]! < 0x80) || (bytes[0] === 0xff && bytes[1]! >= 0x80)).toBe(false);
    }
  });

  it.each([
    ['119.00', 2, '119'],
    ['-0.50', 2, '-0.5'],
    ['0', 6, '0'],
    ['0.000001', 8, '0.000001'],
    ['0.00000012', 8, '1.2e-7'],
    ['-12345678901234567.123456', 6, '-12345678901234567.123456'],
  ])('reads %s at scale %i as the decimal text %s, as the Decimal it stands for prints', (text, scale, expected) => {
    expect(avroBytesToDecimalText(decimalToAvroBytes(new Decimal(text), scale), scale)).toBe(expected);
  });

  it('reads random decimals of every size as exactly the text of the Decimal they encode', () => {
    const random = seededRandom(17);
    for (let n = 0; n < 20_000; n += 1) {
      const scale = Math.floor(random() * 9);
      const digits = Array.from({ length: 1 + Math.floor(random() * 20) }, () =>
        String(Math.floor(random() * 10)),
      ).join('');
      const value = new Decimal(`${random() < 0.5 ? '-' : ''}${digits}`).div(
        new Decimal(10).pow(Math.floor(random() * (scale + 1))),
      );
      const bytes = decimalToAvroBytes(value, scale);
      expect(avroBytesToDecimalText(bytes, scale)).toBe(avroBytesToDecimal(bytes, scale).toString());
    }
  });

  it('refuses more decimal places than the scale, naming the field', () => {
    expect(() => decimalToAvroBytes(new Decimal('1.234'), 2, 'lines[0].price')).toThrow(/lines\[0\]\.price/);
  });

  it('parses JSON numbers by their decimal text, not binary float', () => {
    expect(toDecimal(0.1, 'x').plus(toDecimal(0.2, 'y')).toString()).toBe('0.3');
  });

  it('names the field when a value is not a number', () => {
    expect(() => toDecimal('abc', 'items[2].price')).toThrow(/items\[2\]\.price/);
  });
});

describe('allocateLargestRemainder', () => {
  const texts = (parts: Decimal[]) => parts.map((part) => part.toFixed(2));
  const sum = (parts: Decimal[]) => parts.reduce((acc, part) => acc.plus(part), new Decimal(0)).toFixed(2);

  it('splits 100.00 by 1:1:1 into parts that sum exactly (the leftover cent to the first largest remainder)', () => {
    const parts = allocateLargestRemainder('100.00', [1, 1, 1], 2);
    expect(texts(parts)).toEqual(['33.34', '33.33', '33.33']);
    expect(sum(parts)).toBe('100.00');
  });

  it('follows the weights and keeps the sign of a negative fee; the parts always sum to the fee', () => {
    expect(texts(allocateLargestRemainder('-10.00', ['3', '1'], 2))).toEqual(['-7.50', '-2.50']);
    const parts = allocateLargestRemainder('-0.05', [2, 3, 5, 7], 2);
    expect(sum(parts)).toBe('-0.05');
    for (let cents = 1; cents < 500; cents += 7) {
      const fee = new Decimal(cents).div(100);
      expect(sum(allocateLargestRemainder(fee, ['19.99', '7.05', '0.33'], 2))).toBe(fee.toFixed(2));
    }
  });

  it('allocates whole yen with places 0', () => {
    expect(allocateLargestRemainder('1000', [1, 1, 1], 0).map(String)).toEqual(['334', '333', '333']);
  });

  it('refuses an allocation without a basis or with more places than asked, naming the field', () => {
    expect(() => allocateLargestRemainder('1.00', [0, 0], 2, 'firstLegCost')).toThrow(
      /firstLegCost: the weights sum to 0/,
    );
    expect(() => allocateLargestRemainder('1.00', [], 2, 'fee')).toThrow(/fee: no weights/);
    expect(() => allocateLargestRemainder('1.005', [1], 2, 'fee')).toThrow(/fee: 1.005 has more than 2 decimal places/);
    expect(() => allocateLargestRemainder('1.00', [1, -1], 2, 'fee')).toThrow(/fee\[1\]: weight -1 is negative/);
  });
});
