// The catalogue's filters and spec builder. Plain JavaScript, no network: everything it needs is
// in the page's data attributes.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const cards = Array.from(document.querySelectorAll("article.family"));
  const DIFFS = ["easy", "medium", "hard"];

  function filter() {
    const topic = $("f-topic").value;
    const tag = $("f-tag").value;
    const text = $("f-text").value.trim().toLowerCase();
    const paper = $("f-paper").checked;
    const pd = $("f-paper-difficulty").value;
    let shown = 0;
    for (const c of cards) {
      const ok =
        (!topic || c.dataset.topic === topic) &&
        (!tag || c.dataset.tags.split(" ").includes(tag)) &&
        (!text || c.dataset.text.includes(text)) &&
        (!paper || c.dataset.paper.split(" ").includes(pd));
      c.hidden = !ok;
      if (ok) shown++;
    }
    $("shown").textContent = String(shown);
  }

  // TOML string: a basic string with the characters TOML requires escaped.
  function tomlString(s) {
    return '"' + s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/[\u0000-\u001f\u007f]/g,
      (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0")) + '"';
  }

  function picks() {
    const out = [];
    for (const c of cards) {
      const box = c.querySelector("input.add");
      if (!box.checked) continue;
      const difficulty = c.querySelector("select.difficulty").value;
      let count = parseInt(c.querySelector("input.count").value, 10);
      if (!Number.isFinite(count) || count < 1) count = 1;
      if (count > 5) count = 5;
      let minutes = 0;
      try {
        const per = JSON.parse(c.dataset.minutes || "[]");
        for (const m of per) minutes = Math.max(minutes, m[DIFFS.indexOf(difficulty)] || 0);
      } catch (e) { minutes = 0; }
      const paperOk = c.dataset.paper.split(" ").includes(difficulty);
      out.push({ id: c.dataset.id, difficulty, count, minutes, paperOk });
    }
    return out;
  }

  function build() {
    const seed = Math.max(0, parseInt($("s-seed").value, 10) || 0);
    const lines = [
      "title = " + tomlString($("s-title").value || "Backend fundamentals"),
      "seed = " + seed,
      "duration = " + tomlString($("s-duration").value || "60 minutes"),
    ];
    if ($("s-paper").checked) lines.push("paper = true");
    let minutes = 0;
    const chosen = picks();
    for (const p of chosen) {
      lines.push("", "[[section]]", "families = [" + tomlString(p.id) + "]",
        "difficulty = " + tomlString(p.difficulty), "count = " + p.count);
      if (p.count > 1) lines.push("repeat = true");
      minutes += p.minutes * p.count;
    }
    if (chosen.length === 0) lines.push("", "# Tick \"add to spec\" on the families you want.");
    $("s-out").value = lines.join("\n") + "\n";
    const clash = $("s-paper").checked ? chosen.filter((p) => !p.paperOk) : [];
    $("s-warn").textContent = clash.length === 0 ? "" :
      clash.map((p) => p.id + " needs a computer at " + p.difficulty).join("; ") +
      ": pick another difficulty, or untick \"paper only\".";
    $("s-minutes").textContent = String(minutes);
  }

  function copy() {
    const text = $("s-out").value;
    const fallback = () => { $("s-out").select(); document.execCommand("copy"); };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).catch(fallback);
    } else {
      fallback();
    }
  }

  function download() {
    const blob = new Blob([$("s-out").value], { type: "application/toml" });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = "spec.toml";
    document.body.appendChild(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 0);
  }

  for (const id of ["f-topic", "f-tag", "f-text", "f-paper", "f-paper-difficulty"]) {
    $(id).addEventListener("input", filter);
    $(id).addEventListener("change", filter);
  }
  for (const id of ["s-title", "s-seed", "s-duration", "s-paper"]) {
    $(id).addEventListener("input", build);
    $(id).addEventListener("change", build);
  }
  for (const c of cards) {
    for (const el of c.querySelectorAll("input.add, select.difficulty, input.count")) {
      el.addEventListener("input", build);
      el.addEventListener("change", build);
    }
  }
  $("s-copy").addEventListener("click", copy);
  $("s-download").addEventListener("click", download);
  $("s-clear").addEventListener("click", () => {
    for (const b of document.querySelectorAll("input.add")) b.checked = false;
    build();
  });
  filter();
  build();
  window.groundworkCatalog = { filter, build };
})();
