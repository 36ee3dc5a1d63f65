/* Parcours — the attendance sheet: one tap per person, saves that survive a flaky connection.
 *
 * Every tap is an *intent* for one household, kept in localStorage until the server has it:
 *   {household, status, mark_id (generated here), base_version (the row's version seen),
 *    intent_at (ms)}.
 * Only the latest intent per household is kept; one request per household at a time; a retry
 * sends the same mark_id, so the server applies it once. Unsent marks show "not yet saved" on
 * their row and are sent again when the connection is back (online event, a timer, on focus).
 * Quick-added newcomers are queued the same way (their mark_id makes a retry create nothing
 * twice). The sheet polls the server for other people's marks and merges them row by row,
 * never over a row that still has an unsent intent. A poll sends the sheet's version it holds
 * (data-since, then each answer's X-Sheet-Since) and gets only the rows changed since.
 *
 * Requests go through htmx.ajax (the vendored htmx); no other library.
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
(function () {
  "use strict";
  const sheet = document.getElementById("sheet");
  if (!sheet || typeof htmx === "undefined") return;

  const marksUrl = sheet.dataset.marksUrl;
  const newcomerUrl = sheet.dataset.newcomerUrl;
  const KEY = "parcours:attendance:" + sheet.dataset.session;
  const rowsEl = document.getElementById("sheet-rows");
  const statusEl = document.getElementById("sheet-status");
  const countEl = document.getElementById("present-count");
  const T = sheet.dataset;
  const inflight = new Set(); // "m<household>" or "n<mark_id>" with a request on the way
  const POLL_MS = 5000;
  const RETRY_MS = 4000;

  // --- the queue (localStorage, so a reload or a closed tab loses nothing) ------------------
  function load() {
    try {
      const q = JSON.parse(localStorage.getItem(KEY));
      if (q && q.marks && q.newcomers) return q;
    } catch (e) { /* a broken entry is replaced */ }
    return { marks: {}, newcomers: {} };
  }
  function store(q) {
    try { localStorage.setItem(KEY, JSON.stringify(q)); } catch (e) { /* private mode: memory */ }
    memory = q;
  }
  let memory = load();
  function queue() {
    try {
      return localStorage.getItem(KEY) === null ? memory : load();
    } catch (e) {
      return memory;
    }
  }

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const b = new Uint8Array(16);
    crypto.getRandomValues(b);
    return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  }
  function csrf() {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // --- rows ----------------------------------------------------------------------------------
  function rowOf(household) { return document.getElementById("row-" + household); }

  function paint(row, status) {
    row.dataset.intent = status;
    row.querySelectorAll("button.mark").forEach((b) => {
      const on = b.dataset.status === status;
      b.setAttribute("aria-pressed", on ? "true" : "false");
      b.value = on ? "unmarked" : b.dataset.status;
    });
  }
  function setState(row, state, text) {
    row.classList.remove("state-saving", "state-queued", "state-error", "state-stale");
    if (state) row.classList.add("state-" + state);
    const el = row.querySelector(".row-state");
    if (el) el.textContent = text || "";
  }
  function intentOf(row) { return row.dataset.intent || row.dataset.status; }

  function refreshSummary() {
    let present = 0;
    rowsEl.querySelectorAll(".sheet-row").forEach((r) => { if (intentOf(r) === "present") present++; });
    countEl.textContent = String(present);
    const q = queue();
    const pending = Object.keys(q.marks).length + Object.keys(q.newcomers).length;
    if (!pending) statusEl.textContent = T.textAllSaved;
    else if (!navigator.onLine) statusEl.textContent = T.textOffline + " (" + pending + ")";
    else statusEl.textContent = T.textPending + " " + pending;
    sheet.classList.toggle("has-pending", pending > 0);
  }

  function parseRows(html) {
    const tpl = document.createElement("template");
    tpl.innerHTML = html;
    return tpl.content;
  }
  function replaceRow(fresh) {
    const old = document.getElementById(fresh.id);
    if (old) old.replaceWith(fresh);
    else rowsEl.appendChild(fresh);
    const empty = document.getElementById("sheet-empty");
    if (empty) empty.remove();
    htmx.process(fresh);
  }

  // --- marks ---------------------------------------------------------------------------------
  function tap(row, status) {
    const household = row.dataset.household;
    const q = queue();
    const previous = q.marks[household];
    q.marks[household] = {
      household: household,
      status: status,
      mark_id: newId(),
      // The version the person saw: the server's, even if an earlier tap is still on its way.
      base_version: previous ? previous.base_version : Number(row.dataset.version || 0),
      intent_at: Date.now(),
    };
    store(q);
    paint(row, status);
    setState(row, "saving", T.textSaving);
    refreshSummary();
    flush();
  }

  function sendMark(entry) {
    const key = "m" + entry.household;
    if (inflight.has(key)) return;
    const row = rowOf(entry.household);
    inflight.add(key);
    if (row) setState(row, "saving", T.textSaving);
    const values = {
      household: entry.household, status: entry.status, mark_id: entry.mark_id,
      base_version: entry.base_version, intent_at: entry.intent_at,
    };
    // One source element per household: htmx queues requests per element.
    htmx.ajax("POST", marksUrl, {
      source: row || sheet, values: values, headers: { "X-CSRFToken": csrf() }, swap: "none",
      handler: function (elt, info) { onMarkAnswer(entry, info.xhr); },
    }).then(null, function () { onMarkFailed(entry); });
  }

  function onMarkAnswer(entry, xhr) {
    const key = "m" + entry.household;
    inflight.delete(key);
    const outcome = xhr.getResponseHeader("X-Mark-Outcome");
    const q = queue();
    const current = q.marks[entry.household];
    const row = rowOf(entry.household);
    if (xhr.status === 200 && outcome) {
      const fresh = parseRows(xhr.responseText).querySelector(".sheet-row");
      if (current && current.mark_id !== entry.mark_id) {
        // A later tap is waiting: it was made after this one, on top of this version.
        current.base_version = Number(fresh.dataset.version);
        store(q);
        if (row) row.dataset.version = fresh.dataset.version;
        sendMark(current);
        return;
      }
      delete q.marks[entry.household];
      store(q);
      replaceRow(fresh);
      if (outcome === "stale") setState(fresh, "stale", T.textStale);
      else setState(fresh, null, T.textSaved);
      refreshSummary();
      return;
    }
    if (xhr.status >= 400 && xhr.status < 500 && xhr.status !== 408 && xhr.status !== 429) {
      // Refused (cancelled session, not allowed...): retrying would not help.
      if (current && current.mark_id === entry.mark_id) { delete q.marks[entry.household]; store(q); }
      const msg = parseRows(xhr.responseText).textContent.trim();
      if (row) { delete row.dataset.intent; paint(row, row.dataset.status); setState(row, "error", msg); }
      refreshSummary();
      return;
    }
    onMarkFailed(entry); // server error, or signed out (the login page came back): keep it
    if (signedOut(xhr)) statusEl.textContent = T.textSignedOut;
  }

  function signedOut(xhr) {
    return xhr.status === 200 && /\/login\//.test(xhr.responseURL || "");
  }

  function onMarkFailed(entry) {
    inflight.delete("m" + entry.household);
    const row = rowOf(entry.household);
    if (row && queue().marks[entry.household]) setState(row, "queued", T.textQueued);
    refreshSummary();
    scheduleRetry();
  }

  // --- newcomers -----------------------------------------------------------------------------
  function placeholder(entry) {
    const li = document.createElement("li");
    li.className = "sheet-row newcomer-pending state-queued";
    li.id = "newcomer-" + entry.mark_id;
    li.dataset.intent = "present";
    const p = document.createElement("p");
    p.className = "who";
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = entry.fields.name || "…";
    const state = document.createElement("small");
    state.className = "row-state";
    state.textContent = T.textSaving;
    p.append(name, " ", state);
    li.appendChild(p);
    return li;
  }

  function addNewcomer(form, submitter) {
    const fields = {};
    // The clicked button counts ("It is this family", "No, a new family"), added by hand
    // (older phones ignore FormData's submitter); ticked purposes are several values of one name.
    const data = new FormData(form);
    if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    data.forEach((v, k) => {
      // The mark_id makes a retry create nothing twice; the form's one-time submission token
      // would refuse every newcomer after the first one added from the same sheet.
      if (k === "csrfmiddlewaretoken" || k === "submission") return;
      if (k in fields) fields[k] = [].concat(fields[k], v); else fields[k] = v;
    });
    const entry = { mark_id: newId(), fields: fields };
    entry.fields.mark_id = entry.mark_id;
    const q = queue();
    q.newcomers[entry.mark_id] = entry;
    store(q);
    rowsEl.appendChild(placeholder(entry));
    // Ready for the next person; the consent date stays.
    ["name", "neighbourhood", "phone"].forEach((n) => { if (form.elements[n]) form.elements[n].value = ""; });
    form.querySelectorAll('input[name="purposes"]').forEach((box) => { box.checked = false; });
    refreshSummary();
    sendNewcomer(entry);
  }

  function sendNewcomer(entry) {
    const key = "n" + entry.mark_id;
    if (inflight.has(key)) return;
    inflight.add(key);
    let li = document.getElementById("newcomer-" + entry.mark_id);
    if (!li) { li = placeholder(entry); rowsEl.appendChild(li); }
    setState(li, "saving", T.textSaving);
    htmx.ajax("POST", newcomerUrl, {
      source: li, values: entry.fields, headers: { "X-CSRFToken": csrf() }, swap: "none",
      handler: function (elt, info) { onNewcomerAnswer(entry, info.xhr); },
    }).then(null, function () { onNewcomerFailed(entry); });
  }

  function onNewcomerAnswer(entry, xhr) {
    inflight.delete("n" + entry.mark_id);
    if (xhr.status !== 200 || !xhr.responseText.includes('id="newcomer-panel"')) {
      onNewcomerFailed(entry);
      if (signedOut(xhr)) statusEl.textContent = T.textSignedOut;
      return;
    }
    const q = queue();
    delete q.newcomers[entry.mark_id];
    store(q);
    const li = document.getElementById("newcomer-" + entry.mark_id);
    const content = parseRows(xhr.responseText);
    const fresh = content.querySelector(".added-row .sheet-row");
    const panel = content.querySelector("#newcomer-panel");
    if (li) li.remove();
    if (fresh) { replaceRow(fresh); setState(fresh, null, T.textSaved); }
    const oldPanel = document.getElementById("newcomer-panel");
    if (panel && oldPanel) {
      panel.querySelectorAll(".added-row").forEach((e) => e.remove());
      oldPanel.replaceWith(panel);
      htmx.process(panel);
      if (!fresh) { // refused: the form comes back with its errors, filled in
        const details = document.getElementById("newcomer-details");
        if (details) details.open = true;
        const firstError = panel.querySelector("[aria-invalid=true], .error");
        if (firstError) firstError.scrollIntoView({ block: "center" });
      }
    }
    refreshSummary();
  }

  function onNewcomerFailed(entry) {
    inflight.delete("n" + entry.mark_id);
    const li = document.getElementById("newcomer-" + entry.mark_id);
    if (li) setState(li, "queued", T.textQueued);
    refreshSummary();
    scheduleRetry();
  }

  // --- sending and resending -----------------------------------------------------------------
  function flush() {
    const q = queue();
    Object.values(q.marks).forEach((entry) => {
      const row = rowOf(entry.household);
      if (row && !inflight.has("m" + entry.household)) {
        paint(row, entry.status);
        if (!navigator.onLine) setState(row, "queued", T.textQueued);
      }
    });
    Object.values(q.newcomers).forEach((entry) => {
      if (!document.getElementById("newcomer-" + entry.mark_id)) {
        rowsEl.appendChild(placeholder(entry));
      }
    });
    refreshSummary();
    if (!navigator.onLine) { scheduleRetry(); return; }
    Object.values(q.marks).forEach(sendMark);
    Object.values(q.newcomers).forEach(sendNewcomer);
  }

  let retryTimer = null;
  function scheduleRetry() {
    if (retryTimer) return;
    retryTimer = setTimeout(function () { retryTimer = null; flush(); }, RETRY_MS);
  }

  // --- other people's marks ------------------------------------------------------------------
  let polling = false;
  function poll() {
    if (polling || !navigator.onLine || document.hidden) return;
    polling = true;
    const since = sheet.dataset.since;
    const url = since ? marksUrl + "?since=" + encodeURIComponent(since) : marksUrl;
    htmx.ajax("GET", url, {
      source: rowsEl, swap: "none",
      handler: function (elt, info) {
        polling = false;
        if (info.xhr.status !== 200) return;
        const q = queue();
        let skipped = false;
        parseRows(info.xhr.responseText).querySelectorAll(".sheet-row").forEach((fresh) => {
          const household = fresh.dataset.household;
          if (q.marks[household] || inflight.has("m" + household)) { // ours is on its way
            skipped = true;
            return;
          }
          const old = rowOf(household);
          if (old && old.dataset.version === fresh.dataset.version
              && old.dataset.status === fresh.dataset.status) return;
          replaceRow(fresh);
        });
        // A row left for our own mark's answer is asked for again: that answer may be older.
        const next = info.xhr.getResponseHeader("X-Sheet-Since");
        if (next && !skipped) sheet.dataset.since = next;
        refreshSummary();
      },
    }).then(null, function () { polling = false; });
  }

  // --- wiring --------------------------------------------------------------------------------
  const found = document.getElementById("search-results");
  document.addEventListener("click", function (event) {
    const button = event.target.closest(".sheet-row button.mark");
    if (!button || button.disabled) return;
    event.preventDefault();
    const row = button.closest(".sheet-row");
    if (found && found.contains(row)) {  // someone known, found by the search: onto the sheet
      rowsEl.appendChild(row);
      const empty = document.getElementById("sheet-empty");
      if (empty) empty.remove();
    }
    const status = button.getAttribute("aria-pressed") === "true" ? "unmarked" : button.dataset.status;
    tap(row, status);
  });
  document.addEventListener("submit", function (event) {
    if (event.target.id !== "newcomer-form") return;
    event.preventDefault();
    addNewcomer(event.target, event.submitter);
  });
  // Search results never repeat a row already on the sheet (ids are unique in the page).
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (!found || event.detail.target !== found) return;
    found.querySelectorAll(".sheet-row[id]").forEach((r) => {
      if (rowsEl.querySelector("#" + r.id)) r.remove();
    });
  });
  window.addEventListener("online", flush);
  window.addEventListener("offline", refreshSummary);
  window.addEventListener("focus", function () { flush(); poll(); });
  document.addEventListener("visibilitychange", function () { if (!document.hidden) poll(); });
  setInterval(poll, POLL_MS);
  flush();
})();
