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
// Uploads (forms marked data-upload-progress="<id>"): refuse a file over
// the input's data-max-bytes before sending it, and show how much of it
// has gone while htmx sends it.
document.addEventListener("submit", function (e) {
  var f = e.target;
  if (!f.getAttribute || !f.getAttribute("data-upload-progress")) { return; }
  var input = f.querySelector("input[type=file][data-max-bytes]");
  var max = input && Number(input.getAttribute("data-max-bytes"));
  if (input && input.files.length && max && input.files[0].size > max) {
    e.preventDefault(); e.stopImmediatePropagation();
    input.setCustomValidity("This file is larger than the limit of " + fmtBytes(max) + ".");
    input.reportValidity();
  }
}, true);
document.addEventListener("change", function (e) {
  if (e.target.matches && e.target.matches("input[type=file][data-max-bytes]")) { e.target.setCustomValidity(""); }
});
function fmtBytes(n) {
  var u = ["B", "KiB", "MiB", "GiB"], i = 0;
  while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
  return (i ? n.toFixed(1) : n) + " " + u[i];
}
function uploadBox(e) {
  var f = e.target.closest && e.target.closest("[data-upload-progress]");
  return f && document.getElementById(f.getAttribute("data-upload-progress"));
}
document.addEventListener("htmx:xhr:loadstart", function (e) {
  var box = uploadBox(e);
  if (box) { box.hidden = false; box.querySelector("progress").value = 0; delete box.dataset.total; }
});
document.addEventListener("htmx:xhr:progress", function (e) {
  var box = uploadBox(e);
  if (!box || !e.detail.lengthComputable || !e.detail.total) { return; }
  // htmx reports the answer's download too: keep to the upload's figures.
  if (box.dataset.total && Number(box.dataset.total) !== e.detail.total) { return; }
  box.dataset.total = e.detail.total;
  var pct = Math.floor(100 * e.detail.loaded / e.detail.total);
  box.querySelector("progress").value = pct;
  box.querySelector("span").textContent = pct + " % of " + fmtBytes(e.detail.total) + " sent";
});
// Code editors: line numbers beside the textarea, kept in step with its
// lines and scroll; the line of a syntax error (data-error-line) marked.
function paintGutter(box) {
  var ta = box.querySelector("textarea"), g = box.querySelector(".gutter");
  var n = Math.max(ta.value.split("\n").length, Number(ta.getAttribute("rows")) || 1);
  var bad = Number(box.getAttribute("data-error-line")) || 0;
  g.textContent = "";
  for (var i = 1; i <= n; i++) {
    var s = document.createElement("span");
    if (i === bad) { s.className = "error-ln"; s.setAttribute("data-testid", "gutter-error-line"); }
    s.textContent = i + (i < n ? "\n" : "");
    g.appendChild(s);
  }
  g.scrollTop = ta.scrollTop;
}
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".code-editor").forEach(function (box) {
    var ta = box.querySelector("textarea"), g = box.querySelector(".gutter");
    paintGutter(box);
    ta.addEventListener("input", function () { paintGutter(box); });
    ta.addEventListener("scroll", function () { g.scrollTop = ta.scrollTop; });
  });
});
// A refused form: the page keeps the address it was posted from
// (body[data-url]), and the first field in error is opened, scrolled to
// and focused; the summary's links focus their field.
function errorField(name) {
  return document.querySelector('[aria-describedby="' + name + '-error"]') ||
    document.querySelector('[name="' + name + '"]:not([type=hidden])');
}
function focusField(el) {
  for (var d = el.closest("details"); d; d = d.parentElement && d.parentElement.closest("details")) { d.open = true; }
  el.scrollIntoView({ block: "center" });
  el.focus({ preventScroll: true });
}
document.addEventListener("DOMContentLoaded", function () {
  var url = document.body.getAttribute("data-url");
  if (url) { history.replaceState(null, "", url); }
  var summary = document.querySelector("[data-testid=form-errors]");
  if (!summary) { return; }
  var first = null;
  summary.querySelectorAll("a[data-field]").forEach(function (a) {
    var el = errorField(a.getAttribute("data-field"));
    if (el && (!first || (first.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_PRECEDING))) { first = el; }
  });
  if (first) { focusField(first); } else { summary.focus(); }
});
document.addEventListener("click", function (e) {
  var a = e.target.closest && e.target.closest(".form-summary a[data-field]");
  var el = a && errorField(a.getAttribute("data-field"));
  if (el) { e.preventDefault(); focusField(el); }
});
// The devices list's bulk form: the confirmation names the action and
// the number of devices; a destructive action on more than
// data-bulk-over devices is confirmed on the server's page instead (the
// count typed).
document.addEventListener("submit", function (e) {
  var f = e.target;
  if (!f.matches || !f.matches("#bulk-form")) { return; }
  var opt = f.querySelector("select[name=action]").selectedOptions[0];
  var n, exact = true;
  if (f.querySelector("select[name=scope]").value === "filter") {
    n = Number(f.getAttribute("data-bulk-total"));
    exact = f.getAttribute("data-bulk-exact") === "true";
  } else {
    n = document.querySelectorAll('input[name=ids][form="bulk-form"]:checked').length;
    if (n === 0) {
      e.preventDefault(); e.stopImmediatePropagation();
      window.alert("Select the devices first, or choose every device matching this filter.");
      return;
    }
  }
  if (opt.getAttribute("data-destructive") && (!exact || n > Number(f.getAttribute("data-bulk-over")))) { return; }
  var what = (exact ? n : "more than " + n) + (n === 1 ? " device" : " devices");
  if (!window.confirm(opt.getAttribute("data-verb") + " " + what + "?")) { e.preventDefault(); e.stopImmediatePropagation(); }
}, true);

// The sign-in form tells the server the browser's time zone: an
// organization's first sign-in takes it as the organization's.
document.addEventListener("submit", function (e) {
  var tz = e.target.querySelector && e.target.querySelector("input[data-browser-tz]");
  if (tz) {
    try { tz.value = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (err) { tz.value = ""; }
  }
});
