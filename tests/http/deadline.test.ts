import { SlotDeadline } from '../../src/http/deadline';

// Waits `ms`, then past the check phase: an expiry that fell due in the same turn (it runs through
// setImmediate) has happened. On a loaded machine the sleep's timer can otherwise run in the same
// timers phase as the deadline's, and the test would look before the expiry ran.
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(() => setImmediate(r), ms));
const expired = (): Error => new Error('expired');

describe('SlotDeadline', () => {
  it('does not run before the first resume, nor while paused', async () => {
    const deadline = new SlotDeadline(300, expired);
    await sleep(400); // queued for a slot: not counted
    expect(deadline.signal.aborted).toBe(false);
    deadline.resume();
    await sleep(40);
    deadline.pause();
    await sleep(400); // queued again (a redirect to another host): not counted
    expect(deadline.signal.aborted).toBe(false);
    deadline.pause(); // pausing twice keeps the same remainder
  });

  it('expires once the time spent running adds up to the budget, with the given error', async () => {
    const deadline = new SlotDeadline(600, expired);
    deadline.resume();
    await sleep(250);
    deadline.pause();
    await sleep(400);
    deadline.resume();
    deadline.resume(); // resuming twice does not restart the count
    await sleep(50);
    expect(deadline.signal.aborted).toBe(false);
    await sleep(450); // 250 + 500 ms running in all: past the budget
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.signal.reason).toEqual(new Error('expired'));
  });

  it('never fires after the fetch is over', async () => {
    const deadline = new SlotDeadline(30, expired);
    deadline.resume();
    deadline.pause();
    await sleep(80);
    expect(deadline.signal.aborted).toBe(false);
  });
});

describe('SlotDeadline: the edges of a turn of the event loop', () => {
  /** Blocks the event loop, as parsing a big feed does. */
  const busyFor = (ms: number): void => {
    const until = performance.now() + ms;
    while (performance.now() < until);
  };

  it('pausing twice keeps the budget: the deadline still runs its full time after resuming', async () => {
    const deadline = new SlotDeadline(10_000, expired);
    deadline.resume();
    deadline.pause();
    deadline.pause();
    deadline.resume();
    await sleep(100);
    expect(deadline.signal.aborted).toBe(false);
    deadline.pause();
  });

  it('does not expire when the slot was given up in the same turn the time ran out (the hop finished in time)', async () => {
    const deadline = new SlotDeadline(10, expired);
    deadline.resume();
    setTimeout(() => deadline.pause(), 10); // due in the same turn as the deadline, and run after it
    busyFor(40);
    await sleep(50);
    expect(deadline.signal.aborted).toBe(false);
  });

  it('a resume while already running changes nothing: the time keeps counting from the first', async () => {
    const deadline = new SlotDeadline(1000, expired);
    deadline.resume();
    busyFor(600);
    deadline.resume(); // already running: not a new start
    busyFor(100);
    deadline.pause(); // 700 ms spent: 300 ms left
    await sleep(500); // paused past the first start plus the budget
    expect(deadline.signal.aborted).toBe(false);
    deadline.resume();
    await sleep(400);
    expect(deadline.signal.aborted).toBe(true);
  });

  it('expires at once when resumed with nothing left', async () => {
    const deadline = new SlotDeadline(10, expired);
    deadline.resume();
    busyFor(30);
    deadline.pause(); // 20 ms overspent: nothing left
    deadline.resume();
    await sleep(50);
    expect(deadline.signal.aborted).toBe(true);
  });

  it('stays expired, with its first reason, whatever follows', async () => {
    let n = 0;
    const deadline = new SlotDeadline(0, () => new Error(`expired ${++n}`));
    deadline.resume();
    await sleep(30);
    deadline.pause();
    deadline.resume();
    await sleep(30);
    expect(deadline.signal.reason).toEqual(new Error('expired 1'));
    expect(n).toBe(1);
  });
});
