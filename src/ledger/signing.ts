/**
 * Ed25519 signatures on batches of meter readings. A meter (or its edge agent) signs the canonical JSON of
 * the batch with its private key; the platform verifies it with the meter's registered public key before it
 * ingests the readings. Keys are node:crypto KeyObjects or PEM strings (SPKI public, PKCS#8 private);
 * signatures travel as base64.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { invalid } from '../core/errors.ts';
import { canonicalJson } from './canonical.ts';

export interface MeterReading {
  /** Slot start, ISO 8601 with offset. */
  slotStart: string;
  /** Net energy in the slot: positive import, negative export. */
  energyKwh: number;
}

export interface ReadingBatch {
  meterId: string;
  site: string;
  readings: MeterReading[];
}

export interface SignedReadingBatch {
  batch: ReadingBatch;
  /** base64 Ed25519 signature over canonicalJson(batch). */
  signature: string;
}

export function generateMeterKeys(): { publicKeyPem: string; privateKeyPem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

function publicKeyOf(key: KeyObject | string): KeyObject {
  let k: KeyObject;
  try {
    k = typeof key === 'string' ? createPublicKey(key) : key;
  } catch {
    throw invalid('publicKey', 'is not a PEM public key');
  }
  if (k.asymmetricKeyType !== 'ed25519') throw invalid('publicKey', `must be an Ed25519 key, not ${k.asymmetricKeyType}`);
  return k;
}

/** Checks that a PEM text is an Ed25519 public key (a 400 naming `meterPublicKey` otherwise) and returns it as SPKI PEM. */
export function publicKeyPemOf(pem: string, field = 'meterPublicKey'): string {
  try {
    return publicKeyOf(pem).export({ type: 'spki', format: 'pem' }).toString();
  } catch (e) {
    throw invalid(field, (e as Error).message);
  }
}

export function signReadingBatch(batch: ReadingBatch, privateKey: KeyObject | string): SignedReadingBatch {
  const k = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey;
  if (k.asymmetricKeyType !== 'ed25519') throw invalid('privateKey', `must be an Ed25519 key, not ${k.asymmetricKeyType}`);
  return { batch, signature: sign(null, Buffer.from(canonicalJson(batch), 'utf8'), k).toString('base64') };
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Verifies a signed batch with the meter's public key. Throws a 400 ProblemError naming `signature` when the
 * signature is malformed or does not match (the batch was changed, or signed with another key).
 */
export function verifyReadingBatch(signed: SignedReadingBatch, publicKey: KeyObject | string): ReadingBatch {
  if (!signed || typeof signed !== 'object' || !signed.batch) throw invalid('batch', 'a signed batch needs {batch, signature}');
  const key = publicKeyOf(publicKey);
  const sig = typeof signed.signature === 'string' && BASE64.test(signed.signature) ? Buffer.from(signed.signature, 'base64') : null;
  if (!sig || sig.length !== 64) throw invalid('signature', 'must be a base64 Ed25519 signature (64 bytes)');
  let data: Buffer;
  try {
    data = Buffer.from(canonicalJson(signed.batch), 'utf8');
  } catch (e) {
    throw invalid('batch', (e as Error).message);
  }
  if (!verify(null, data, key, sig)) {
    throw invalid('signature', `does not match the batch of meter ${String(signed.batch.meterId)}: the readings were changed or signed with another key`);
  }
  return signed.batch;
}
