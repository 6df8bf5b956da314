// The weekly coverage grid: a whole year is wider than the screen; bring the current
// week into view (the default window of weeks shows it without scrolling).
document.addEventListener("DOMContentLoaded", () => {
  for (const wrap of document.querySelectorAll("[data-scroll-to-current]")) {
    const now = wrap.querySelector("th.now");
    if (!now || wrap.scrollWidth <= wrap.clientWidth) continue;
    const names = wrap.querySelector("th.centre");
    const visible = wrap.clientWidth - (names ? names.offsetWidth : 0);
    wrap.scrollLeft = Math.max(0, now.offsetLeft - (names ? names.offsetWidth : 0) - visible / 2);
  }
});
