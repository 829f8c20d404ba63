// Sign in with the browser wallet (EIP-1193): connect, fetch the server's EIP-4361 message from the
// same endpoint agents use, personal_sign it, and post it to /auth/verify for a session cookie.
// The console's login page reuses it: the button's data-verify-url points at /admin/wallet-login and
// data-next says where to land.
(function () {
  "use strict";
  const button = document.getElementById("sign-in");
  const status = document.getElementById("wallet-status");
  if (!button || !status) return;

  function say(text, kind) {
    status.textContent = text;
    status.dataset.kind = kind || "info";
  }

  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  function utf8Hex(text) {
    return "0x" + Array.from(new TextEncoder().encode(text), (b) => b.toString(16).padStart(2, "0")).join("");
  }

  async function postJson(url, body, withCsrf) {
    const headers = { "Content-Type": "application/json" };
    if (withCsrf) headers["X-CSRFToken"] = csrfToken();
    const response = await fetch(url, { method: "POST", headers, body: JSON.stringify(body), credentials: "same-origin" });
    let data = {};
    try { data = await response.json(); } catch (_) { /* an HTML error page: fall through with no detail */ }
    if (!response.ok) throw { status: response.status, code: data.code, detail: data.detail };
    return data;
  }

  function explain(err) {
    const code = err && err.code;
    if (code === 4001) return "You rejected the signature request in your wallet. Nothing was signed; try again when you are ready.";
    if (code === -32002) return "Your wallet already has a request open. Finish it in the wallet, then try again.";
    if (code === "challenge_expired") return "The sign-in message expired before it was signed. Click “Sign in with wallet” to get a fresh one.";
    if (code === "signature_invalid") return "That signature doesn't match the sign-in message for this account. Sign with the account you connected.";
    if (code === "rate_limited") return "Too many sign-in attempts. Wait a minute, then try again.";
    if (err && err.detail) return err.detail;
    return "Sign-in failed. Please try again.";
  }

  button.addEventListener("click", async function () {
    const wallet = window.ethereum;
    if (!wallet || typeof wallet.request !== "function") {
      say("No browser wallet found. To sign in, install a wallet extension such as MetaMask (any EIP-1193 wallet works), then reload this page.", "error");
      return;
    }
    button.disabled = true;
    try {
      say("Connecting to your wallet…");
      const accounts = await wallet.request({ method: "eth_requestAccounts" });
      if (!accounts || !accounts.length) throw { detail: "Your wallet did not share an account." };
      const address = accounts[0];
      const challenge = await postJson("/api/v1/agents/auth/challenge", { address: address }, false);
      say("Check your wallet: sign the message to prove you own " + address + ". It costs no gas.");
      const signature = await wallet.request({ method: "personal_sign", params: [utf8Hex(challenge.message_to_sign), address] });
      const verifyUrl = button.dataset.verifyUrl || "/auth/verify";
      const result = await postJson(verifyUrl, { address: address, signature: signature, nonce: challenge.nonce,
                                                  next: button.dataset.next || undefined }, true);
      say("Signed in.", "ok");
      if (result.redirect) window.location.assign(result.redirect);
      else window.location.reload();
    } catch (err) {
      say(explain(err), "error");
      button.disabled = false;
    }
  });
})();
