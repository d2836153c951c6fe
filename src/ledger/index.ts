/** Tamper-evident records of a market: hash chain and signed meter readings. */
export { canonicalJson } from './canonical.ts';
export { appendEntry, appendEntries, verifyChain, genesisHash, entryHash, sha256Hex } from './chain.ts';
export type { LedgerEntry, LedgerProblem, VerifyResult } from './chain.ts';
export { generateMeterKeys, publicKeyPemOf, signReadingBatch, verifyReadingBatch } from './signing.ts';
export type { MeterReading, ReadingBatch, SignedReadingBatch } from './signing.ts';
export { orderItem, clearingItem, readingsItem, settlementItem } from './items.ts';
export type { LedgerItem } from './items.ts';
