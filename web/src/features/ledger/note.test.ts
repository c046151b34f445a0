import { describe, expect, it } from 'vitest';
import { parseCheckpointNote } from './note';

describe('parseCheckpointNote', () => {
  it('reads origin, size, root and signer names of a C2SP checkpoint', () => {
    const note = 'proofline.local/ledger\n42\nq0sdT1kjVYdMSaT0WrnSyK/8BEiUCgMhufjw+o2hXDs=\n\n— proofline.local/ledger Az3grlgAAAA=\n';
    expect(parseCheckpointNote(note)).toEqual({
      origin: 'proofline.local/ledger',
      treeSize: 42,
      rootHashBase64: 'q0sdT1kjVYdMSaT0WrnSyK/8BEiUCgMhufjw+o2hXDs=',
      signers: ['proofline.local/ledger'],
    });
  });
  it('gives size 0 and no signer for an empty text rather than throwing', () => {
    expect(parseCheckpointNote('')).toEqual({ origin: '', treeSize: 0, rootHashBase64: '', signers: [] });
  });
});
