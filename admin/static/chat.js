// Web chat: sends a question, draws the bot's channel-neutral reply (text, score cards, quick replies).
(function () {
  "use strict";
  const root = document.getElementById("chat");
  const log = document.getElementById("log");
  const quick = document.getElementById("quick");
  const input = document.getElementById("text");

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text; // never innerHTML: replies may quote citizens
    return node;
  }

  function scoreCard(card) {
    const box = el("div", "scorecard");
    box.appendChild(el("div", "sc-title", card.title));
    box.appendChild(el("div", "muted", card.subtitle));
    const head = el("div", "sc-head");
    head.appendChild(el("span", "sc-total", card.headline));
    head.appendChild(el("span", "muted", " " + card.headline_label));
    box.appendChild(head);
    if (card.badge) box.appendChild(el("div", "sc-badge", card.badge));
    card.bars.forEach(function (bar) {
      const row = el("div", "sc-row");
      const label = el("div", "sc-label");
      label.appendChild(el("span", "", bar.label));
      label.appendChild(el("strong", bar.low ? "low" : "ok", bar.value_text));
      const track = el("div", "sc-track");
      const fill = el("div", "sc-fill " + (bar.low ? "low" : "ok"));
      fill.style.width = Math.max(1, Math.min(100, Math.round(bar.value))) + "%";
      track.appendChild(fill);
      row.appendChild(label);
      row.appendChild(track);
      box.appendChild(row);
    });
    box.appendChild(el("div", "muted small", card.footnote));
    return box;
  }

  function add(who, node) {
    const item = el("li", who);
    item.appendChild(node);
    log.appendChild(item);
    item.scrollIntoView({ block: "end" });
  }

  function showReply(reply) {
    reply.messages.forEach(function (m) {
      add("bot", m.kind === "scorecard" ? scoreCard(m) : el("p", "bubble", m.text));
    });
    quick.replaceChildren();
    reply.quick_replies.forEach(function (q) {
      if (q.action !== "message" && q.action !== "postback") return; // camera, map, date: LINE only
      const b = el("button", "chip", q.label);
      b.type = "button";
      b.addEventListener("click", function () {
        if (q.action === "postback") tap(q.text, q.data); else ask(q.text);
      });
      quick.appendChild(b);
    });
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": root.dataset.csrf, "Accept": "application/json" },
      body: JSON.stringify(body || {}),
      credentials: "same-origin",
    });
  }

  function send(shown, body) {
    add("me", el("p", "bubble", shown));
    post(root.dataset.sendUrl, body)
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(showReply)
      .catch(function () { add("bot", el("p", "bubble error", root.dataset.error)); });
  }

  function ask(text) {
    text = (text || "").trim();
    if (!text) return;
    input.value = "";
    send(text, { text: text });
  }

  function tap(shown, data) {
    send(shown, { postback: data });
  }

  document.getElementById("ask").addEventListener("submit", function (e) { e.preventDefault(); ask(input.value); });
  document.getElementById("reset").addEventListener("click", function () {
    post(root.dataset.resetUrl).then(function () { log.replaceChildren(); quick.replaceChildren(); });
  });
})();
