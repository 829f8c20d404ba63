// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {Owned} from "./Owned.sol";
import {EmptyURI} from "./Errors.sol";

/// The operators' Safe posts each closed topic's snapshot root here; the indexer reads the events.
contract AnchorRegistry is Owned {
    event AnchorPosted(bytes32 indexed root, string uri, uint32 indexed schemaVersion, bytes32 indexed salt);

    constructor(address owner_) Owned(owner_) {}

    function postAnchor(bytes32 root, string calldata uri, uint32 schemaVersion, bytes32 salt) external onlyOwner {
        if (bytes(uri).length == 0) revert EmptyURI();
        emit AnchorPosted(root, uri, schemaVersion, salt);
    }
}
