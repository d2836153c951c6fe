/** The domain never reads the clock itself: a Clock is passed in. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

/** A clock that stands still until moved: for tests and simulations. */
export function fixedClock(start: Date | string): Clock & { set(t: Date | string): void; advance(ms: number): void } {
  let now = new Date(start).getTime();
  const clock = (() => new Date(now)) as Clock & { set(t: Date | string): void; advance(ms: number): void };
  clock.set = (t) => {
    now = new Date(t).getTime();
  };
  clock.advance = (ms) => {
    now += ms;
  };
  return clock;
}
