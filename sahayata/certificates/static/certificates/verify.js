// Checks the signed token a certificate's QR code carries after "#" (the browser never
// sends it to the server): its Ed25519 signature with Web Crypto, against the public keys
// the site publishes at /verify/public-key, and that it is this certificate. A browser
// without Ed25519 posts the token to the server's check (the form below) instead.
(function () {
  "use strict";
  var box = document.getElementById("qr-check");
  var out = document.getElementById("qr-verdict");
  var token = window.location.hash.replace(/^#/, "");
  if (!box || !out || !token) return;
  var bengali = box.dataset.lang === "bn";

  function say(kind, text) {
    box.hidden = false;
    out.textContent = "";
    var badge = document.createElement("span");
    out.className = "verdict " + kind;
    if (kind) {
      badge.className = "badge " + (kind === "good" ? "ok" : "bad");
      badge.textContent = kind === "good" ? "\u2713" : "\u2717";
      out.appendChild(badge);
      out.appendChild(document.createTextNode(" "));
    }
    out.appendChild(document.createTextNode(text));
    out.dataset.result = kind;
  }
  function unb64url(text) {
    var b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) b64 += "=";
    return Uint8Array.from(atob(b64), function (c) { return c.charCodeAt(0); });
  }
  function named(payload, message) {
    var holder = bengali ? (payload.holder_bn || payload.holder_en) : (payload.holder_en || payload.holder_bn);
    var service = bengali ? (payload.service_bn || payload.service_en) : (payload.service_en || payload.service_bn);
    return message.replace("%(holder)s", holder || "").replace("%(service)s", service || "");
  }
  function askTheServer() {
    // No Ed25519 here: the server checks the same token (POST, with the CSRF token).
    var form = document.getElementById("payload-form");
    if (!form || !form.elements.payload) return;
    form.elements.payload.value = window.location.href;
    form.submit();
  }

  async function check() {
    var parts = token.split(".");
    if (parts.length !== 3 || parts[0] !== "SHY1") throw new Error("unreadable");
    var payloadBytes = unb64url(parts[1]);
    var signature = unb64url(parts[2]);
    var text = new TextDecoder("utf-8", { fatal: true }).decode(payloadBytes);
    var payload = JSON.parse(text);
    if (!payload || typeof payload !== "object") throw new Error("unreadable");
    if (!window.crypto || !window.crypto.subtle || !window.fetch) { askTheServer(); return; }
    var answer = await fetch(box.dataset.keys, { headers: { Accept: "application/json" } });
    var keys = (await answer.json()).keys;
    var key = keys.find(function (k) { return k.key_id === payload.kid; });
    if (!key) { say("bad", box.dataset.msgForged); return; }
    var der = atob(key.pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""));
    var spki = Uint8Array.from(der, function (c) { return c.charCodeAt(0); });
    var imported;
    try {
      imported = await window.crypto.subtle.importKey("spki", spki, { name: "Ed25519" }, false, ["verify"]);
    } catch (e) {
      askTheServer();
      return;
    }
    var holds = await window.crypto.subtle.verify({ name: "Ed25519" }, imported, signature, payloadBytes);
    if (!holds) { say("bad", box.dataset.msgForged); return; }
    if (payload.id !== box.dataset.certificate) { say("bad", box.dataset.msgOther); return; }
    if (box.dataset.signed === undefined) { say("bad", named(payload, box.dataset.msgRecord)); return; }
    if (box.dataset.signed !== text) { say("bad", box.dataset.msgDiffers); return; }
    say("good", named(payload, box.dataset.msgGood));
  }

  say("", box.dataset.msgChecking);
  check().catch(function () { say("bad", box.dataset.msgUnreadable); });
})();
