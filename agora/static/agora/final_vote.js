// The final vote's countdown on a topic page. The live fragment (topic.js) is replaced every few
// seconds, so the element is looked up on every tick; when the window ends the next refresh shows
// the finalize button to wallets that voted.
(function () {
  "use strict";
  function pad(n) { return String(n).padStart(2, "0"); }
  function format(ms) {
    const s = Math.floor(ms / 1000), d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600);
    const m = Math.floor((s % 3600) / 60);
    return (d ? d + " d " : "") + (d || h ? h + " h " : "") + pad(m) + " min " + pad(s % 60) + " s";
  }
  function tick() {
    const el = document.getElementById("final-vote-countdown");
    if (!el) return;
    const left = Date.parse(el.dataset.endsAt) - Date.now();
    el.textContent = left > 0 ? format(left) : "now: the final vote has ended";
    el.dataset.secondsLeft = String(Math.max(0, Math.floor(left / 1000)));
  }
  tick();
  setInterval(tick, 1000);
})();
