// Signing with a USB token, in two phases: for each chosen book the page asks the signing plug-in on this
// computer for the token's certificate, has the service lay out the signature (`prepare`), hands the plug-in the
// hash to sign, and sends the signature value back (`complete`). The key never leaves the token; the service
// never sees it. Remote keys do not come here: their forms are posted as they are.
"use strict";
(function () {
  async function call(url, body, csrf) {
    const headers = { "Content-Type": "application/json" };
    if (csrf) headers["X-CSRF-Token"] = csrf;
    const answer = await fetch(url, {
      method: body === undefined ? "GET" : "POST",
      headers: body === undefined ? {} : headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: csrf ? "same-origin" : "omit",
    });
    const data = await answer.json().catch(() => ({}));
    if (!answer.ok) {
      const error = new Error(data.detail || data.title || data.error || String(answer.status));
      error.problem = data;
      throw error;
    }
    return data;
  }

  function line(list, text, cls) {
    const item = document.createElement("li");
    item.textContent = text;
    if (cls) item.className = cls;
    list.appendChild(item);
  }

  async function signWithToken(form, chosen) {
    const plugin = form.dataset.plugin;
    const csrf = form.querySelector("input[name=csrf]").value;
    const status = form.querySelector(".usb-state");
    const t = status.dataset;
    status.textContent = t.tWorking;
    const list = document.createElement("ul");
    status.appendChild(list);
    let token;
    try {
      token = await call(plugin + "/certificate");
    } catch (e) {
      status.textContent = t.tPlugin;
      return;
    }
    for (const id of chosen) {
      try {
        const prepared = await call("/v1/books/" + id + "/signatures/prepare", token, csrf);
        const signed = await call(plugin + "/sign", { sha256: prepared.sha256, data_to_sign: prepared.data_to_sign });
        await call("/v1/books/" + id + "/signatures/complete", { session_id: prepared.session_id, signature: signed.signature }, csrf);
        line(list, id + ": " + t.tDone, "passed");
      } catch (e) {
        const problem = e.problem || {};
        const why = document.documentElement.lang === "en" ? problem.message_en : problem.message_vi;
        line(list, id + ": " + t.tFailed + (why || e.message ? " (" + (why || e.message) + ")" : ""), "failed");
      }
    }
  }

  for (const form of document.querySelectorAll("form.sitting[data-plugin]")) {
    form.addEventListener("submit", (event) => {
      const key = form.querySelector("input[name=key]:checked");
      if (!key || key.value !== "usb") return;
      event.preventDefault();
      const whole = event.submitter && event.submitter.value === "class";
      const boxes = form.querySelectorAll("input[name=documents]" + (whole ? "" : ":checked"));
      const chosen = Array.from(boxes, (box) => box.value);
      if (!chosen.length) {
        form.querySelector(".usb-state").textContent = form.querySelector(".usb-state").dataset.tNone;
        return;
      }
      signWithToken(form, chosen);
    });
  }
})();
