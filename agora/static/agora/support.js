// Donate to the TreasuryVault with the browser wallet (EIP-1193): the server writes the calldata,
// the wallet sends each transaction (eth_sendTransaction), and the page then polls the server until
// the chain indexer has counted the donation, showing the donor avatar once the total passes $10.
(function () {
  "use strict";
  const form = document.getElementById("donate-form");
  if (!form) return;
  const status = document.getElementById("donate-status");
  const button = document.getElementById("donate-button");
  const statusBase = form.dataset.statusUrl.slice(0, -2); // the URL was reversed with "0x" as the hash

  function say(text, kind) {
    status.textContent = text;
    status.dataset.kind = kind || "info";
  }
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  function explain(err) {
    if (err && err.code === 4001) return "You rejected the transaction in your wallet. Nothing was sent.";
    if (err && err.code === -32002) return "Your wallet already has a request open. Finish it there, then try again.";
    if (err && err.detail) return err.detail;
    if (err && err.message) return err.message;
    return "The donation failed. Please try again.";
  }

  async function getJson(url) {
    const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    let data = {};
    try { data = await response.json(); } catch (_) { /* not JSON: fall through with no detail */ }
    if (!response.ok) throw { status: response.status, code: data.code, detail: data.detail };
    return data;
  }

  async function ensureChain(wallet, wanted) {
    const current = parseInt(await wallet.request({ method: "eth_chainId" }), 16);
    if (current === wanted) return;
    try {
      await wallet.request({ method: "wallet_switchEthereumChain", params: [{ chainId: "0x" + wanted.toString(16) }] });
    } catch (_) {
      throw { detail: "Your wallet is on chain " + current + ". Switch it to chain " + wanted + " and try again." };
    }
  }

  async function mined(wallet, hash) {
    for (let i = 0; i < 600; i += 1) {
      const receipt = await wallet.request({ method: "eth_getTransactionReceipt", params: [hash] });
      if (receipt) {
        if (receipt.status !== "0x1") throw { detail: "The transaction " + hash + " reverted on chain." };
        return receipt;
      }
      await sleep(1000);
    }
    throw { detail: "The transaction " + hash + " was not mined in 10 minutes. Check your wallet." };
  }

  function usd(micro) {
    return "$" + (Number(BigInt(micro) / 10000n) / 100).toFixed(2);
  }

  async function followIndexer(hash) {
    const counted = document.getElementById("donate-counted");
    for (let delay = 2000; ; delay = Math.min(delay * 1.5, 15000)) {
      let data = null;
      try { data = await getJson(statusBase + hash); } catch (_) { /* keep polling through blips */ }
      if (data && data.counted) {
        const value = data.entries.reduce((sum, e) => sum + BigInt(e.usd_micro), 0n);
        counted.textContent = "counted in block " + data.entries[0].block_number + " (" + usd(value.toString()) + ")";
        counted.dataset.counted = "true";
        document.getElementById("donate-total").textContent = usd(data.donor.total_usd_micro);
        if (data.donor.is_donor && data.donor.avatar_url) {
          document.getElementById("donor-avatar").src = data.donor.avatar_url;
          document.getElementById("donor-avatar-box").hidden = false;
        }
        say("Thank you! Your donation is counted.", "ok");
        return;
      }
      await sleep(delay);
    }
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    const wallet = window.ethereum;
    if (!wallet || typeof wallet.request !== "function") {
      say("No browser wallet found. Install an EIP-1193 wallet such as MetaMask, then reload this page.", "error");
      return;
    }
    button.disabled = true;
    try {
      const params = new URLSearchParams(new FormData(form));
      const plan = await getJson(form.dataset.txUrl + "?" + params.toString());
      say("Connecting to your wallet…");
      const accounts = await wallet.request({ method: "eth_requestAccounts" });
      if (!accounts || !accounts.length) throw { detail: "Your wallet did not share an account." };
      await ensureChain(wallet, plan.chain_id);
      let hash = null;
      for (const [index, tx] of plan.transactions.entries()) {
        const step = plan.transactions.length > 1 ? " (" + (index + 1) + " of " + plan.transactions.length + ")" : "";
        say("Confirm the transaction in your wallet" + step + ".");
        hash = await wallet.request({ method: "eth_sendTransaction", params: [{ from: accounts[0], ...tx }] });
        say("Sent " + hash + step + "; waiting for it to be mined…");
        await mined(wallet, hash);
      }
      document.getElementById("donate-tx").textContent = hash;
      document.getElementById("donate-result").hidden = false;
      say("Mined. Waiting for the indexer to count your donation…");
      await followIndexer(hash);
    } catch (err) {
      say(explain(err), "error");
    } finally {
      button.disabled = false;
    }
  });
})();
