// The front end of surveylab.ui.grid.DataGrid: one page of rows as an HTML table.
// Click a row (or move with the arrow keys and press Enter) to choose it; click a sortable
// column head (a button: Enter works too) to sort by it. The rows themselves come from the
// kernel, which reads them from the database in the order and page asked for.

function render({ model, el }) {
  const table = document.createElement("table");
  table.className = "sl-grid";
  table.setAttribute("role", "grid");
  table.tabIndex = 0;
  el.appendChild(table);
  let active = -1; // the row the arrow keys are on

  function choose(id) {
    if (id && id !== model.get("selected")) {
      model.set("selected", id);
      model.save_changes();
    }
  }

  function sortBy(key) {
    if (model.get("sort_key") === key) {
      model.set("sort_descending", !model.get("sort_descending"));
    } else {
      model.set("sort_key", key);
      model.set("sort_descending", false);
    }
    model.save_changes();
  }

  function markActive() {
    const trs = table.tBodies[0] ? table.tBodies[0].rows : [];
    for (let i = 0; i < trs.length; i++) {
      trs[i].classList.toggle("sl-grid-active", i === active);
    }
    if (active >= 0 && trs[active]) {
      trs[active].scrollIntoView({ block: "nearest" });
    }
  }

  function draw() {
    const columns = model.get("columns");
    const rows = model.get("rows");
    const selected = model.get("selected");
    const sortKey = model.get("sort_key");
    const descending = model.get("sort_descending");
    table.setAttribute("aria-label", model.get("label") || "table");
    table.replaceChildren();
    const head = table.createTHead().insertRow();
    for (const c of columns) {
      const th = document.createElement("th");
      th.className = c.align === "r" ? "r" : "l";
      th.dataset.key = c.key;
      if (c.key === sortKey) {
        th.setAttribute("aria-sort", descending ? "descending" : "ascending");
      }
      if (c.sortable) {
        const b = document.createElement("button");
        b.type = "button";
        b.className = "sl-grid-sort";
        b.title = `Sort by ${c.label}`;
        b.textContent = c.label;
        const arrow = document.createElement("span");
        arrow.className = "sl-grid-arrow";
        arrow.textContent = c.key === sortKey ? (descending ? " \u25bc" : " \u25b2") : "";
        b.appendChild(arrow);
        b.addEventListener("click", (e) => {
          e.stopPropagation();
          sortBy(c.key);
        });
        th.appendChild(b);
      } else {
        th.textContent = c.label;
      }
      head.appendChild(th);
    }
    const body = table.createTBody();
    if (rows.length === 0) {
      const td = body.insertRow().insertCell();
      td.colSpan = Math.max(1, columns.length);
      td.className = "sl-grid-empty";
      td.textContent = model.get("empty_text");
    }
    rows.forEach((r, i) => {
      const tr = body.insertRow();
      tr.dataset.id = r.id;
      tr.setAttribute("aria-selected", r.id === selected ? "true" : "false");
      if (r.id === selected) {
        tr.classList.add("sl-grid-selected");
      }
      for (const c of columns) {
        const td = tr.insertCell();
        td.className = c.align === "r" ? "r" : "l";
        td.textContent = r[c.key] === undefined || r[c.key] === null ? "" : String(r[c.key]);
      }
    });
    if (active >= rows.length) {
      active = rows.length - 1;
    }
    markActive();
  }

  table.addEventListener("click", (e) => {
    const tr = e.target.closest("tbody tr[data-id]");
    if (tr) {
      active = tr.sectionRowIndex;
      markActive();
      choose(tr.dataset.id);
    }
  });

  table.addEventListener("keydown", (e) => {
    if (e.target.closest("button")) {
      return; // a column head's button handles its own Enter and Space
    }
    const n = model.get("rows").length;
    if (n === 0) {
      return;
    }
    if (active < 0) {
      const rows = model.get("rows");
      active = Math.max(0, rows.findIndex((r) => r.id === model.get("selected")));
    } else if (e.key === "ArrowDown") {
      active = Math.min(n - 1, active + 1);
    } else if (e.key === "ArrowUp") {
      active = Math.max(0, active - 1);
    }
    if (e.key === "Home") {
      active = 0;
    } else if (e.key === "End") {
      active = n - 1;
    }
    if (["ArrowDown", "ArrowUp", "Home", "End"].includes(e.key)) {
      e.preventDefault();
      markActive();
    } else if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      markActive();
      choose(model.get("rows")[active].id);
    }
  });

  const events = "change:columns change:rows change:selected change:sort_key change:sort_descending";
  model.on(events, draw);
  draw();
  return () => model.off(events, draw);
}

export default { render };
