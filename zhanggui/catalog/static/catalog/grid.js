// The colour × size grid builder of the new-product page (PROD-1).
// Colours and sizes are typed as text; the table below shows every SKU at once. Empty money boxes take the
// defaults above them (shown as grey placeholders); what the user types in a cell is kept while the grid changes.
(function () {
  "use strict";
  const T = window.ZG_GRID_TEXT || {};
  const $ = (id) => document.getElementById(id);
  const colours = $("id_colours"), sizes = $("id_sizes"), style = $("id_style_code");
  const body = document.querySelector("#sku-grid tbody");
  const FIELDS = ["cost", "list_price", "vip_price", "weight"];
  const cells = new Map(); // "colour|size" → {code, codeEdited, barcode, cost, …}
  const split = (text) => {
    const seen = new Set();
    return text.split(/[\s,，、;；/]+/).map((v) => v.trim()).filter((v) => v && !seen.has(v) && seen.add(v));
  };
  const autoCode = (c, s) => [style.value.trim(), c, s].filter(Boolean).join("-");
  const key = (c, s) => c + "\u0001" + s;

  const state = JSON.parse($("grid-state").textContent || "{}");
  (state.rows || []).forEach((r) => {
    const cell = { ...r, codeEdited: !!r.code && r.code !== [state.styleCode, r.colour, r.size].filter(Boolean).join("-") };
    cells.set(key(r.colour, r.size), cell);
  });

  function chips(el, values) {
    el.replaceChildren(...values.map((v) => {
      const b = document.createElement("span");
      b.className = "badge text-bg-light border";
      b.textContent = v;
      return b;
    }));
  }

  function input(name, value, cls, placeholder) {
    const el = document.createElement("input");
    el.name = name;
    el.value = value == null ? "" : value;
    el.className = "form-control form-control-sm " + cls;
    if (placeholder) el.placeholder = placeholder;
    el.autocomplete = "off";
    return el;
  }

  function render() {
    const cs = split(colours.value), ss = split(sizes.value);
    chips($("colour-chips"), cs);
    chips($("size-chips"), ss);
    const rows = [];
    (cs.length ? cs : [""]).forEach((c) => (ss.length ? ss : [""]).forEach((s) => rows.push([c, s])));
    const empty = !cs.length && !ss.length;
    $("grid-empty").classList.toggle("d-none", !empty);
    $("grid-count").textContent = empty ? "" : `${cs.length || 1} × ${ss.length || 1} = ${rows.length} ${T.skus || "SKU"}`;
    const defaults = Object.fromEntries(FIELDS.map((f) => [f, $("id_" + f).value.trim()]));
    const focused = document.activeElement && document.activeElement.name;
    body.replaceChildren();
    if (empty) return;
    rows.forEach(([c, s], n) => {
      const k = key(c, s);
      if (!cells.has(k)) cells.set(k, {});
      const cell = cells.get(k);
      const tr = document.createElement("tr");
      tr.dataset.colour = c;
      tr.dataset.size = s;
      const td = (child, cls) => { const d = document.createElement("td"); if (cls) d.className = cls; if (typeof child === "string") d.textContent = child; else d.append(child); tr.append(d); return d; };
      const hc = input(`row-${n}-colour`, c, ""); hc.type = "hidden";
      const hs = input(`row-${n}-size`, s, ""); hs.type = "hidden";
      td(c || "—").append(hc);
      td(s || "—").append(hs);
      const code = input(`row-${n}-code`, cell.codeEdited ? cell.code : autoCode(c, s), "w-code");
      code.addEventListener("input", () => { cell.code = code.value; cell.codeEdited = code.value.trim() !== "" && code.value !== autoCode(c, s); });
      td(code);
      const barcode = input(`row-${n}-barcode`, cell.barcode, "w-barcode");
      barcode.addEventListener("input", () => (cell.barcode = barcode.value));
      td(barcode);
      FIELDS.forEach((f) => {
        const el = input(`row-${n}-${f}`, cell[f], (f === "weight" ? "w-weight" : "w-money") + " num", defaults[f]);
        el.inputMode = "decimal";
        el.addEventListener("input", () => (cell[f] = el.value));
        td(el);
      });
      const copy = document.createElement("button");
      copy.type = "button";
      copy.className = "btn btn-sm btn-link p-0";
      copy.title = T.sameRow || "copy down";
      copy.innerHTML = '<i class="fa-solid fa-angles-down"></i>';
      copy.tabIndex = -1;
      copy.addEventListener("click", () => {
        rows.slice(n + 1).forEach(([c2, s2]) => {
          const other = cells.get(key(c2, s2)) || {};
          FIELDS.forEach((f) => (other[f] = cell[f]));
          cells.set(key(c2, s2), other);
        });
        render();
      });
      td(copy);
      body.append(tr);
    });
    if (focused) {
      const again = document.querySelector(`[name="${focused}"]`);
      if (again && again !== document.activeElement && focused.startsWith("row-")) again.focus();
    }
    markup();
  }

  function markup() {
    const cost = parseFloat($("id_cost").value), price = parseFloat($("id_list_price").value);
    $("markup").textContent = cost > 0 && price > 0 ? `${T.markup || ""} ${(price / cost).toFixed(2)}×` : "";
  }

  [colours, sizes].forEach((el) => {
    el.addEventListener("input", render);
    el.addEventListener("keydown", (e) => {
      // Enter completes the list and moves on instead of submitting the form half-built.
      if (e.key === "Enter") { e.preventDefault(); (el === colours ? sizes : $("id_cost")).focus(); }
    });
  });
  style && style.addEventListener("input", render);
  FIELDS.forEach((f) => {
    const el = $("id_" + f);
    el.addEventListener("input", () => { document.querySelectorAll(`#sku-grid input[name$="-${f}"]`).forEach((i) => (i.placeholder = el.value.trim())); markup(); });
    el.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); $("apply-all").click(); } });
  });
  document.querySelectorAll("[data-sizes]").forEach((b) => b.addEventListener("click", () => { sizes.value = b.dataset.sizes; render(); sizes.focus(); }));
  $("apply-all").addEventListener("click", () => {
    cells.forEach((cell) => FIELDS.forEach((f) => { const v = $("id_" + f).value.trim(); if (v) cell[f] = v; }));
    render();
  });

  render();
  const err = $("grid-error");
  if (err && err.dataset.field) {
    const bad = document.querySelector(`[name="${err.dataset.field}"]`) || document.querySelector(`#sku-grid input[name$="-${err.dataset.field}"]`);
    if (bad) { bad.classList.add("is-invalid"); bad.focus(); }
  }
})();
