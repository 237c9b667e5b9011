import { LoopTurn } from './loop-turn';

const nextCheckPhase = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('LoopTurn', () => {
  it('runs send work that a commit’s continuation adds in the same check phase', async () => {
    const turn = new LoopTurn();
    const order: string[] = [];
    turn.atCommit(() => {
      order.push('commit');
      // As a store's resolved append does: the room broadcasts in a microtask after the commit.
      void Promise.resolve().then(() => turn.atSend(() => order.push('send')));
    });
    // Queued after the turn's two steps: it runs after them only if they share its check phase.
    setImmediate(() => order.push('later in the same check phase'));
    await nextCheckPhase();
    await nextCheckPhase();
    expect(order).toEqual(['commit', 'send', 'later in the same check phase']);
  });

  it('commits before it sends, whichever was asked first', async () => {
    const turn = new LoopTurn();
    const order: string[] = [];
    turn.atSend(() => order.push('send'));
    turn.atCommit(() => order.push('commit'));
    await nextCheckPhase();
    await nextCheckPhase();
    expect(order).toEqual(['commit', 'send']);
  });

  it('puts commit work added during a turn’s steps in the next turn, and sends after it there', async () => {
    const turn = new LoopTurn();
    const order: string[] = [];
    turn.atCommit(() => {
      order.push('commit 1');
      void Promise.resolve().then(() => {
        turn.atCommit(() => {
          order.push('commit 2');
          void Promise.resolve().then(() => turn.atSend(() => order.push('send 2')));
        });
        turn.atSend(() => order.push('send 1'));
      });
    });
    for (let i = 0; i < 4; i++) await nextCheckPhase();
    expect(order).toEqual(['commit 1', 'send 1', 'commit 2', 'send 2']);
  });

  it('runs the other tasks of a step when one throws, and reports the error', async () => {
    const errors: unknown[] = [];
    const turn = new LoopTurn((error) => errors.push(error));
    const ran: string[] = [];
    turn.atSend(() => {
      throw new Error('boom');
    });
    turn.atSend(() => ran.push('second'));
    await nextCheckPhase();
    await nextCheckPhase();
    expect(ran).toEqual(['second']);
    expect(errors).toEqual([new Error('boom')]);
  });
});
