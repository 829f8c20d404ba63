// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// A hostile contract wallet for sign-in tests: isValidSignature burns all the gas it is given and
/// never approves. Without a gas cap on the server's eth_call, the node runs it to the block gas limit.
contract GasBurning1271Wallet {
    function isValidSignature(bytes32 hash, bytes calldata) external view returns (bytes4) {
        uint256 x = uint256(hash);
        // Arithmetic only, no memory: the cost is the node's time per unit of gas, not memory growth.
        while (gasleft() > 10_000) {
            unchecked {
                x = x * 31 + 7;
            }
        }
        // Practically never true; it only keeps the loop from being optimised away.
        return x == 0 ? bytes4(0x1626ba7e) : bytes4(0xffffffff);
    }
}
