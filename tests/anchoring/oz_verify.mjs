// The JS side of test_verify.py: @openzeppelin/merkle-tree's own StandardMerkleTree.verify over proofs the
// API served, so a proof is shown to hold for a verifier that never ran our Python.
// stdin: [{root, leaf, proof}]; stdout: [true|false, ...] in the same order.
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';

const ENCODING = ['string', 'bytes32', 'bytes32', 'bytes32', 'bytes32'];
const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const items = JSON.parse(Buffer.concat(chunks).toString('utf8'));
process.stdout.write(JSON.stringify(items.map(({ root, leaf, proof }) =>
  StandardMerkleTree.verify(root, ENCODING, leaf, proof))));
