// A C2SP signed note (checkpoint) read for display: origin, tree size, root hash, who signed it.
// The cryptographic check is the proof module's job; this only reads the text.
export interface CheckpointNote {
  origin: string;
  treeSize: number;
  rootHashBase64: string;
  signers: string[];
}

export function parseCheckpointNote(note: string): CheckpointNote {
  const [body = '', signatures = ''] = note.split('\n\n');
  const [origin = '', size = '0', root = ''] = body.split('\n');
  const signers = signatures
    .split('\n')
    .filter((line) => line.startsWith('— '))
    .map((line) => line.slice(2).split(' ')[0]);
  return { origin, treeSize: Number(size), rootHashBase64: root, signers };
}
