{% raw %}
// groundwork self-check: normalises an answer the way the grader does (src/answer/grade.rs),
// hashes it with Web Crypto and looks it up among the slot's commitments (src/export/selfcheck.rs).
(function () {
  "use strict";
  var SCHEME = "groundwork-selfcheck-1";
  var data = JSON.parse(document.getElementById("gw-data").textContent);
  var slots = {};
  data.forEach(function (s) { slots[s.id] = s; });
  var enc = new TextEncoder();

  function commit(slot, tag, canon) {
    var pre = SCHEME + "\n" + slot.salt + "\n" + slot.id + "\n" + tag + "\n" + canon;
    return crypto.subtle.digest("SHA-256", enc.encode(pre)).then(function (buf) {
      return Array.from(new Uint8Array(buf).slice(0, 16), function (b) {
        return b.toString(16).padStart(2, "0");
      }).join("");
    });
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
      if (c === "," || c === ";" || /\s/.test(c)) continue;
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
          return (await has(letter(p[0]))) ? res("correct", 1, "Correct.") : res("wrong", 0, "Option " + letter(p[0]) + " is not right.");
        }
        case "multi": {
          var picks = parseLetters(t, slot.options), right = [];
          for (var i = 0; i < slot.options; i++) {
            if ((await commit(slot, "option " + letter(i), "1")) === slot.parts[i]) right.push(i);
          }
          var hits = picks.filter(function (k) { return right.indexOf(k) >= 0; }).length;
          var wrong = picks.filter(function (k) { return right.indexOf(k) < 0; });
          if (hits === right.length && wrong.length === 0) return res("correct", 1, "Correct.");
          var notes = wrong.map(function (k) { return letter(k) + " is not right"; });
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
  // The same function the buttons use, for scripts and the browser tests.
  window.groundworkGrade = function (id, input) { return grade(slots[id], input); };

  function typed(id) {
    var el = document.getElementById("in-" + id);
    if (el.tagName === "INPUT") return el.value;
    return Array.from(el.querySelectorAll("input:checked"), function (x) { return x.value; }).join(",");
  }

  var MARK = { correct: "\u2713 ", partial: "\u25d0 ", wrong: "\u2717 ", invalid: "? " };
  async function checkSlot(id) {
    var r = await grade(slots[id], typed(id));
    var fb = document.getElementById("fb-" + id);
    fb.className = "feedback " + r.outcome;
    fb.dataset.outcome = r.outcome;
    fb.textContent = MARK[r.outcome] + r.text;
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
  document.getElementById("check-all").addEventListener("click", async function () {
    var total = 0, right = 0;
    for (var i = 0; i < data.length; i++) {
      var r = await checkSlot(data[i].id);
      total += r.score;
      if (r.outcome === "correct") right += 1;
    }
    document.getElementById("score").textContent =
      right + " of " + data.length + " answers correct; score " + (Math.round(total * 10) / 10) + " of " + data.length + ".";
  });
})();
{% endraw %}
