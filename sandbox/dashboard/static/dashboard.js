// The rewards-sandbox dashboard's one script (no build step, no libraries).
//
// - Elements with data-part="URL" are filled with that server-rendered part; data-live="MS"
//   polls it while the tab is visible, swapping only when it changed (focus is kept).
// - Forms with data-path="/clock" and data-method="PUT" send their fields as JSON to the
//   control API (the body's data-control), then every part on the page is read again.
// - With SANDBOX_ADMIN_TOKEN set, the token is asked for once and kept in sessionStorage
//   (this tab only); it travels only in the Authorization header, never in a URL.
"use strict";

(() => {
  const TOKEN_KEY = "rewards-sandbox.admin-token";
  const control = document.body.dataset.control;
  const main = document.getElementById("main");
  const tokenForm = document.getElementById("token-form");
  const tokenInput = document.getElementById("token-input");
  const tokenError = document.getElementById("token-error");
  const statusBox = document.getElementById("status");
  const shown = new WeakMap();          // part element -> the HTML it shows
  let selectedEntry = null;             // the request open in the detail panel
  let locked = false;

  class Refused extends Error {}

  async function send(method, url, json) {
    const headers = {};
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (token) headers.Authorization = "Bearer " + token;
    const init = {method, headers, cache: "no-store", credentials: "same-origin"};
    if (json !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(json);
    }
    const response = await fetch(url, init);
    if (response.status === 401) {
      askForToken(token ? "The sandbox refused that token." : "");
      throw new Refused();
    }
    return response;
  }

  async function problemText(response) {
    try {
      const body = await response.json();
      const lines = [body.error || `${response.status} ${response.statusText}`];
      for (const problem of body.problems || []) {
        lines.push((problem.path ? problem.path + ": " : "") + problem.message);
      }
      return lines.join("\n");
    } catch (err) {
      return `${response.status} ${response.statusText}`;
    }
  }

  function say(text, isError) {
    statusBox.textContent = text;
    statusBox.className = isError ? "error" : "ok";
  }

  function report(err) {
    if (!(err instanceof Refused)) say("The sandbox did not answer: " + err.message, true);
  }

  // -- parts --------------------------------------------------------------------------
  function partUrl(el) {
    const params = new URLSearchParams();
    if ("withSearch" in el.dataset) {
      new URLSearchParams(location.search).forEach((value, key) => params.append(key, value));
    }
    const filters = el.dataset.filters && document.getElementById(el.dataset.filters);
    if (filters) {
      for (const [key, value] of new FormData(filters)) if (value !== "") params.append(key, value);
    }
    const query = params.toString();
    return query ? `${el.dataset.part}?${query}` : el.dataset.part;
  }

  function focusKey() {
    const active = document.activeElement;
    if (!active || active === document.body) return null;
    if (active.id) return "#" + CSS.escape(active.id);
    if (active.dataset.entry) return `[data-entry="${CSS.escape(active.dataset.entry)}"]`;
    return null;
  }

  function swap(el, html) {
    if (shown.get(el) === html) return;
    const keep = el.contains(document.activeElement) ? focusKey() : null;
    el.innerHTML = html;
    shown.set(el, html);
    markSelected();
    if (keep) el.querySelector(keep)?.focus();
  }

  async function load(el) {
    const response = await send("GET", partUrl(el));
    if (response.ok) {
      swap(el, await response.text());
    } else {
      const p = document.createElement("p");
      p.className = "error";
      p.textContent = await problemText(response);
      el.replaceChildren(p);
      shown.delete(el);
    }
  }

  async function loadAll() {
    await Promise.all([...document.querySelectorAll("[data-part]")].map(load));
  }

  function poll(el) {
    const every = Number(el.dataset.live);
    const toggle = document.getElementById("live-updates");
    const tick = async () => {
      if (!locked && !document.hidden && (!toggle || toggle.checked)) {
        try { await load(el); } catch (err) { report(err); }
      }
      setTimeout(tick, every);
    };
    setTimeout(tick, every);
  }

  // -- the token ----------------------------------------------------------------------
  function askForToken(message) {
    locked = true;
    sessionStorage.removeItem(TOKEN_KEY);
    main.hidden = true;
    tokenForm.hidden = false;
    tokenError.textContent = message;
    tokenInput.focus();
  }

  tokenForm.addEventListener("submit", (event) => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, tokenInput.value);
    tokenInput.value = "";
    tokenForm.hidden = true;
    start();
  });

  // -- forms that call the control API ---------------------------------------------------
  function fieldValue(field, value) {
    if (field.type === "number") return Number(value);
    if (field.dataset.type === "boolean") return value === "true";
    if (field.dataset.type === "json") {
      try {
        return JSON.parse(value);
      } catch (err) {
        throw new Error(`${field.labels[0]?.textContent.trim() || field.name}: not valid JSON`);
      }
    }
    return value;
  }

  async function formJson(form, submitter) {
    const data = {};
    for (const field of form.elements) {
      if (!field.name || field.tagName === "BUTTON" || field.tagName === "FIELDSET") continue;
      let value = field.value;
      if ("fromClock" in field.dataset) {
        value = (await (await send("GET", control + "/clock")).json()).now;
      }
      if (value !== "") data[field.name] = fieldValue(field, value);
    }
    if (submitter && submitter.name) data[submitter.name] = submitter.value;
    return data;
  }

  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (form.id === "request-filters") {
      event.preventDefault();
      refreshFiltered();
      return;
    }
    if (!form.dataset.path) return;
    event.preventDefault();
    const method = form.dataset.method;
    try {
      const payload = method === "DELETE" ? undefined : await formJson(form, event.submitter);
      const response = await send(method, control + form.dataset.path, payload);
      if (!response.ok) {
        say(await problemText(response), true);
        return;
      }
      say(form.dataset.done || "Done.", false);
      await loadAll();
    } catch (err) {
      if (err instanceof Refused) return;
      say(err.message, true);
    }
  });

  // -- the requests page ---------------------------------------------------------------
  let filterTimer = null;
  function refreshFiltered() {
    clearTimeout(filterTimer);
    filterTimer = setTimeout(() => {
      const table = document.getElementById("requests-table");
      if (table) load(table).catch(report);
    }, 200);
  }
  document.getElementById("request-filters")?.addEventListener("input", refreshFiltered);

  function markSelected() {
    for (const row of document.querySelectorAll("tr[data-row]")) {
      const chosen = row.dataset.row === selectedEntry;
      row.classList.toggle("selected", chosen);
      row.querySelector("button[data-entry]")?.setAttribute("aria-pressed", String(chosen));
    }
  }

  document.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-entry]");
    if (!button) return;
    const panel = document.getElementById("request-detail");
    selectedEntry = button.dataset.entry;
    markSelected();
    try {
      const response = await send("GET", panel.dataset.detail + encodeURIComponent(selectedEntry));
      if (response.ok) {
        panel.innerHTML = await response.text();
      } else {
        const p = document.createElement("p");
        p.className = "error";
        p.textContent = await problemText(response);
        panel.replaceChildren(p);
      }
      panel.querySelector("h2")?.focus();
    } catch (err) {
      report(err);
    }
  });

  // -- start ---------------------------------------------------------------------------
  async function start() {
    locked = false;
    try {
      await loadAll();
    } catch (err) {
      report(err);
      if (err instanceof Refused) return;
    }
    main.hidden = false;
    const target = document.querySelector("[data-autofocus]");
    if (target) target.focus();
  }

  if (document.body.dataset.tokenRequired === "yes" && !sessionStorage.getItem(TOKEN_KEY)) {
    askForToken("");
  } else {
    start();
  }
  document.querySelectorAll("[data-live]").forEach(poll);
})();
