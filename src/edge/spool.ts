/**
 * Store and forward on disk: every readings message is appended (and fsynced) to a segment file before it is
 * sent, and an acknowledged id is appended to `acked.log`. A segment is deleted once all its messages are
 * acknowledged. After a restart the unacknowledged messages come back in the order they were written.
 */
import { appendFileSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { compactBacklog, type KeepPolicy } from './downsample.ts';
import { ReadingsMsg } from './messages.ts';

const SEGMENT = /^seg-(\d{12})\.jsonl$/;
const PER_SEGMENT = 288;

export class Spool {
  private seq = 0;
  private count = 0;
  private readonly segments = new Map<string, Set<string>>(); // file -> unacked ids
  private readonly pendingMsgs = new Map<string, ReadingsMsg>(); // id -> message, in write order
  private readonly fileOf = new Map<string, string>();

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    this.load();
  }

  /** Reads the segments and acks on disk; a torn last line (a crash mid-write) is skipped. */
  private load(): void {
    const acked = new Set(existsSync(this.ackPath()) ? readFileSync(this.ackPath(), 'utf8').split('\n').filter(Boolean) : []);
    const files = readdirSync(this.dir).filter((f) => SEGMENT.test(f)).sort();
    for (const f of files) {
      this.seq = Math.max(this.seq, Number(SEGMENT.exec(f)![1]));
      const ids = new Set<string>();
      for (const line of readFileSync(join(this.dir, f), 'utf8').split('\n')) {
        if (!line) continue;
        let msg: ReadingsMsg;
        try {
          msg = ReadingsMsg.parse(JSON.parse(line));
        } catch {
          continue;
        }
        if (acked.has(msg.id) || this.pendingMsgs.has(msg.id)) continue;
        ids.add(msg.id);
        this.pendingMsgs.set(msg.id, msg);
        this.fileOf.set(msg.id, f);
      }
      if (ids.size === 0) rmSync(join(this.dir, f), { force: true });
      else this.segments.set(f, ids);
    }
    if (this.segments.size === 0) rmSync(this.ackPath(), { force: true });
    this.seq++;
  }

  private ackPath(): string {
    return join(this.dir, 'acked.log');
  }

  private current(): string {
    return `seg-${String(this.seq).padStart(12, '0')}.jsonl`;
  }

  /** Appends a message durably (fsync) before it may be sent. */
  append(msg: ReadingsMsg): void {
    if (this.count >= PER_SEGMENT) {
      this.seq++;
      this.count = 0;
    }
    const f = this.current();
    const fd = openSync(join(this.dir, f), 'a');
    try {
      writeSync(fd, `${JSON.stringify(msg)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.count++;
    if (!this.segments.has(f)) this.segments.set(f, new Set());
    this.segments.get(f)!.add(msg.id);
    this.pendingMsgs.set(msg.id, msg);
    this.fileOf.set(msg.id, f);
  }

  /** Marks a message as acknowledged by the broker; removes its segment when nothing in it is pending. */
  ack(id: string): void {
    const f = this.fileOf.get(id);
    if (!f) return;
    appendFileSync(this.ackPath(), `${id}\n`);
    this.fileOf.delete(id);
    this.pendingMsgs.delete(id);
    const ids = this.segments.get(f)!;
    ids.delete(id);
    if (ids.size === 0 && f !== this.current()) {
      rmSync(join(this.dir, f), { force: true });
      this.segments.delete(f);
    }
    if (this.pendingMsgs.size === 0) {
      for (const seg of this.segments.keys()) rmSync(join(this.dir, seg), { force: true });
      this.segments.clear();
      rmSync(this.ackPath(), { force: true });
      this.seq++;
      this.count = 0;
    }
  }

  /** The end of the last slot written (epoch ms), kept across restarts so a restarted agent goes on from there. */
  get lastSlotEnd(): number | null {
    const f = join(this.dir, 'last-slot-end');
    if (!existsSync(f)) return null;
    const v = Number(readFileSync(f, 'utf8'));
    return Number.isFinite(v) ? v : null;
  }

  set lastSlotEnd(t: number | null) {
    writeFileSync(join(this.dir, 'last-slot-end'), String(t));
  }

  /** Unacknowledged messages, oldest first, without copying the backlog. */
  iterPending(): IterableIterator<ReadingsMsg> {
    return this.pendingMsgs.values();
  }

  /** Unacknowledged messages, oldest first. */
  pending(): ReadingsMsg[] {
    return [...this.pendingMsgs.values()];
  }

  get size(): number {
    return this.pendingMsgs.size;
  }

  /**
   * Applies the keep policy (full resolution, 5-minute and hourly means, size cap) to the backlog: writes the
   * compacted backlog to one new segment, then removes the old ones. Run it now and then during an outage.
   */
  compact(now: number, keep: KeepPolicy): void {
    const before = this.pending();
    const after = compactBacklog(before, now, keep);
    if (after.length === before.length && after.every((m, i) => m.id === before[i].id)) return;
    const old = [...this.segments.keys()];
    this.seq++;
    const f = this.current();
    const tmp = join(this.dir, `${f}.tmp`);
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, after.map((m) => `${JSON.stringify(m)}\n`).join(''));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, join(this.dir, f));
    for (const seg of old) rmSync(join(this.dir, seg), { force: true });
    this.segments.clear();
    this.pendingMsgs.clear();
    this.fileOf.clear();
    this.segments.set(f, new Set(after.map((m) => m.id)));
    for (const m of after) {
      this.pendingMsgs.set(m.id, m);
      this.fileOf.set(m.id, f);
    }
    this.seq++;
    this.count = 0;
  }
}
