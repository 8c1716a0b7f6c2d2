// Staff inbox: new messages appear without reloading; answers are sent without leaving the page.
// Everything here is an addition: without JavaScript the forms post and the pages reload.
(function () {
  "use strict";

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = text; // never innerHTML: citizens' words
    return node;
  }

  function show(node, text) {
    if (!node) return;
    node.textContent = text || "";
    node.hidden = !text;
  }

  // Polls `tick` every `ms` while the tab is visible; at once when it becomes visible again.
  function poller(ms, tick) {
    let timer = null;
    let stopped = false;
    let busy = false;
    function schedule() {
      clearTimeout(timer);
      if (!stopped) timer = setTimeout(run, ms);
    }
    function run() {
      if (stopped) return;
      if (document.hidden || busy) { schedule(); return; }
      busy = true;
      Promise.resolve(tick()).finally(function () { busy = false; schedule(); });
    }
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden && !stopped) { clearTimeout(timer); run(); }
    });
    schedule();
    return { stop: function () { stopped = true; clearTimeout(timer); }, now: run };
  }

  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
  }

  // --- one chat ---------------------------------------------------------------------------------------
  const root = document.getElementById("conversation");
  if (root) {
    const thread = document.getElementById("thread");
    const form = document.getElementById("reply");
    const input = document.getElementById("reply-text");
    const sendButton = document.getElementById("reply-send");
    const counter = document.getElementById("reply-count");
    const liveError = root.querySelector(".live-error");
    const replyError = root.querySelector(".reply-error");
    const closedNotice = root.querySelector(".closed-notice");
    const max = parseInt(root.dataset.max, 10) || 5000;
    let lastId = parseInt(root.dataset.lastId, 10) || 0;
    let sending = false;

    function nearBottom() {
      return thread.scrollHeight - thread.scrollTop - thread.clientHeight < 80;
    }

    function resendForm(url) {
      const f = el("form", "inline");
      f.method = "post";
      f.action = url;
      const token = el("input");
      token.type = "hidden";
      token.name = "csrf_token";
      token.value = root.dataset.csrf;
      const b = el("button", "secondary small", root.dataset.resendLabel);
      b.type = "submit";
      f.appendChild(token);
      f.appendChild(b);
      return f;
    }

    function append(m) {
      if (thread.querySelector('[data-id="' + m.id + '"]')) return; // already shown (our own answer)
      const empty = thread.querySelector(".empty-thread");
      if (empty) empty.remove();
      const stick = nearBottom();
      const item = el("li", "msg msg-" + m.who + (m.delivery ? " msg-" + m.delivery : ""));
      item.dataset.id = m.id;
      const meta = el("div", "meta");
      meta.appendChild(el("strong", "", m.who_label));
      meta.appendChild(document.createTextNode(" · "));
      meta.appendChild(el("time", "", m.at));
      item.appendChild(meta);
      item.appendChild(el("p", "bubble", m.text));
      if (m.delivery) {
        const d = el("div", "delivery");
        d.appendChild(el("span", "badge badge-" + m.delivery, m.delivery_label));
        if (m.unfollowed) d.appendChild(el("span", "small muted", root.dataset.unfollowedLabel));
        if (m.resend_url) d.appendChild(resendForm(m.resend_url));
        item.appendChild(d);
      }
      thread.appendChild(item);
      if (m.id > lastId) lastId = m.id;
      if (stick) thread.scrollTop = thread.scrollHeight;
    }

    function applyState(h) {
      const status = document.querySelector('[data-field="status"] .badge');
      if (status) {
        status.textContent = h.status_label;
        status.className = "badge badge-" + h.status;
      }
      const assigned = document.querySelector('[data-field="assigned"]');
      if (assigned) assigned.textContent = h.assigned_label;
      // Someone (maybe the first answer) took the chat: the forms show it, unless being changed now.
      const take = document.getElementById("take");
      if (take) take.hidden = String(h.assigned_id) === take.dataset.me;
      const select = document.getElementById("assignee");
      if (select && document.activeElement !== select) select.value = h.assigned_id ? String(h.assigned_id) : "";
      if (h.status !== "open" && root.dataset.status === "open") {
        root.dataset.status = h.status;
        if (form) form.hidden = true; // the draft stays in the textarea if the page is kept
        ["assign", "close"].forEach(function (id) {
          const section = document.getElementById(id);
          if (section) section.hidden = true;
        });
        if (closedNotice) closedNotice.hidden = false;
      }
    }

    const poll = poller(parseInt(root.dataset.pollMs, 10) || 5000, function () {
      return getJSON(root.dataset.messagesUrl + "?after=" + lastId)
        .then(function (r) {
          if (r.status === 401) { show(liveError, root.dataset.sessionError); poll.stop(); return null; }
          if (r.status === 404) { poll.stop(); return null; }
          if (!r.ok) throw new Error(r.status);
          return r.json();
        })
        .then(function (data) {
          if (!data) return;
          show(liveError, "");
          data.messages.forEach(append);
          applyState(data.handoff);
        })
        .catch(function () { show(liveError, root.dataset.networkError); });
    });

    function count() {
      if (!input || !counter) return;
      const n = input.value.trim().length;
      counter.textContent = root.dataset.countLabel.replace("{count}", n.toLocaleString());
      counter.classList.toggle("over", n > max);
    }

    if (form && input) {
      input.addEventListener("input", count);
      input.addEventListener("keydown", function (e) {
        if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); form.requestSubmit(); }
      });
      form.addEventListener("submit", function (e) {
        e.preventDefault();
        if (sending) return;
        const text = input.value;
        if (!text.trim()) { show(replyError, root.dataset.emptyError); input.focus(); return; }
        sending = true;
        sendButton.disabled = true;
        sendButton.textContent = root.dataset.sendingLabel;
        show(replyError, "");
        fetch(root.dataset.replyUrl, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": root.dataset.csrf },
          body: JSON.stringify({ text: text }),
        })
          .then(function (r) {
            if (r.status === 401) throw new Error(root.dataset.sessionError);
            return r.json().then(
              function (body) { return { ok: r.ok, status: r.status, body: body }; },
              function () { throw new Error(root.dataset.networkError); }
            );
          })
          .then(function (res) {
            if (!res.ok) {
              show(replyError, res.body.error || root.dataset.networkError); // the text stays in the box
              if (res.status === 409) poll.now(); // closed meanwhile: the poll shows it closed
              return;
            }
            if (input.value === text) input.value = ""; // only what was sent is cleared
            count();
            append(res.body.message);
            if (res.body.message.delivery === "failed") show(replyError, root.dataset.notDelivered);
            applyState(res.body.handoff);
            thread.scrollTop = thread.scrollHeight;
          })
          .catch(function (err) { show(replyError, err.message || root.dataset.networkError); })
          .finally(function () {
            sending = false;
            sendButton.disabled = false;
            sendButton.textContent = root.dataset.sendLabel;
          });
      });
    }
    thread.scrollTop = thread.scrollHeight;
  }

  // --- the list ---------------------------------------------------------------------------------------
  const list = document.getElementById("inbox-list");
  if (list) {
    const rows = document.getElementById("rows");
    const liveError = list.querySelector(".live-error");
    const baseTitle = document.title;
    let signature = null;
    let ticks = 0;

    function setCounts(data) {
      ["open", "waiting", "mine"].forEach(function (name) {
        const node = list.querySelector('[data-count="' + name + '"]');
        if (node) node.textContent = data[name];
      });
      document.title = (data.waiting ? "(" + data.waiting + ") " : "") + baseTitle;
    }

    const poll = poller(parseInt(list.dataset.pollMs, 10) || 5000, function () {
      return getJSON(list.dataset.updatesUrl)
        .then(function (r) {
          if (r.status === 401) { show(liveError, list.dataset.sessionError); poll.stop(); return null; }
          if (!r.ok) throw new Error(r.status);
          return r.json();
        })
        .then(function (data) {
          if (!data) return null;
          show(liveError, "");
          setCounts(data);
          // Redraw on any change, and every minute or so for the waiting times.
          ticks += 1;
          const changed = (signature !== null && data.signature !== signature) || ticks % 12 === 0;
          signature = data.signature;
          if (!changed || !rows || list.dataset.live !== "1") return null;
          return fetch(list.dataset.rowsUrl, { credentials: "same-origin" }).then(function (r) {
            // Redirected: the session ended between the two requests (the login page is no list of rows).
            if (!r.ok || r.redirected) throw new Error(r.status);
            return r.text().then(function (html) {
              // Rendered (and escaped) by the server from the same template as the page.
              const doc = new DOMParser().parseFromString(html, "text/html");
              rows.replaceChildren.apply(rows, Array.from(doc.body.childNodes));
            });
          });
        })
        .catch(function () { /* a missed poll is retried on the next tick */ });
    });
    poll.now();
  }
})();
