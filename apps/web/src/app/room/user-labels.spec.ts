import { userLabels } from './user-labels';

describe('userLabels', () => {
  it('shows a name alone while nobody else has it', () => {
    const labels = userLabels([
      { id: 'u-1111', name: 'Alice' },
      { id: 'u-2222', name: 'Bob' },
      { id: 'u-1111', name: 'Alice' },
    ]);
    expect(labels.get('u-1111')).toBe('Alice');
    expect(labels.get('u-2222')).toBe('Bob');
  });

  it('tells two people of the same name apart by a short piece of their ids', () => {
    const labels = userLabels([
      { id: 'aaaa-x7Qp', name: 'Alice' },
      { id: 'bbbb-Zk2m', name: 'alice ' },
    ]);
    expect(labels.get('aaaa-x7Qp')).toBe('Alice ·x7Qp');
    expect(labels.get('bbbb-Zk2m')).toBe('alice ·Zk2m');
  });
});
