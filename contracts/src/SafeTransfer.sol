// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {TransferFailed} from "./Errors.sol";

/// ERC-20 transfers that accept tokens returning no boolean (e.g. USDT-style), and revert with
/// TransferFailed on a false return, a revert, or a call to an address with no code.
library SafeTransfer {
    function safeTransfer(address token, address to, uint256 amount) internal {
        _call(token, abi.encodeWithSelector(0xa9059cbb, to, amount));
    }

    function safeTransferFrom(address token, address from, address to, uint256 amount) internal {
        _call(token, abi.encodeWithSelector(0x23b872dd, from, to, amount));
    }

    function _call(address token, bytes memory data) private {
        if (token.code.length == 0) revert TransferFailed();
        (bool ok, bytes memory ret) = token.call(data);
        if (!ok || (ret.length != 0 && (ret.length < 32 || !abi.decode(ret, (bool))))) revert TransferFailed();
    }
}
