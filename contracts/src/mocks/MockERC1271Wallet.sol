// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// A contract wallet whose single EOA signer approves hashes (EIP-1271), for sign-in tests.
contract MockERC1271Wallet {
    bytes4 internal constant MAGIC_VALUE = 0x1626ba7e;
    address public immutable signer;

    constructor(address signer_) {
        signer = signer_;
    }

    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        if (signature.length != 65) return 0xffffffff;
        bytes32 r = bytes32(signature[0:32]);
        bytes32 s = bytes32(signature[32:64]);
        uint8 v = uint8(signature[64]);
        if (v < 27) v += 27;
        return ecrecover(hash, v, r, s) == signer ? MAGIC_VALUE : bytes4(0xffffffff);
    }
}
