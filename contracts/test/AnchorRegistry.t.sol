// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {Test} from "forge-std/Test.sol";
import {AnchorRegistry} from "../src/AnchorRegistry.sol";
import {MockERC1271Wallet} from "../src/mocks/MockERC1271Wallet.sol";
import "../src/Errors.sol";

contract AnchorRegistryTest is Test {
    event AnchorPosted(bytes32 indexed root, string uri, uint32 indexed schemaVersion, bytes32 indexed salt);
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    AnchorRegistry registry;
    address owner = makeAddr("safe");

    function setUp() public {
        registry = new AnchorRegistry(owner);
    }

    function test_owner_posts_anchor() public {
        bytes32 root = keccak256("snapshot");
        vm.expectEmit(true, true, true, true, address(registry));
        emit AnchorPosted(root, "https://agora.example/anchors/1.json", 1, bytes32(uint256(42)));
        vm.prank(owner);
        registry.postAnchor(root, "https://agora.example/anchors/1.json", 1, bytes32(uint256(42)));
    }

    function test_post_reverts() public {
        vm.prank(makeAddr("stranger"));
        vm.expectRevert(NotOwner.selector);
        registry.postAnchor(bytes32(0), "ipfs://x", 1, bytes32(0));
        vm.prank(owner);
        vm.expectRevert(EmptyURI.selector);
        registry.postAnchor(bytes32(0), "", 1, bytes32(0));
        vm.expectRevert(ZeroAddress.selector);
        new AnchorRegistry(address(0));
    }

    function test_owner_handover() public {
        address next = makeAddr("nextSafe");
        vm.prank(owner);
        registry.transferOwnership(next);
        vm.prank(owner);
        registry.postAnchor(bytes32(0), "still owner until accepted", 1, bytes32(0));
        vm.expectEmit(true, true, false, false, address(registry));
        emit OwnershipTransferred(owner, next);
        vm.prank(next);
        registry.acceptOwnership();
        vm.prank(owner);
        vm.expectRevert(NotOwner.selector);
        registry.postAnchor(bytes32(0), "x", 1, bytes32(0));
        vm.prank(next);
        registry.postAnchor(bytes32(0), "x", 1, bytes32(0));
    }

    function testFuzz_any_nonempty_uri(bytes32 root, string calldata uri, uint32 version, bytes32 salt) public {
        vm.assume(bytes(uri).length > 0);
        vm.expectEmit(true, true, true, true, address(registry));
        emit AnchorPosted(root, uri, version, salt);
        vm.prank(owner);
        registry.postAnchor(root, uri, version, salt);
    }

    function test_mock_1271_wallet_accepts_only_its_signer() public {
        (address signer, uint256 key) = makeAddrAndKey("signer");
        MockERC1271Wallet wallet = new MockERC1271Wallet(signer);
        bytes32 digest = keccak256("message");
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        assertEq(wallet.isValidSignature(digest, abi.encodePacked(r, s, v)), bytes4(0x1626ba7e));
        (, uint256 otherKey) = makeAddrAndKey("other");
        (v, r, s) = vm.sign(otherKey, digest);
        assertEq(wallet.isValidSignature(digest, abi.encodePacked(r, s, v)), bytes4(0xffffffff));
        assertEq(wallet.isValidSignature(digest, hex"1234"), bytes4(0xffffffff));
    }
}
