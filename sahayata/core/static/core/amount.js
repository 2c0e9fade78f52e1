/* The live echo of amount fields (inputs with data-amount): as the operator types rupees,
   the figures (₹1,650.00 / ₹১,৬৫০.০০) and the words (Rupees one thousand six hundred
   fifty only / এক হাজার ছয়শো পঞ্চাশ টাকা মাত্র) appear under the field, in the page's
   language. It follows core.money.parse_rupees; the server decides. The words tables
   and the messages come from the server (json_script "amount-config"). No dependencies. */
(function () {
  "use strict";
  var configNode = document.getElementById("amount-config");
  if (!configNode) { return; }
  var config = JSON.parse(configNode.textContent);
  var words = config.words;
  var BENGALI = "০১২৩৪৫৬৭৮৯";

  function toAscii(text) {
    return text.replace(/[০-৯]/g, function (d) { return String(BENGALI.indexOf(d)); });
  }
  function localDigits(text) {
    if (config.lang !== "bn") { return text; }
    return text.replace(/[0-9]/g, function (d) { return BENGALI.charAt(Number(d)); });
  }

  var AFFIXES = /^(?:₹|rs\.?|inr)\s*|\s*\/-$/i;
  var TYPED = /^([0-9]+|[0-9]{1,3}(?:,[0-9]{3})+|[0-9]{1,2}(?:,[0-9]{2})+,[0-9]{3})(?:\.([0-9]*))?$/;

  /* {paise: Number} or {problem: code}; amounts up to 10^15 paise are exact in a double. */
  function parseRupees(text) {
    var cleaned = toAscii(String(text)).replace(/[\s\u00a0\u2009\u202f]+/g, "");
    var negative = cleaned.charAt(0) === "-" || cleaned.charAt(0) === "\u2212";
    if (negative) { cleaned = cleaned.slice(1); }
    cleaned = cleaned.replace(AFFIXES, "").replace(AFFIXES, "");
    if (cleaned.charAt(0) === "-" || cleaned.charAt(0) === "\u2212") {
      negative = true;
      cleaned = cleaned.slice(1);
    }
    var match = TYPED.exec(cleaned);
    if (!match) { return { problem: "not_an_amount" }; }
    var fraction = match[2] || "";
    if (fraction.length > 2) { return { problem: "too_many_decimals" }; }
    var paise = Number(match[1].replace(/,/g, "")) * 100 + Number((fraction + "00").slice(0, 2));
    if (negative && paise) { return { problem: "negative" }; }
    if (paise === 0) { return { problem: "zero" }; }
    return { paise: paise };
  }

  function group(whole) {  // Indian grouping: 12,34,567
    var digits = String(whole);
    if (digits.length <= 3) { return digits; }
    var head = digits.slice(0, -3);
    var tail = digits.slice(-3);
    return head.replace(/\B(?=(\d{2})+(?!\d))/g, ",") + "," + tail;
  }
  function figures(paise) {
    var rupees = Math.floor(paise / 100);
    var rest = paise % 100;
    return localDigits("₹" + group(rupees) + "." + (rest < 10 ? "0" : "") + rest);
  }

  function numberWords(n) {  // crore, lakh, thousand, hundred, as core.money._number_words
    if (n === 0) { return words.small[0]; }
    var parts = [];
    var crore = Math.floor(n / 10000000);
    n = n % 10000000;
    if (crore) { parts.push(numberWords(crore) + " " + words.crore); }
    var lakh = Math.floor(n / 100000);
    n = n % 100000;
    if (lakh) { parts.push(words.small[lakh] + " " + words.lakh); }
    var thousand = Math.floor(n / 1000);
    n = n % 1000;
    if (thousand) { parts.push(words.small[thousand] + " " + words.thousand); }
    var hundred = Math.floor(n / 100);
    n = n % 100;
    if (hundred) { parts.push(words.hundreds[hundred]); }
    if (n) { parts.push(words.small[n]); }
    return parts.join(" ");
  }
  function amountWords(paise) {
    var rupees = numberWords(Math.floor(paise / 100));
    var rest = paise % 100;
    if (rest) {
      return words.rupees_paise.replace("{rupees}", rupees).replace("{paise}", numberWords(rest));
    }
    return words.rupees.replace("{rupees}", rupees);
  }

  function echoFor(input) {
    var echo = document.getElementById(input.id + "-echo");
    if (!echo) {
      echo = document.createElement("div");
      echo.id = input.id + "-echo";
      echo.className = "amount-echo";
      echo.setAttribute("aria-live", "polite");
      input.insertAdjacentElement("afterend", echo);
    }
    return echo;
  }
  function show(input, typing) {
    var echo = echoFor(input);
    var text = input.value.trim();
    echo.textContent = "";
    echo.classList.remove("amount-echo-problem");
    var refused = document.getElementById(input.id + "-problem");
    if (typing && refused) { refused.hidden = true; }  // the server's word was on the old value
    if (!text) { return; }
    var parsed = parseRupees(text);
    if (parsed.problem && !typing && refused) { return; }  // the server already says why
    if (parsed.problem) {
      echo.classList.add("amount-echo-problem");
      echo.textContent = config.problems[parsed.problem];
      return;
    }
    var strong = document.createElement("strong");
    strong.className = "amount-figures";
    strong.textContent = figures(parsed.paise);
    var spoken = document.createElement("span");
    spoken.className = "amount-words";
    spoken.textContent = amountWords(parsed.paise);
    echo.appendChild(strong);
    echo.appendChild(document.createTextNode(" · "));
    echo.appendChild(spoken);
  }

  window.sahayataAmount = { parse: parseRupees, words: amountWords, figures: figures };
  var inputs = document.querySelectorAll("input[data-amount]");
  Array.prototype.forEach.call(inputs, function (input) {
    input.addEventListener("input", function () { show(input, true); });
    show(input, false);  // a value kept after a refusal, or restored by Back
  });
})();
