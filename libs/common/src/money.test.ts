import { Decimal, avroBytesToDecimal, decimalToAvroBytes, toDecimal } from './money';

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
