import { assignRanges } from '../../lib/core/group/range-assignor';

describe('assignRanges', () => {
  it('gives contiguous ranges to members sorted by id', () => {
    const assignment = assignRanges(['b', 'a', 'c'], 7);
    expect(assignment.get('a')).toEqual([0, 1, 2]);
    expect(assignment.get('b')).toEqual([3, 4]);
    expect(assignment.get('c')).toEqual([5, 6]);
  });

  it('leaves members without partitions when there are fewer partitions', () => {
    const assignment = assignRanges(['a', 'b', 'c'], 2);
    expect(assignment.get('a')).toEqual([0]);
    expect(assignment.get('b')).toEqual([1]);
    expect(assignment.get('c')).toEqual([]);
  });

  it('returns the same answer for the same members in any order', () => {
    const one = assignRanges(['x', 'y', 'z'], 6);
    const two = assignRanges(['z', 'x', 'y'], 6);
    expect([...one.entries()]).toEqual([...two.entries()]);
  });

  it('returns nothing without members', () => {
    expect(assignRanges([], 4).size).toBe(0);
  });
});
