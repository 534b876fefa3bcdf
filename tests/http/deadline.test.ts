import { SlotDeadline } from '../../src/http/deadline';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
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
