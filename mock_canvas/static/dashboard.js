// mock_canvas dashboard: sends the page's actions to the control API (the same calls the
// tests use) and keeps the request journal live. The control token, when the server has
// one, lives in this tab's sessionStorage and goes out as a Bearer header only.
"use strict";
(() => {
  const KEY = "mock-canvas-control-token";
  const body = document.body;
  const $ = (sel, root = document) => root.querySelector(sel);

  if (body.dataset.page === "login") {
    sessionStorage.removeItem(KEY);
    $("#login").addEventListener("submit", () => sessionStorage.setItem(KEY, $("#token").value.trim()));
    return;
  }

  const base = new URL(body.dataset.base, location.href);
  const auth = $("#auth");

  async function call(method, path, payload, type) {
    const headers = {};
    const token = sessionStorage.getItem(KEY);
    if (token) headers.Authorization = "Bearer " + token;
    if (payload !== undefined) headers["Content-Type"] = type || "application/json";
    if (typeof payload === "object" && !(payload instanceof ArrayBuffer)) payload = JSON.stringify(payload);
    let response;
    try {
      response = await fetch(new URL(path, base), { method, headers, body: payload, credentials: "omit" });
    } catch (err) {
      return { ok: false, status: 0, message: "The mock did not answer (" + err.message + ")." };
    }
    let data = null;
    if ((response.headers.get("Content-Type") || "").includes("json")) data = await response.json().catch(() => null);
    if (response.status === 401 && body.dataset.token === "1") auth.hidden = false;
    const errors = data && Array.isArray(data.errors) ? data.errors.map((e) => e && e.message).filter(Boolean) : [];
    const message = errors.length ? errors.join("\n") : response.ok ? "" : "HTTP " + response.status;
    return { ok: response.ok, status: response.status, data, message };
  }

  function flash(text, bad) {
    const box = $("#flash");
    box.textContent = text;
    box.classList.toggle("bad", !!bad);
    box.hidden = !text;
    if (bad) box.scrollIntoView({ block: "nearest" });
  }
  const saved = sessionStorage.getItem("mock-canvas-flash");
  if (saved) { sessionStorage.removeItem("mock-canvas-flash"); flash(saved); }

  function done(result, okText, errBox) {
    if (result.ok) {
      sessionStorage.setItem("mock-canvas-flash", okText || "Done.");
      location.reload();
      return;
    }
    if (errBox) { errBox.textContent = result.message; errBox.hidden = false; }
    else flash(result.message, true);
  }

  function utc(value) { // a datetime-local value, read as UTC
    return value.length === 16 ? value + ":00Z" : value + "Z";
  }

  function formBody(form) {
    const out = {};
    for (const el of form.elements) {
      if (!el.name) continue;
      if (el.value === "") { if (el.hasAttribute("data-null")) out[el.name] = null; continue; }
      if (el.hasAttribute("data-int")) out[el.name] = Number(el.value);
      else if (el.type === "datetime-local") out[el.name] = utc(el.value);
      else out[el.name] = el.value;
    }
    if (form.dataset.kind === "advance") return { advance_seconds: Number(out.amount) * Number(out.unit) };
    return out;
  }

  async function run(el, method, path, payload, okText, errBox) {
    if (el.dataset.confirm && !confirm(el.dataset.confirm)) return;
    el.disabled = true;
    if (errBox) errBox.hidden = true;
    const result = await call(method, path, payload);
    el.disabled = false;
    done(result, okText, errBox);
  }

  document.addEventListener("submit", (ev) => {
    const form = ev.target;
    if (!form.classList.contains("act")) return;
    ev.preventDefault();
    const button = ev.submitter || $("button", form);
    const method = (button && button.dataset.method) || form.dataset.method || "POST";
    const okText = (button && button.dataset.ok) || form.dataset.ok;
    run(button, method, form.dataset.url, formBody(form), okText, $(".err", form));
  });

  document.addEventListener("click", (ev) => {
    const el = ev.target.closest("button");
    if (!el) return;
    if (el.classList.contains("copy")) {
      const text = el.dataset.copy;
      const shown = () => { el.textContent = "copied"; setTimeout(() => { el.textContent = "copy"; }, 1200); };
      if (navigator.clipboard) navigator.clipboard.writeText(text).then(shown, () => select(el));
      else select(el);
    } else if (el.classList.contains("act") && el.type === "button") {
      const payload = el.dataset.body ? JSON.parse(el.dataset.body) : undefined;
      run(el, el.dataset.method, el.dataset.url, payload, el.dataset.ok, null);
    }
  });

  function select(button) { // no clipboard (plain http to another host): select the text
    const range = document.createRange();
    range.selectNodeContents(button.previousElementSibling);
    getSelection().removeAllRanges();
    getSelection().addRange(range);
  }

  auth.addEventListener("submit", (ev) => {
    ev.preventDefault();
    sessionStorage.setItem(KEY, $("#auth-token").value.trim());
    auth.hidden = true;
    flash("The token is kept in this tab. Try again.");
    poll();
  });

  $("#upload").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const form = ev.target;
    const file = form.elements.fixture.files[0];
    if (!file) return;
    const type = /\.json$/i.test(file.name) ? "application/json" : "application/yaml";
    const button = $("button", form);
    button.disabled = true;
    const result = await call("PUT", "fixtures", await file.arrayBuffer(), type);
    button.disabled = false;
    done(result, "Loaded " + file.name + ".", $(".err", form));
  });

  $("#download").addEventListener("click", async (ev) => {
    const link = ev.currentTarget;
    if (!sessionStorage.getItem(KEY)) return; // no token: the plain link works
    ev.preventDefault();
    const response = await fetch(link.href, { headers: { Authorization: "Bearer " + sessionStorage.getItem(KEY) }, credentials: "omit" });
    if (!response.ok) { flash("The state could not be read (HTTP " + response.status + ").", true); return; }
    const url = URL.createObjectURL(await response.blob());
    const a = document.createElement("a");
    a.href = url;
    a.download = link.getAttribute("download");
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  });

  function cell(row, text, cls) {
    const td = row.insertCell();
    td.textContent = text === null || text === undefined ? "" : String(text);
    if (cls) td.className = cls;
    return td;
  }

  // -- faults (a 404 means this server has no fault injection) ---------------------------
  let faultsServed = true;
  let shownFaults = null;
  async function loadFaults() {
    if (!faultsServed) return;
    const state = $("#faults-state");
    const result = await call("GET", "faults");
    if (result.status === 404) {
      faultsServed = false;
      state.textContent = "This server has no fault injection.";
      for (const b of $("#faults").querySelectorAll("form button")) b.disabled = true;
      return;
    }
    if (!result.ok) { state.textContent = result.message; return; }
    const faults = Array.isArray(result.data) ? result.data : (result.data && result.data.faults) || [];
    const seen = JSON.stringify(faults);
    if (seen === shownFaults) return; // unchanged: keep the rows (and a button being clicked)
    shownFaults = seen;
    state.textContent = faults.length ? "" : "No faults: every request is answered normally.";
    const rows = $("#fault-rows");
    rows.closest("table").hidden = !faults.length;
    rows.replaceChildren();
    for (const f of faults) {
      const row = rows.insertRow();
      const effect = f.status ?? (f.throttled ? "throttled" : f.drop ? "drop" : "");
      cell(row, f.id);
      cell(row, [].concat(f.action ?? "any").join(", "));
      cell(row, [effect, f.latency_ms ? f.latency_ms + " ms" : ""].filter(String).join(" + "));
      cell(row, f.remaining ?? "every request");
      cell(row, f.fired ?? "");
      const b = document.createElement("button");
      Object.assign(b, { type: "button", className: "act secondary", textContent: "Remove" });
      Object.assign(b.dataset, { method: "DELETE", url: "faults/" + encodeURIComponent(f.id), ok: "Fault removed." });
      row.insertCell().append(b);
    }
  }

  // -- the live journal and clock ---------------------------------------------------------
  const journalForm = $("#journal form.filter");
  let lastSeen = null;
  let timer = null;
  async function poll() {
    clearTimeout(timer);
    if ($("#live").checked && document.visibilityState === "visible") {
      const query = new URLSearchParams({ limit: "100" }); // the newest, as shown
      const action = journalForm.elements.action.value;
      const user = journalForm.elements.user.value.trim();
      if (action) query.set("action", action);
      if (/^\d+$/.test(user)) query.set("user", user);
      const [journal, clock] = await Promise.all([call("GET", "requests?" + query), call("GET", "clock"), loadFaults()]);
      if (journal.status === 401 || clock.status === 401) return; // waits for the token
      if (journal.ok) render(journal.data);
      if (clock.ok) {
        $("#now").textContent = clock.data.now.replace(/\.\d+Z$/, "Z");
        $("#frozen").hidden = !clock.data.frozen;
      }
    }
    timer = setTimeout(poll, 2000);
  }

  function render(entries) {
    const newest = entries.slice(-100).reverse();
    const key = newest.length + ":" + (newest.length ? newest[0].id : "");
    if (key === lastSeen) return;
    lastSeen = key;
    const rows = $("#journal-rows");
    rows.replaceChildren();
    if (!newest.length) { cell(rows.insertRow(), "No requests yet.").colSpan = 5; return; }
    for (const e of newest) {
      const row = rows.insertRow();
      cell(row, e.time);
      cell(row, e.method + " " + e.path + (e.query ? "?" + e.query : ""), "req");
      cell(row, e.status, "st s" + Math.floor(e.status / 100));
      cell(row, e.action);
      cell(row, e.user_id);
    }
  }

  $("#live").addEventListener("change", poll);
  document.addEventListener("visibilitychange", poll);
  $("#logout")?.addEventListener("submit", () => sessionStorage.removeItem(KEY));
  if (!$("#live").checked) loadFaults();
  poll();
})();
