import { expect, it } from 'vitest';
import { beliefCopyChunks } from './copy-binary.ts';

it('encodes timestamps as microseconds since 2000 and values as float8, before and after 2000', () => {
  const rows = [
    { sensorId: 7, slotStart: Date.UTC(2025, 0, 1, 0, 15), beliefTime: Date.UTC(1999, 11, 31, 23, 59, 59, 999), sourceId: 3, value: -1.25 },
  ];
  const [header, body, trailer] = [...beliefCopyChunks(rows)];
  expect(header.subarray(0, 11).toString('latin1')).toBe('PGCOPY\n\xff\r\n\0');
  expect(body.readInt16BE(0)).toBe(5);
  expect(body.readInt32BE(6)).toBe(7);
  expect(body.readBigInt64BE(14)).toBe(BigInt(Date.UTC(2025, 0, 1, 0, 15) - Date.UTC(2000, 0, 1)) * 1000n);
  expect(body.readBigInt64BE(26)).toBe(-1000n);
  expect(body.readInt32BE(38)).toBe(3);
  expect(body.readDoubleBE(46)).toBe(-1.25);
  expect(trailer.readInt16BE(0)).toBe(-1);
});
