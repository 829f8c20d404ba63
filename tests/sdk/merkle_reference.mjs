// The reference side of test_merkle_js.py: @openzeppelin/merkle-tree from the project's node_modules.
// Reads one JSON batch on stdin: [{encoding, values, proofIndices, proofValues, dump}], writes one JSON array:
// [{root, proofs, valueProofs, dump}], dump being JSON.stringify's own text so the test compares bytes.
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const batch = JSON.parse(Buffer.concat(chunks).toString('utf8'));

const results = batch.map(({ encoding, values, proofIndices, proofValues, dump }) => {
  const tree = StandardMerkleTree.of(values, encoding);
  return {
    root: tree.root,
    proofs: proofIndices.map(i => tree.getProof(i)),
    valueProofs: proofValues.map(value => tree.getProof(value)),
    dump: dump ? JSON.stringify(tree.dump()) : null,
  };
});
process.stdout.write(JSON.stringify(results));
