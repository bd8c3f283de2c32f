/* Comment form with JavaScript: fetch a signed timestamp token, send with fetch, show the
   messages inline (no reload), and let reply links fill reply_to. Without JavaScript the form
   posts normally and the engagement service answers with server-rendered pages. */
(function () {
  "use strict";

  function text(el, value) {
    if (el) el.textContent = value || "";
  }

  // The status line styled as what it says: "notice-success", "notice-error" or plain.
  function notice(el, value, kind) {
    if (!el) return;
    text(el, value);
    el.classList.remove("notice-success", "notice-error", "notice-info");
    if (kind) el.classList.add("notice-" + kind);
  }

  // The name shown in the comment a reply link belongs to (the banner names a person, not an id).
  function authorOf(link) {
    var inner = link.closest(".comment-inner");
    var name = inner && inner.querySelector(".comment-author");
    return name ? name.textContent.trim() : "";
  }

  function setup(form) {
    var base = form.getAttribute("data-engagement-url") || "";
    var post = form.elements.post.value;
    var status = form.querySelector(".comment-form-status");
    var replying = form.querySelector(".comment-replying");
    var button = form.querySelector("button[type=submit]");
    var msg = function (name) { return form.getAttribute("data-msg-" + name) || ""; };

    function loadToken() {
      return fetch(base + "/api/comments/token?post=" + encodeURIComponent(post), {
        credentials: "omit", cache: "no-store"
      }).then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) { if (data && data.token) form.elements.token.value = data.token; })
        .catch(function () { /* the server will answer with its own page */ });
    }

    function clearErrors() {
      form.querySelectorAll(".field-error").forEach(function (el) { text(el, ""); });
      form.querySelectorAll("[aria-invalid]").forEach(function (el) {
        el.removeAttribute("aria-invalid");
      });
    }

    function showErrors(errors) {
      Object.keys(errors || {}).forEach(function (field) {
        var slot = form.querySelector('.field-error[data-field="' + field + '"]') ||
          form.querySelector('.field-error[data-field="form"]');
        text(slot, errors[field]);
        var input = form.elements[field];
        if (input && input.setAttribute) input.setAttribute("aria-invalid", "true");
      });
    }

    function setReply(id, author) {
      form.elements.reply_to.value = id || "";
      if (!replying) return;
      replying.textContent = "";
      if (!id) { replying.hidden = true; return; }
      var who = document.createElement("strong");
      who.textContent = author || id;
      replying.appendChild(document.createTextNode(msg("replying") + " "));
      replying.appendChild(who);
      replying.appendChild(document.createTextNode(" — "));
      var cancel = document.createElement("a");
      cancel.href = "#comment-form";
      cancel.className = "comment-reply-cancel";
      cancel.textContent = msg("cancel");
      cancel.addEventListener("click", function (ev) { ev.preventDefault(); setReply(""); });
      replying.appendChild(cancel);
      replying.hidden = false;
    }

    document.querySelectorAll("a.reply-link[data-reply-to]").forEach(function (link) {
      link.addEventListener("click", function (ev) {
        ev.preventDefault();
        setReply(link.getAttribute("data-reply-to"), authorOf(link));
        form.scrollIntoView({ block: "start" });
        if (form.elements.body) form.elements.body.focus();
      });
    });
    var params = new URLSearchParams(window.location.search);
    if (params.get("reply_to")) {
      var id = params.get("reply_to");
      var source = document.querySelector('a.reply-link[data-reply-to="' + CSS.escape(id) + '"]');
      setReply(id, source ? authorOf(source) : "");
    }
    if (params.get("comment") === "pending") {
      var pending = document.getElementById("comment-pending");
      if (pending) pending.classList.add("is-visible");
    }

    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      clearErrors();
      notice(status, msg("sending"), "info");
      if (button) button.disabled = true;
      var body = new URLSearchParams(new FormData(form));
      fetch(form.action, {
        method: "POST", body: body, credentials: "omit",
        headers: { "Accept": "application/json" }
      }).then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (data) {
          return { ok: r.ok, data: data };
        });
      }).then(function (res) {
        if (res.ok) {
          notice(status, res.data.message || msg("pending"), "success");
          form.elements.body.value = "";
          setReply("");
        } else {
          notice(status, res.data.message || msg("error"), "error");
          showErrors(res.data.errors);
        }
        if (res.data.token) form.elements.token.value = res.data.token;
      }).catch(function () {
        notice(status, msg("network"), "error");
      }).then(function () {
        if (button) button.disabled = false;
      });
    });

    loadToken();
  }

  function init() {
    document.querySelectorAll("form.comment-form").forEach(setup);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
