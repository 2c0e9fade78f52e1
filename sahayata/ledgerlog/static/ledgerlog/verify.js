// Checks a receipt's inclusion proof in the browser: the same RFC 9162 steps as
// scripts/verify_log.py, with the page's own SHA-256 and Ed25519 (Web Crypto). Without
// Web Crypto the form simply posts and the server checks it.
(function () {
  "use strict";
  var form = document.getElementById("log-check");
  var out = document.getElementById("log-check-result");
  if (!form || !out || !window.crypto || !window.crypto.subtle || !window.fetch) return;
  var subtle = window.crypto.subtle;
  var bengali = form.dataset.lang === "bn";

  function digits(text) {
    return bengali ? String(text).replace(/[0-9]/g, function (d) { return "০১২৩৪৫৬৭৮৯"[+d]; }) : String(text);
  }
  function hex(bytes) {
    return Array.from(new Uint8Array(bytes), function (b) { return b.toString(16).padStart(2, "0"); }).join("");
  }
  function unhex(text) {
    if (!/^[0-9a-f]{64}$/.test(text)) throw new Error("not a SHA-256 hash: " + text);
    var out = new Uint8Array(32);
    for (var i = 0; i < 32; i++) out[i] = parseInt(text.substr(i * 2, 2), 16);
    return out;
  }
  function concat(prefix, a, b) {
    var joined = new Uint8Array(1 + a.length + (b ? b.length : 0));
    joined[0] = prefix; joined.set(a, 1); if (b) joined.set(b, 1 + a.length);
    return joined;
  }
  async function sha(bytes) { return new Uint8Array(await subtle.digest("SHA-256", bytes)); }
  async function node(left, right) { return sha(concat(1, left, right)); }
  function b64(text) { return Uint8Array.from(atob(text), function (c) { return c.charCodeAt(0); }); }

  // RFC 9162 section 2.1.3.2.
  async function rootFromInclusion(index, size, leaf, path) {
    if (index < 0 || index >= size) throw new Error("leaf outside the tree");
    var fn = index, sn = size - 1, r = leaf;
    for (var i = 0; i < path.length; i++) {
      if (sn === 0) throw new Error("audit path too long");
      if (fn % 2 === 1 || fn === sn) {
        r = await node(path[i], r);
        while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
      } else {
        r = await node(r, path[i]);
      }
      fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
    }
    if (sn !== 0) throw new Error("audit path too short");
    return r;
  }

  async function signatureHolds(head, keys) {
    var key = keys.find(function (k) { return k.key_id === head.key_id; });
    if (!key) throw new Error("unknown key " + head.key_id);
    var message = new TextEncoder().encode(
      "sahayata-log-v1\n" + head.tree_size + "\n" + head.root_hash + "\n" + head.timestamp + "\n" +
      (head.previous_root_hash || "") + "\n");
    var imported;
    try {
      imported = await subtle.importKey("raw", b64(key.public_key), { name: "Ed25519" }, false, ["verify"]);
    } catch (e) {
      return null; // this browser has no Ed25519
    }
    return subtle.verify({ name: "Ed25519" }, imported, b64(head.signature), message);
  }

  function say(kind, text) {
    out.textContent = "";
    var p = document.createElement("p");
    p.className = "verdict " + kind;
    p.textContent = text;
    out.appendChild(p);
  }

  async function check(number, salt) {
    var api = form.dataset.api;
    var query = new URLSearchParams({ application_no: number, salt: salt });
    var answer = await fetch(api + "/proof?" + query.toString(), { headers: { Accept: "application/json" } });
    if (answer.status === 404) { say("bad", form.dataset.msgNone); return; }
    var proof = await answer.json();
    var keys = (await (await fetch(api + "/public-keys")).json()).keys;
    var root = unhex(proof.root_hash);
    if (proof.head.root_hash !== proof.root_hash || proof.head.tree_size !== proof.tree_size) {
      throw new Error("the proof is not against its head");
    }
    var indexes = [];
    for (var i = 0; i < proof.leaves.length; i++) {
      var leaf = proof.leaves[i];
      var expected = await sha(concat(0, new TextEncoder().encode(leaf.content_hash + ":" + salt)));
      if (hex(expected) !== leaf.leaf_hash) throw new Error("leaf " + leaf.index + " is not this payment");
      var got = await rootFromInclusion(leaf.index, proof.tree_size, expected, leaf.audit_path.map(unhex));
      if (hex(got) !== hex(root)) throw new Error("leaf " + leaf.index + " is not in the tree");
      indexes.push(leaf.index);
    }
    var signed = await signatureHolds(proof.head, keys);
    if (signed === false) throw new Error("the head's signature does not hold");
    say("good", form.dataset.msgGood
      .replace("%(leaves)s", digits(indexes.join(", ")))
      .replace("%(size)s", digits(proof.tree_size)));
    if (signed === null) {
      var note = document.createElement("p");
      note.textContent = form.dataset.msgNosig;
      out.appendChild(note);
    }
    out.dataset.verified = "browser";
  }

  form.addEventListener("submit", function (event) {
    var number = form.elements.application_no.value.trim().toUpperCase();
    var salt = form.elements.salt.value.trim().toLowerCase();
    if (!number || !salt) return; // the server says what is missing
    event.preventDefault();
    say("", form.dataset.msgChecking);
    check(number, salt).catch(function (error) {
      say("bad", form.dataset.msgBad.replace("%(problem)s", error.message));
    });
  });

  // The receipt's log QR code carries the number and the code after "#", never sent to us.
  var fragment = new URLSearchParams(window.location.hash.replace(/^#/, ""));
  if (fragment.get("application_no") && fragment.get("salt")) {
    form.elements.application_no.value = fragment.get("application_no");
    form.elements.salt.value = fragment.get("salt");
    history.replaceState(null, "", window.location.pathname + "#check");
    form.requestSubmit();
  }
})();
