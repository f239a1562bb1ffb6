// Aduan admin inbox: live updates over Server-Sent Events and a few
// keyboard conveniences. Every page works without this script.
(function () {
  "use strict";

  // Refetch a live region's HTML from its data-live-src.
  function refresh(el) {
    if (el.dataset.busy) { el.dataset.again = "1"; return; }
    el.dataset.busy = "1";
    fetch(el.dataset.liveSrc || el.dataset.refreshSrc, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) {
        if (r.status === 401 || r.redirected) { window.location.reload(); return null; }
        return r.ok ? r.text() : null;
      })
      .then(function (html) {
        if (html !== null && html !== undefined) {
          var atBottom = el.classList.contains("thread") && nearBottom();
          el.innerHTML = html;
          if (atBottom) { scrollToEnd(); }
        }
      })
      .catch(function () {})
      .finally(function () {
        delete el.dataset.busy;
        if (el.dataset.again) { delete el.dataset.again; refresh(el); }
      });
  }

  function nearBottom() {
    return window.innerHeight + window.scrollY >= document.body.scrollHeight - 200;
  }

  function scrollToEnd() {
    var end = document.getElementById("akhir");
    if (end) { end.scrollIntoView({ block: "end" }); }
  }

  function live() {
    var inbox = document.getElementById("inbox");
    var thread = document.getElementById("thread");
    if (!inbox && !thread) { return; }
    var state = document.getElementById("live-state");
    var timers = {};
    var es = new EventSource("/admin/events");
    es.addEventListener("open", function () {
      if (state) { state.textContent = "langsung"; state.classList.remove("off"); }
    });
    es.addEventListener("error", function () {
      if (state) { state.textContent = "menyambung ulang…"; state.classList.add("off"); }
    });
    es.addEventListener("change", function (e) {
      var change = {};
      try { change = JSON.parse(e.data); } catch (err) { return; }
      var targets = [];
      if (inbox) { targets.push(inbox); }
      if (thread && String(change.conversation_id) === thread.dataset.conversation) { targets.push(thread); }
      targets.forEach(function (el) {
        // Several changes in a burst make one refresh.
        clearTimeout(timers[el.id]);
        timers[el.id] = setTimeout(function () { refresh(el); }, 150);
      });
    });
    window.addEventListener("beforeunload", function () { es.close(); });
  }

  function periodic() {
    document.querySelectorAll("[data-refresh-src]").forEach(function (el) {
      setInterval(function () { refresh(el); }, parseInt(el.dataset.refreshEvery, 10) || 5000);
    });
    document.querySelectorAll("[data-reload-every]").forEach(function (el) {
      setTimeout(function () { window.location.reload(); }, parseInt(el.dataset.reloadEvery, 10) || 3000);
    });
  }

  function forms() {
    document.querySelectorAll("select[data-canned-for]").forEach(function (sel) {
      sel.addEventListener("change", function () {
        var box = document.getElementById(sel.dataset.cannedFor);
        if (box && sel.value) {
          box.value = box.value ? box.value + "\n" + sel.value : sel.value;
          box.focus();
        }
        sel.value = "";
      });
    });
    document.querySelectorAll("textarea[data-submit-on-ctrl-enter]").forEach(function (ta) {
      ta.addEventListener("keydown", function (e) {
        if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && ta.value.trim() !== "") {
          e.preventDefault();
          ta.form.requestSubmit();
        }
      });
    });
    document.querySelectorAll("form[data-confirm]").forEach(function (f) {
      f.addEventListener("submit", function (e) {
        if (!window.confirm(f.dataset.confirm)) { e.preventDefault(); }
      });
    });
    document.querySelectorAll("form").forEach(function (f) {
      // One click, one submission.
      f.addEventListener("submit", function (e) {
        if (e.defaultPrevented) { return; }
        f.querySelectorAll("button[type=submit]").forEach(function (b) {
          setTimeout(function () { b.disabled = true; }, 0);
        });
      });
    });
    // "/" jumps to the inbox search, as in most web mail.
    document.addEventListener("keydown", function (e) {
      var q = document.getElementById("q");
      var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName);
      if (q && e.key === "/" && !typing && !e.ctrlKey && !e.metaKey) {
        e.preventDefault();
        q.focus();
      }
    });
    document.querySelectorAll("[data-print]").forEach(function (b) {
      b.addEventListener("click", function () { window.print(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    forms();
    live();
    periodic();
    if (document.getElementById("thread")) { scrollToEnd(); }
  });
})();
