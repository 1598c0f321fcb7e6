{% raw %}
// groundwork self-check: normalises an answer the way the grader does (src/answer/grade.rs),
// hashes it with Web Crypto and looks it up among the slot's commitments (src/export/selfcheck.rs).
(function () {
  "use strict";
  var SCHEME = "groundwork-selfcheck-1";
  var dataEl = document.getElementById("gw-data");
  var data = JSON.parse(dataEl.textContent);
  var PACK = dataEl.dataset.pack, TOTAL = Number(dataEl.dataset.total);
  var slots = {};
  data.forEach(function (s) { slots[s.id] = s; });
  var enc = new TextEncoder();

  function sha256(pre) {
    return crypto.subtle.digest("SHA-256", enc.encode(pre)).then(function (buf) { return new Uint8Array(buf); });
  }

  function commit(slot, tag, canon) {
    return sha256(SCHEME + "\n" + slot.salt + "\n" + slot.id + "\n" + tag + "\n" + canon).then(function (d) {
      return Array.from(d.slice(0, 16), function (b) { return b.toString(16).padStart(2, "0"); }).join("");
    });
  }

  // The misconception behind option k: its ciphertext XORed with the key stream of
  // src/export/selfcheck.rs (SHA-256 blocks over scheme, salt, slot, "feedback L", block number),
  // zero padding removed. Empty when the option has no feedback.
  async function misconception(slot, k) {
    var hex = (slot.why || [])[k];
    if (!hex) return "";
    var n = hex.length / 2, out = new Uint8Array(n);
    for (var b = 0; b * 32 < n; b++) {
      var key = await sha256(SCHEME + "\n" + slot.salt + "\n" + slot.id + "\nfeedback " + letter(k) + "\n" + b);
      for (var j = 0; j < 32 && b * 32 + j < n; j++) {
        out[b * 32 + j] = parseInt(hex.substr(2 * (b * 32 + j), 2), 16) ^ key[j];
      }
    }
    var end = n;
    while (end > 0 && out[end - 1] === 0) end--;
    return new TextDecoder().decode(out.slice(0, end));
  }

  function Unreadable(reason) { this.reason = reason; }
  var I64_MAX = BigInt("9223372036854775807");

  function parseInteger(s) {
    var t = s.trim(), neg = false, body = t;
    if (t.charAt(0) === "-") { neg = true; body = t.slice(1); }
    else if (t.charAt(0) === "+") { body = t.slice(1); }
    var v;
    if (/^0[xX]/.test(body)) {
      var h = body.slice(2).replace(/_/g, "");
      if (!/^[0-9a-fA-F]+$/.test(h)) throw new Unreadable("`" + t + "` is not a hex integer");
      v = BigInt("0x" + h);
      if (v > I64_MAX) throw new Unreadable("`" + t + "` is not a hex integer");
    } else {
      var digits = body.replace(/[_,]/g, "");
      if (!/^[0-9]+$/.test(digits)) throw new Unreadable("`" + t + "` is not a whole number");
      v = BigInt(digits);
      if (v > I64_MAX) throw new Unreadable("`" + t + "` is too large");
    }
    return (neg ? -v : v).toString();
  }

  function plainNumber(x, shown) {
    var t = x.trim();
    if (/^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(t)) return Number(t);
    if (/^[+-]?(inf|infinity|nan)$/i.test(t)) return NaN;
    throw new Unreadable("`" + shown + "` is not a number");
  }

  function parseReal(s) {
    var shown = s.trim(), t = shown.replace(/_/g, ""), v;
    if (t.slice(-1) === "%") {
      v = plainNumber(t.slice(0, -1), shown) / 100;
    } else if (t.indexOf("/") >= 0) {
      var i = t.indexOf("/");
      var a = plainNumber(t.slice(0, i), shown), b = plainNumber(t.slice(i + 1), shown);
      if (b === 0) throw new Unreadable("`" + shown + "` divides by zero");
      v = a / b;
    } else {
      v = plainNumber(t, shown);
    }
    if (!isFinite(v)) throw new Unreadable("`" + shown + "` is not a finite number");
    return v;
  }

  function asciiUpper(s) { return s.replace(/[a-z]/g, function (c) { return c.toUpperCase(); }); }

  function canon(norm, raw) {
    var t = raw.trim();
    switch (norm) {
      case "exact": return t;
      case "loose": return t.split(/\s+/).filter(Boolean).join(" ").toLowerCase();
      case "errno": {
        var u = asciiUpper(t.replace(/^-+/, ""));
        if (u === "0" || u === "OK" || u === "SUCCESS" || u === "NONE") return "OK";
        if (u.length >= 2 && u.charAt(0) === "E" && /^[A-Z0-9]+$/.test(u)) return u;
        throw new Unreadable("`" + t + "` is not an errno name");
      }
      case "integer": return parseInteger(t);
    }
    throw new Unreadable("unknown normalisation");
  }

  function parseLetters(s, n) {
    var picks = [];
    for (var i = 0; i < s.length; i++) {
      var c = s.charAt(i);
      // `(D)`, `D.` and `D)` are how people write a letter on paper.
      if (c === "," || c === ";" || c === "(" || c === ")" || c === "." || /\s/.test(c)) continue;
      if (!/^[A-Za-z]$/.test(c)) throw new Unreadable("`" + c + "` is not an option letter");
      var k = asciiUpper(c).charCodeAt(0) - 65;
      if (k >= n) throw new Unreadable("there is no option " + asciiUpper(c));
      if (picks.indexOf(k) < 0) picks.push(k);
    }
    return picks.sort(function (a, b) { return a - b; });
  }

  function letter(i) { return String.fromCharCode(65 + i); }

  function gridValue(v, e) {
    var k = e < 0 ? Math.round(v * Number("1e" + (-e))) : Math.round(v / Number("1e" + e));
    if (!Number.isSafeInteger(k)) return null;
    return (k === 0 ? 0 : k) + "e" + e;
  }

  // Grades one answer: resolves to {outcome, score, text}. outcome is correct, partial, wrong or invalid.
  async function grade(slot, input) {
    var res = function (outcome, score, text) { return { outcome: outcome, score: score, text: text }; };
    var t = input.trim();
    if (t === "") return res("invalid", 0, "The answer is empty: write " + slot.format + ".");
    var has = async function (canonical) {
      return slot.accept.indexOf(await commit(slot, "answer", canonical)) >= 0;
    };
    try {
      switch (slot.kind) {
        case "integer": {
          var n = parseInteger(t);
          return (await has(n)) ? res("correct", 1, "Correct.") : res("wrong", 0, n + " is not the expected value.");
        }
        case "real": {
          var v = parseReal(t), g = gridValue(v, slot.exp);
          return g !== null && (await has(g)) ? res("correct", 1, "Correct.")
            : res("wrong", 0, v + " is not within the tolerance (" + slot.format + ").");
        }
        case "hex": {
          var h = t;
          while (h.indexOf("0x") === 0) h = h.slice(2);
          while (h.indexOf("0X") === 0) h = h.slice(2);
          h = h.toLowerCase();
          if (!/^[0-9a-f]+$/.test(h)) throw new Unreadable("`" + t + "` is not hexadecimal");
          return (await has(h)) ? res("correct", 1, "Correct.")
            : res("wrong", 0, "The digits differ from the reference (" + slot.format + ").");
        }
        case "text": {
          var c = canon(slot.norm, t);
          return (await has(c)) ? res("correct", 1, "Correct.") : res("wrong", 0, "`" + t + "` is not the expected answer.");
        }
        case "choice": {
          var p = parseLetters(t, slot.options);
          if (p.length !== 1) throw new Unreadable("this question takes exactly one letter");
          if (await has(letter(p[0]))) return res("correct", 1, "Correct.");
          var why = await misconception(slot, p[0]);
          return res("wrong", 0, "Option " + letter(p[0]) + " is not right" + (why ? ": " + why : "."));
        }
        case "multi": {
          var picks = parseLetters(t, slot.options), right = [];
          for (var i = 0; i < slot.options; i++) {
            if ((await commit(slot, "option " + letter(i), "1")) === slot.parts[i]) right.push(i);
          }
          var hits = picks.filter(function (k) { return right.indexOf(k) >= 0; }).length;
          var wrong = picks.filter(function (k) { return right.indexOf(k) < 0; });
          if (hits === right.length && wrong.length === 0) return res("correct", 1, "Correct.");
          var notes = [];
          for (var w = 0; w < wrong.length; w++) {
            var whyw = await misconception(slot, wrong[w]);
            notes.push(letter(wrong[w]) + " is not right" + (whyw ? ": " + whyw.replace(/\.$/, "") : ""));
          }
          if (hits < right.length) notes.push(hits + " of " + right.length + " right options picked");
          var score = slot.rule === "right_minus_wrong" ? Math.max(0, (hits - wrong.length) / Math.max(1, right.length)) : 0;
          return score > 0 ? res("partial", score, "Partial credit (" + Math.round(score * 100) + "%, right minus wrong picks): " + notes.join("; ") + ".")
            : res("wrong", 0, notes.join("; ") + ".");
        }
        case "sequence": {
          var items = t.split(/[,;]/).map(function (x) { return x.trim(); }).filter(Boolean);
          if (items.length === 1 && slot.parts.length > 1) items = t.split(/\s+/).filter(Boolean);
          var got = [];
          for (var j = 0; j < items.length; j++) {
            try { got.push(canon(slot.norm, items[j])); }
            catch (e) { if (e instanceof Unreadable) throw new Unreadable("item " + (j + 1) + ": " + e.reason); throw e; }
          }
          if (await has(got.join(","))) return res("correct", 1, "Correct.");
          if (got.length !== slot.parts.length) return res("wrong", 0, "Expected " + slot.parts.length + " items, got " + got.length + ".");
          for (var m = 0; m < got.length; m++) {
            if ((await commit(slot, "item " + (m + 1), got[m])) !== slot.parts[m]) return res("wrong", 0, "Item " + (m + 1) + " differs.");
          }
          return res("wrong", 0, "The sequence differs.");
        }
      }
      return res("invalid", 0, "This page cannot check this kind of answer.");
    } catch (e) {
      if (e instanceof Unreadable) return res("invalid", 0, "Can't read this answer: " + e.reason + ". Write " + slot.format + ".");
      throw e;
    }
  }
  // Unit words, read as grade_slot reads them (src/answer/grade.rs): `12 ms`, `245 times`.
  var UNITS = JSON.parse(document.getElementById("gw-units").textContent);
  var ALPHA = /\p{Alphabetic}/u;
  function stem(w) {
    w = w.toLowerCase();
    return w.slice(-1) === "s" && Array.from(w).length - 1 >= 3 ? w.slice(0, -1) : w;
  }
  function splitUnit(t) {
    var chars = Array.from(t), k = chars.length;
    while (k > 0 && (ALPHA.test(chars[k - 1]) || chars[k - 1] === "/" || chars[k - 1] === ".")) k--;
    if (k === chars.length) return null;
    var number = chars.slice(0, k).join("").trim();
    var word = chars.slice(k).join("").replace(/^[\/.]+/, "").replace(/\.+$/, "");
    if (number === "" || word === "" || !ALPHA.test(Array.from(word)[0])) return null;
    return [number, word];
  }
  function unitMatches(slot, word) {
    var w = word.toLowerCase();
    var sameUnit = function (u) {
      u = u.toLowerCase();
      return u === w || UNITS.synonyms.some(function (g) { return g.indexOf(u) >= 0 && g.indexOf(w) >= 0; });
    };
    if (slot.unit && (sameUnit(slot.unit) || stem(slot.unit) === stem(w))) return true;
    if (UNITS.not_units.indexOf(w) >= 0 || Array.from(w).length < 2) return false;
    return (slot.ask || "").split(/[^\p{Alphabetic}\p{N}]/u).some(function (a) {
      return a !== "" && UNITS.not_units.indexOf(a.toLowerCase()) < 0 && stem(a) === stem(w);
    });
  }
  async function gradeSlot(slot, input) {
    var t = input.trim();
    if (slot.kind !== "integer" && slot.kind !== "real") return grade(slot, t);
    var reads = function (s) {
      try {
        if (slot.kind === "integer") parseInteger(s); else parseReal(s);
        return true;
      } catch (e) {
        if (e instanceof Unreadable) return false;
        throw e;
      }
    };
    if (reads(t)) return grade(slot, t);
    var split = splitUnit(t);
    if (split === null || !reads(split[0])) return grade(slot, t);
    if (unitMatches(slot, split[1])) return grade(slot, split[0]);
    return { outcome: "invalid", score: 0, text: "Can't read this answer: `" + split[1] + "` is not this answer's unit" +
      (slot.unit ? " (it is in " + slot.unit + ")" : "") + ". Write the number alone." };
  }

  // The same function the buttons use, for scripts and the browser tests.
  window.groundworkGrade = function (id, input) { return gradeSlot(slots[id], input); };

  function typed(id) {
    var el = document.getElementById("in-" + id);
    if (el.tagName === "INPUT") return el.value;
    return Array.from(el.querySelectorAll("input:checked"), function (x) { return x.value; }).join(",");
  }

  function setTyped(id, value) {
    var el = document.getElementById("in-" + id);
    if (el.tagName === "INPUT") { el.value = value; return; }
    var picks = value.split(",");
    el.querySelectorAll("input").forEach(function (x) { x.checked = picks.indexOf(x.value) >= 0; });
  }

  var MARK = { correct: "\u2713 ", partial: "\u25d0 ", wrong: "\u2717 ", invalid: "? ", unanswered: "\u2013 " };
  function show(id, r) {
    var fb = document.getElementById("fb-" + id);
    fb.className = "feedback " + r.outcome;
    fb.dataset.outcome = r.outcome;
    fb.textContent = MARK[r.outcome] + r.text;
  }
  async function checkSlot(id) {
    var r = await gradeSlot(slots[id], typed(id));
    show(id, r);
    return r;
  }
  async function checkQuestion(n) {
    var parts = document.querySelectorAll("#q" + n + " .part");
    var out = [];
    for (var i = 0; i < parts.length; i++) out.push(await checkSlot(parts[i].dataset.slot));
    return out;
  }
  document.querySelectorAll("button.check").forEach(function (b) {
    b.addEventListener("click", function () { checkQuestion(b.dataset.question); });
  });
  document.querySelectorAll("input.answer-input").forEach(function (el) {
    el.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter") checkSlot(el.id.slice(3));
    });
  });

  // Points as `groundwork check` counts them (src/report.rs): a part earns its share of the
  // question's points times its score, rounded to 2 decimals; the total is rounded again. An
  // empty box is unanswered, like a missing line in an answers file.
  function round2(x) { return Math.round(x * 100) / 100; }
  function num(x) { return x.toFixed(2).replace(/0+$/, "").replace(/\.$/, ""); }
  // One decimal as `check` prints it (Rust's formatting): an exact tie such as 1.25 goes to the
  // even digit, where toFixed would round it up. Ties are exactly the odd multiples of 1/4.
  function fixed1(x) {
    var q = x * 4;
    if (Number.isInteger(q) && q % 2 !== 0) {
      var n = Math.floor(x * 10);
      if (n % 2 !== 0) n += 1;
      return (n / 10).toFixed(1);
    }
    return x.toFixed(1);
  }
  document.getElementById("check-all").addEventListener("click", async function () {
    var score = 0, counts = { correct: 0, partial: 0, wrong: 0, invalid: 0, unanswered: 0 };
    for (var i = 0; i < data.length; i++) {
      var s = data[i], r;
      if (typed(s.id).trim() === "") {
        r = { outcome: "unanswered", score: 0, text: "No answer given." };
        show(s.id, r);
      } else {
        r = await checkSlot(s.id);
      }
      counts[r.outcome] += 1;
      score += round2(s.share * r.score);
    }
    score = round2(score);
    var pct = TOTAL > 0 ? fixed1(100 * score / TOTAL) : "0.0";
    document.getElementById("score").textContent =
      "Score: " + num(score) + " of " + TOTAL + " points (" + pct + "%) \u00b7 " + counts.correct + " correct, " +
      counts.partial + " partial, " + counts.wrong + " wrong, " + counts.invalid + " invalid, " +
      counts.unanswered + " unanswered";
  });

  // Answers survive a reload: kept in localStorage under the pack code, with the timer.
  var KEY = "groundwork-selfcheck:" + PACK;
  function load() {
    try { return JSON.parse(localStorage.getItem(KEY) || "{}") || {}; } catch (e) { return {}; }
  }
  function save() {
    try { localStorage.setItem(KEY, JSON.stringify(state)); } catch (e) { /* storage off: nothing kept */ }
  }
  var state = load();
  if (typeof state.answers !== "object" || state.answers === null) state.answers = {};
  data.forEach(function (s) {
    if (typeof state.answers[s.id] === "string") setTyped(s.id, state.answers[s.id]);
  });
  function remember(ev) {
    var part = ev.target.closest && ev.target.closest(".part");
    if (!part) return;
    state.answers[part.dataset.slot] = typed(part.dataset.slot);
    save();
  }
  document.addEventListener("input", remember);
  document.addEventListener("change", remember);

  // The optional timer: the candidate starts and stops it; it keeps running across a reload.
  var timerButton = document.getElementById("timer-toggle"), timerShown = document.getElementById("timer");
  var tick = null;
  function elapsed() {
    var t = state.timer;
    if (!t) return 0;
    return Math.max(0, (t.stopped || Date.now()) - t.start);
  }
  function showTimer() {
    var s = Math.floor(elapsed() / 1000);
    timerShown.textContent = String(Math.floor(s / 60)).padStart(2, "0") + ":" + String(s % 60).padStart(2, "0");
    var running = !!(state.timer && !state.timer.stopped);
    timerButton.textContent = running ? "Stop timer" : state.timer ? "Resume timer" : "Start timer";
    timerShown.hidden = !state.timer;
    if (running && tick === null) tick = setInterval(showTimer, 1000);
    if (!running && tick !== null) { clearInterval(tick); tick = null; }
  }
  timerButton.addEventListener("click", function () {
    var now = Date.now();
    if (state.timer && !state.timer.stopped) state.timer.stopped = now;
    else state.timer = { start: now - elapsed(), stopped: null };
    save();
    showTimer();
  });
  showTimer();

  document.getElementById("clear").addEventListener("click", function () {
    try { localStorage.removeItem(KEY); } catch (e) { /* nothing was kept */ }
    state = { answers: {} };
    data.forEach(function (s) {
      setTyped(s.id, "");
      var fb = document.getElementById("fb-" + s.id);
      fb.className = "feedback";
      fb.dataset.outcome = "";
      fb.textContent = "";
    });
    document.getElementById("score").textContent = "";
    showTimer();
  });
})();
{% endraw %}
