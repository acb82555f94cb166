// Pages restored from the back/forward cache are re-fetched, so after a
// logout the back button shows the login page, not a stale signed-in page.
window.addEventListener("pageshow", function (e) {
  if (e.persisted) { window.location.reload(); }
});
// Confirm destructive actions marked with data-confirm (works with and
// without htmx).
document.addEventListener("submit", function (e) {
  var msg = e.target.getAttribute && e.target.getAttribute("data-confirm");
  if (msg && !window.confirm(msg)) { e.preventDefault(); e.stopImmediatePropagation(); }
}, true);
