// While a topic is open, refresh its ranking and submissions every few seconds (no page reload).
(function () {
  "use strict";
  const live = document.getElementById("live");
  const url = live && live.dataset.liveUrl;
  if (!url) return;
  let failures = 0;
  async function refresh() {
    try {
      const response = await fetch(url, { headers: { "X-Requested-With": "fetch" }, credentials: "same-origin" });
      if (!response.ok) throw new Error(String(response.status));
      live.innerHTML = await response.text();
      failures = 0;
    } catch (_) {
      failures += 1; // keep the last good view; back off while the server is unreachable
    }
    setTimeout(refresh, Math.min(60000, 5000 * Math.pow(2, failures)));
  }
  setTimeout(refresh, 5000);
})();
