import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseEntsoeA44 } from './entsoe.ts';

const xml = readFileSync('../shared/data/entsoe-xml/response-PT15M-DE-LU.xml', 'utf8');

/** Builds an A44 document with one TimeSeries from points (position, price). */
function doc(opts: { curve?: string; resolution?: string; start: string; end: string; points: [number, number][]; seq?: number; ns?: string }): string {
  const pts = opts.points.map(([p, v]) => `<Point><position>${p}</position><price.amount>${v}</price.amount></Point>`).join('');
  return `<?xml version="1.0" encoding="utf-8"?>
<Publication_MarketDocument xmlns="${opts.ns ?? 'urn:iec62325.351:tc57wg16:451-3:publicationdocument:7:3'}">
<type>A44</type>
<TimeSeries><in_Domain.mRID codingScheme="A01">10YNL----------L</in_Domain.mRID>
<currency_Unit.name>EUR</currency_Unit.name><price_Measure_Unit.name>MWH</price_Measure_Unit.name>
${opts.seq ? `<classificationSequence_AttributeInstanceComponent.position>${opts.seq}</classificationSequence_AttributeInstanceComponent.position>` : ''}
<curveType>${opts.curve ?? 'A01'}</curveType>
<Period><timeInterval><start>${opts.start}</start><end>${opts.end}</end></timeInterval><resolution>${opts.resolution ?? 'PT60M'}</resolution>${pts}</Period>
</TimeSeries>
</Publication_MarketDocument>`;
}

describe('ENTSO-E A44 real document (DE-LU, PT15M, A03, two auctions, two days)', () => {
  const r = parseEntsoeA44(xml);

  it('gives one series per auction, joining the two daily periods', () => {
    expect(r.series.map((s) => s.key).sort()).toEqual(['DE-LU:1', 'DE-LU:2']);
    for (const s of r.series) {
      expect(s.start).toBe(Date.parse('2025-10-30T23:00:00Z'));
      expect(s.resolutionMs).toBe(900_000);
      expect(s.values).toHaveLength(192);
      expect(s.unit).toBe('EUR/MWh');
      expect(s.values.every((v) => v !== null)).toBe(true);
    }
  });

  it('fills a left-out A03 position with the previous price', () => {
    // Find a period with a gap in its positions in the raw text and check the repeat.
    const seq2 = r.series.find((s) => s.key === 'DE-LU:2')!;
    expect(seq2.values.slice(0, 3)).toEqual([91.45, 90.46, 87.8]);
    const day2 = xml.slice(xml.indexOf('<start>2025-10-31T23:00Z</start>'));
    const positions = [...day2.slice(0, day2.indexOf('</Period>')).matchAll(/<position>(\d+)<\/position>/g)].map((m) => +m[1]);
    const missing = Array.from({ length: 96 }, (_, i) => i + 1).filter((p) => !positions.includes(p));
    expect(missing.length).toBeGreaterThan(0);
    const s = r.series.find((x) => x.key === 'DE-LU:2')!;
    for (const p of missing) expect(s.values[96 + p - 1]).toBe(s.values[96 + p - 2]);
  });

  it('keeps one auction when asked, under the plain zone key', () => {
    const one = parseEntsoeA44(xml, { sequence: 1 });
    expect(one.series.map((s) => s.key)).toEqual(['DE-LU']);
    expect(one.series[0].values[0]).toBe(102.81);
  });

  it('names the element left open in a truncated document', () => {
    const cut = xml.slice(0, xml.indexOf('<price.amount>', 5000) + 16);
    expect(() => parseEntsoeA44(cut)).toThrow(/ends early: <price\.amount> is not closed/);
  });

  it('names the root element when the namespace is wrong', () => {
    const wrong = xml.replace('publicationdocument:7:3', 'acknowledgementdocument:8:1');
    expect(() => parseEntsoeA44(wrong)).toThrow(/Publication_MarketDocument: namespace/);
  });

  it('names the point whose price is not a number', () => {
    const bad = xml.replace('<price.amount>90.46</price.amount>', '<price.amount>n/a</price.amount>');
    expect(() => parseEntsoeA44(bad)).toThrow(/TimeSeries\[1\]\.Period\[1\]\.Point\[2\]\.price\.amount/);
  });
});

describe('ENTSO-E A44 built documents', () => {
  it('A01 at PT60M leaves a left-out position as a gap', () => {
    const r = parseEntsoeA44(doc({ start: '2024-01-01T23:00Z', end: '2024-01-02T03:00Z', points: [[1, 10], [2, 20], [4, 40]] }));
    expect(r.series[0].key).toBe('NL');
    expect(r.series[0].resolutionMs).toBe(3_600_000);
    expect(r.series[0].values).toEqual([10, 20, null, 40]);
  });

  it('A03 repeats up to the end of the period', () => {
    const r = parseEntsoeA44(doc({ curve: 'A03', start: '2024-01-01T23:00Z', end: '2024-01-02T01:00Z', resolution: 'PT15M', points: [[1, 5], [3, 7]] }));
    expect(r.series[0].values).toEqual([5, 5, 7, 7, 7, 7, 7, 7]);
  });

  it('joins several periods of one TimeSeries, leaving the hour between them as a gap', () => {
    const two = doc({ start: '2024-01-01T23:00Z', end: '2024-01-02T01:00Z', points: [[1, 1], [2, 2]] })
      .replace('</Period>', '</Period><Period><timeInterval><start>2024-01-02T02:00Z</start><end>2024-01-02T03:00Z</end></timeInterval><resolution>PT60M</resolution><Point><position>1</position><price.amount>-5.5</price.amount></Point></Period>');
    const r = parseEntsoeA44(two);
    expect(r.series).toHaveLength(1);
    expect(r.series[0].values).toEqual([1, 2, null, -5.5]);
  });

  it('refuses a position beyond the period', () => {
    expect(() => parseEntsoeA44(doc({ start: '2024-01-01T23:00Z', end: '2024-01-02T01:00Z', points: [[3, 1]] }))).toThrow(/Point\[1\]\.position: position 3 is outside 1\.\.2/);
  });

  it('names a point that is not a position and a price', () => {
    const bad = doc({ start: '2024-01-01T23:00Z', end: '2024-01-02T01:00Z', points: [[1, 1], [2, 2]] }).replace('<price.amount>2</price.amount>', '<quantity>2</quantity>');
    expect(() => parseEntsoeA44(bad)).toThrow(/TimeSeries\[1\]\.Period\[1\]\.Point\[2\]: is not a <Point>/);
  });

  it('reports an acknowledgement (no data) with its reason', () => {
    const ack = `<?xml version="1.0"?><Acknowledgement_MarketDocument xmlns="urn:iec62325.351:tc57wg16:451-1:acknowledgementdocument:7:0"><Reason><code>999</code><text>No matching data found</text></Reason></Acknowledgement_MarketDocument>`;
    expect(() => parseEntsoeA44(ack)).toThrow(/No matching data found/);
  });
});
